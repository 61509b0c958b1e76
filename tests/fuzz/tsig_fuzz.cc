// Fuzzes TSIG (RFC 8945): VerifyRequest over arbitrary bytes with a fixed key lookup, then
// SignResponse into a writer, and checks the signed response differentially with
// VerifyResponse. Any disagreement aborts, so libFuzzer reports it as a crash.
//
// Input: one mode byte, then a DNS message.
//   bit 0:     sign the message first with SignRequest (one of the keys, bits 1-3), so that
//              arbitrary message contents reach the MAC-verified paths; an unsigned message
//              that, once signed, parses with our record last must then verify as kOk;
//   bits 4-5:  `now`: the seed corpus's capture time, 301 s later (BADTIME), 0, 2^48 - 1.
// The keys are those of the captured requests in corpus/tsig (tests/unit/dns/testdata).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "dns/wire/message.h"
#include "dns/wire/tsig.h"
#include "dns/wire/writer.h"

namespace {

using tether::dns::Name;
using tether::dns::TsigAlgorithm;
using tether::dns::TsigKey;
using tether::dns::TsigStatus;
using tether::dns::TsigVerification;

constexpr uint64_t kCaptureTime = 1795723509;

std::vector<uint8_t> Base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  std::vector<uint8_t> out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) break;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<uint8_t>(bits >> count));
    }
  }
  return out;
}

const std::vector<TsigKey>& Keys() {
  static const std::vector<TsigKey> keys = [] {
    struct Spec {
      const char* name;
      TsigAlgorithm algorithm;
      const char* secret;
    };
    const Spec specs[] = {
        {"dig-sha256.tsig.test.", TsigAlgorithm::kHmacSha256, "0jnu3SdsMvzzlmTDPYRceA=="},
        {"dig-md5.tsig.test.", TsigAlgorithm::kHmacMd5, "pRP5FapFoJ95JEL06sv4PQ=="},
        {"dig-sha512.tsig.test.", TsigAlgorithm::kHmacSha512,
         "Y2xpZW50LXNlY3JldC1mb3ItdGhlLXNoYTUxMi10ZXN0LWtleQ=="},
        {"kdig-sha384.tsig.test.", TsigAlgorithm::kHmacSha384, "a2RpZy1zZWNyZXQtZm9yLXNoYTM4NA=="},
        {"nsupdate-sha1.tsig.test.", TsigAlgorithm::kHmacSha1, "bnN1cGRhdGUtc2hhMQ=="},
        {"knsupdate-sha224.tsig.test.", TsigAlgorithm::kHmacSha224, "a25zdXBkYXRlLXNoYTIyNA=="},
    };
    std::vector<TsigKey> out;
    for (const Spec& spec : specs) {
      out.push_back(TsigKey{*Name::FromText(spec.name), spec.algorithm, Base64(spec.secret)});
    }
    return out;
  }();
  return keys;
}

const TsigKey* Lookup(const Name& name) {
  for (const TsigKey& key : Keys()) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

[[noreturn]] void Die(const char* what, int detail) {
  std::fprintf(stderr, "%s (%d)\n", what, detail);
  std::abort();
}

// Answers `request` as a server would and checks the answer from the client's side.
void RespondAndCheck(std::span<const uint8_t> request, const TsigVerification& verification,
                     uint64_t now) {
  static uint8_t buffer[65535 + 2048];
  tether::dns::Writer writer(buffer, sizeof(buffer));
  if (verification.status == TsigStatus::kUnsigned || verification.status == TsigStatus::kFormErr) {
    writer.Bytes(request.first(std::min<size_t>(request.size(), tether::dns::kHeaderSize)));
    if (tether::dns::SignResponse(writer, verification, now))
      Die("signed a response to nothing", 0);
    return;
  }
  // The request without its TSIG record stands in for the response. Its header is kept as
  // it is (QR too): a compression pointer into the header (which ReadName accepts) would
  // read a changed flag (corpus/tsig/regress-pointer-to-flags).
  writer.Bytes(request.first(verification.tsig_offset));
  uint16_t arcount = static_cast<uint16_t>((buffer[10] << 8 | buffer[11]) - 1);
  writer.PatchU16(10, arcount);
  if (!tether::dns::SignResponse(writer, verification, now)) Die("SignResponse failed", 0);
  if (!tether::dns::ParseMessage(writer.view()) && tether::dns::ParseMessage(request)) {
    Die("signed response does not parse", static_cast<int>(verification.status));
  }

  const TsigKey* key =
      verification.key != nullptr ? verification.key : Lookup(verification.record.key_name);
  TsigKey stranger{verification.record.key_name,
                   tether::dns::TsigAlgorithmFromName(verification.record.algorithm)
                       .value_or(TsigAlgorithm::kHmacSha256),
                   {}};
  if (key == nullptr) key = &stranger;
  TsigStatus expected = verification.status;
  TsigStatus got = tether::dns::VerifyResponse(writer.view(), *key, verification.record.mac, now);
  if (got != expected) Die("VerifyResponse disagrees", static_cast<int>(got));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::span<const uint8_t> message(data + 1, size - 1);
  const uint64_t times[] = {kCaptureTime, kCaptureTime + 301, 0, (uint64_t{1} << 48) - 1};
  const uint64_t now = times[(mode >> 4) & 3];

  static uint8_t signed_buffer[65535 + 2048];
  if ((mode & 1) != 0) {
    const TsigKey& key = Keys()[((mode >> 1) & 7) % Keys().size()];
    const bool was_unsigned =
        tether::dns::VerifyRequest(message, Lookup, now).status == TsigStatus::kUnsigned;
    const size_t unsigned_size = message.size();
    tether::dns::Writer writer(signed_buffer, sizeof(signed_buffer));
    writer.Bytes(message);
    if (!tether::dns::SignRequest(writer, key, now)) return 0;
    message = writer.view();
    // Expect kOk when the signed message parses with our record last. Not merely when the
    // unsigned one parsed: a compression pointer into the header (which ReadName accepts)
    // reads ARCOUNT, and SignRequest changes ARCOUNT (corpus/tsig/regress-pointer-to-arcount).
    auto parsed = tether::dns::ParseMessage(message);
    const bool expect_ok = was_unsigned && parsed && parsed->tsig_offset == unsigned_size;
    TsigVerification verification = tether::dns::VerifyRequest(message, Lookup, now);
    if (expect_ok && verification.status != TsigStatus::kOk) {
      Die("a request we signed does not verify", static_cast<int>(verification.status));
    }
    RespondAndCheck(message, verification, now);
    return 0;
  }
  RespondAndCheck(message, tether::dns::VerifyRequest(message, Lookup, now), now);
  return 0;
}
