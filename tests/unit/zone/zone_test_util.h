// Helpers for zone tests: zones from master-file text, and queries answered through
// AnswerQuery into a parsed dns::Message.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "base/qsbr.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/wire/message.h"
#include "dns/wire/writer.h"
#include "zone/answer.h"
#include "zone/master_file.h"
#include "zone/zone.h"
#include "zone/zone_set.h"

namespace tether::zone::testing {

inline dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

// Groups master-file text into name updates (owner and type form an RRset).
inline std::vector<NameUpdate> UpdatesFromText(const std::string& origin, const std::string& text) {
  std::map<std::string, std::map<uint16_t, Rrset>> names;
  MasterFileOptions options;
  options.origin = N(origin);
  auto status = ReadMasterText(text, "test", options, [&](MasterRecord&& record) -> Status {
    record.owner.Lowercase();
    Rrset& rrset = names[record.owner.ToText()][dns::ToU16(record.type)];
    if (rrset.rdatas.empty()) rrset.ttl = record.ttl;
    rrset.type = record.type;
    rrset.rdatas.push_back(std::move(record.rdata));
    return Ok();
  });
  EXPECT_TRUE(status) << (status ? "" : status.error().message);
  std::vector<NameUpdate> updates;
  for (auto& [owner, types] : names) {
    NameUpdate update{N(owner), {}};
    for (auto& [type, rrset] : types) update.rrsets.push_back(std::move(rrset));
    updates.push_back(std::move(update));
  }
  return updates;
}

inline std::shared_ptr<Zone> ZoneFromText(const std::string& origin, const std::string& text) {
  auto zone = std::make_shared<Zone>(N(origin).Lowercased());
  auto status = zone->Apply(UpdatesFromText(origin, text));
  EXPECT_TRUE(status) << (status ? "" : status.error().message);
  return zone;
}

struct Response {
  dns::Message message;
  AnswerResult result;

  std::vector<std::string> Section(const std::vector<dns::Rr>& rrs) const {
    std::vector<std::string> out;
    for (const auto& rr : rrs) {
      out.push_back(rr.owner.ToText() + " " + std::to_string(rr.ttl) + " " +
                    dns::RrTypeToString(rr.type) + " " + dns::RdataToText(rr.type, rr.rdata));
    }
    return out;
  }
  std::vector<std::string> Answer() const { return Section(message.answers); }
  std::vector<std::string> Authority() const { return Section(message.authority); }
  std::vector<std::string> Additional() const { return Section(message.additional); }
};

// Answers `qname`/`qtype` from `zones` (single-threaded tests need no reader slot).
inline Response Ask(const ZoneSet& zones, const std::string& qname, dns::RrType qtype,
                    bool tcp = false, size_t limit = 65535) {
  std::vector<uint8_t> buffer(65535);
  dns::Writer writer(buffer.data(), buffer.size());
  writer.U16(0x1234);
  writer.U16(0);
  writer.U16(1);
  writer.U16(0);
  writer.U16(0);
  writer.U16(0);
  dns::Name name = N(qname);
  writer.Name(name.wire(), false);
  writer.U16(dns::ToU16(qtype));
  writer.U16(1);
  Query query;
  dns::Name lower = name.Lowercased();
  std::memcpy(query.qname, lower.wire().data(), lower.size());
  query.qname_size = lower.size();
  query.qtype = qtype;
  query.tcp = tcp;
  IndexLabels(&query);
  writer.set_limit(limit);
  Response response;
  response.result = AnswerQuery(zones, query, writer);
  auto* p = writer.data();
  p[2] = 0x80 | (response.result.authoritative ? 0x04 : 0) | (response.result.truncated ? 0x02 : 0);
  p[3] = static_cast<uint8_t>(static_cast<uint16_t>(response.result.rcode) & 0xF);
  uint16_t counts[3] = {response.result.answer_count, response.result.authority_count,
                        response.result.additional_count};
  for (int i = 0; i < 3; ++i) {
    p[6 + 2 * i] = static_cast<uint8_t>(counts[i] >> 8);
    p[7 + 2 * i] = static_cast<uint8_t>(counts[i]);
  }
  auto parsed = dns::ParseMessage(writer.view());
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  if (parsed) response.message = std::move(*parsed);
  return response;
}

}  // namespace tether::zone::testing
