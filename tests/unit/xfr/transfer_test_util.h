// Helpers for the secondary-side tests: response streams built with the primary side's
// own message builder (response_stream.h), optionally TSIG-signed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "../store/store_test_util.h"
#include "dns/wire/tsig.h"
#include "xfr/record_list.h"
#include "xfr/request.h"
#include "xfr/response_stream.h"
#include "xfr/transfer_reader.h"

namespace tether::xfr::testing {

using store::testing::A;
using store::testing::N;
using store::testing::SoaRdata;

constexpr uint64_t kNow = 1800000000;
constexpr uint16_t kId = 0x4242;

inline dns::TsigKey Key(uint8_t fill = 7) {
  return dns::TsigKey{N("xfr.key."), dns::TsigAlgorithm::kHmacSha256, std::vector<uint8_t>(32, fill)};
}

inline void AddSoa(RecordList& records, const std::string& origin, uint32_t serial) {
  records.Add(N(origin), dns::RrType::kSoa, 3600, SoaRdata(origin, serial));
}
inline void AddA(RecordList& records, const std::string& owner, uint8_t last, uint32_t ttl = 60) {
  records.Add(N(owner), dns::RrType::kA, ttl, A(192, 0, 2, last));
}
inline void AddNs(RecordList& records, const std::string& origin) {
  records.Add(N(origin), dns::RrType::kNs, 3600, store::testing::Wire(N("ns1." + origin)));
}

// A request as the client sends it, and the primary's response stream to it.
struct Exchange {
  TransferRequestInfo info;
  std::vector<std::vector<uint8_t>> messages;
};

// The response carrying `records` to a `qtype` request for `origin` (IXFR from
// `client_serial`), in messages of at most `max_size`; signed with `key` if given (the
// client then expects `client_key`, by default the same).
inline Exchange MakeExchange(const std::string& origin, dns::RrType qtype, const RecordList& records,
                             std::optional<uint32_t> client_serial = std::nullopt,
                             size_t max_size = kMaxTcpMessage,
                             std::optional<dns::TsigKey> key = std::nullopt,
                             std::optional<dns::TsigKey> client_key = std::nullopt) {
  Exchange exchange;
  exchange.info.origin = N(origin);
  exchange.info.qtype = qtype;
  exchange.info.id = kId;
  exchange.info.client_serial = client_serial;
  zone::Rrset soa{dns::RrType::kSoa, 3600, {SoaRdata(origin, client_serial.value_or(0))}};
  ZoneRequest request{kId, dns::Opcode::kQuery, false, N(origin), qtype,
                      client_serial ? &soa : nullptr,
                      client_serial ? SoaSection::kAuthority : SoaSection::kNone,
                      key ? &*key : nullptr};
  std::optional<BuiltRequest> built = BuildRequest(request, kNow);
  EXPECT_TRUE(built);
  std::optional<dns::TsigStreamSigner> signer;
  if (key) {
    dns::TsigVerification verified = dns::VerifyRequest(
        built->wire, [&](const dns::Name&) { return &*key; }, kNow);
    EXPECT_EQ(verified.status, dns::TsigStatus::kOk);
    signer.emplace(verified);
    exchange.info.key = client_key ? *client_key : *key;
    exchange.info.request_mac = built->mac;
  } else if (client_key) {
    exchange.info.key = *client_key;
  }
  const dns::Name name = N(origin);
  std::vector<uint8_t> question(name.wire().begin(), name.wire().end());
  question.insert(question.end(), {0, static_cast<uint8_t>(dns::ToU16(qtype)), 0, 1});
  ResponseHeader header{kId, false, question};
  EXPECT_TRUE(SendRecords(header, records, max_size, signer ? &*signer : nullptr, kNow,
                          [&](std::vector<uint8_t> m) { exchange.messages.push_back(std::move(m)); }));
  return exchange;
}

// Feeds every message; the first error, or the transfer once done.
inline Result<Transfer> Read(const Exchange& exchange) {
  TransferReader reader(exchange.info);
  for (const auto& message : exchange.messages) RETURN_IF_ERROR(reader.Add(message, kNow));
  if (!reader.done()) return MakeError(ErrorCode::kUnavailable, "the stream ended early");
  return reader.Take();
}

}  // namespace tether::xfr::testing
