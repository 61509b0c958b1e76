// Fuzzes ParseMessage, then checks every parsed record differentially:
//  - RDATA that ParseMessage accepted is canonical (ValidateRdata agrees);
//  - presentation round trip: RdataFromString(RdataToText(rdata)) == rdata;
//  - wire round trip: the records written again with WriteRdata (compressing names) and
//    parsed again are the same records (up to the case of names).
// Any disagreement aborts, so libFuzzer reports it as a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dns/rdata.h"
#include "dns/wire/message.h"
#include "dns/wire/writer.h"

namespace {

using tether::dns::Message;
using tether::dns::Name;
using tether::dns::Rr;
using tether::dns::RrType;

[[noreturn]] void Die(const char* what, const Rr& rr, const std::string& detail) {
  std::fprintf(stderr, "%s: type %s: %s\n", what, tether::dns::RrTypeToString(rr.type).c_str(),
               detail.c_str());
  std::abort();
}

bool IsRaw(RrType type) { return type == RrType::kOpt || type == RrType::kTsig; }

void CheckPresentation(const Rr& rr) {
  std::string text = tether::dns::RdataToText(rr.type, rr.rdata);
  auto again = tether::dns::RdataFromString(rr.type, text, Name::Root());
  if (!again) Die("presentation does not parse back", rr, text + " -> " + again.error().message);
  if (*again != rr.rdata) Die("presentation round trip changed the RDATA", rr, text);
}

void CheckRewrite(const std::vector<const Rr*>& records) {
  static uint8_t buffer[65535];
  tether::dns::Writer writer(buffer, sizeof(buffer));
  writer.U16(0);  // id
  writer.U16(0);  // flags
  writer.U16(0);  // qdcount
  writer.U16(static_cast<uint16_t>(records.size()));
  writer.U16(0);
  writer.U16(0);
  for (const Rr* rr : records) {
    writer.Name(rr->owner.wire(), /*compress=*/true);
    writer.U16(tether::dns::ToU16(rr->type));
    writer.U16(rr->klass);
    writer.U32(rr->ttl);
    if (rr->rdata.empty()) {
      writer.U16(0);  // e.g. an UPDATE deletion: not RDATA of the type
    } else {
      tether::dns::WriteRdata(writer, rr->type, rr->rdata);
    }
  }
  if (!writer.ok()) return;  // compression can only shrink, but be safe
  auto reparsed = tether::dns::ParseMessage(writer.view());
  if (!reparsed) Die("rewritten message does not parse", *records[0], reparsed.error().message);
  if (reparsed->answers.size() != records.size()) Die("record count changed", *records[0], "");
  for (size_t i = 0; i < records.size(); ++i) {
    // Compression matches names case-insensitively (RFC 4343 4.1 allows the case of a
    // repeated name to be lost), so compare owners and embedded names without case.
    const Rr& a = *records[i];
    const Rr& b = reparsed->answers[i];
    std::vector<uint8_t> a_rdata = a.rdata;
    std::vector<uint8_t> b_rdata = b.rdata;
    if (!a_rdata.empty()) {
      tether::dns::CanonicalizeRdata(a.type, &a_rdata);
      tether::dns::CanonicalizeRdata(b.type, &b_rdata);
    }
    if (!a.owner.EqualsIgnoreCase(b.owner) || a.type != b.type || a.klass != b.klass ||
        a.ttl != b.ttl || a_rdata != b_rdata) {
      Die("wire round trip changed a record", a, a.owner.ToText());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto message = tether::dns::ParseMessage({data, size});
  if (!message) return 0;
  std::vector<const Rr*> records;
  for (const auto* section : {&message->answers, &message->authority, &message->additional}) {
    for (const Rr& rr : *section) {
      if (IsRaw(rr.type)) continue;
      if (!rr.rdata.empty()) {
        auto valid = tether::dns::ValidateRdata(rr.type, rr.rdata);
        if (!valid)
          Die("ParseMessage kept RDATA that ValidateRdata rejects", rr, valid.error().message);
        CheckPresentation(rr);
      }
      records.push_back(&rr);
    }
  }
  if (!records.empty() && records.size() <= 65535) CheckRewrite(records);
  return 0;
}
