// Writing a zone in master-file form (RFC 1035 5.1), in the order and spelling that
// named-checkzone and kzonecheck accept: $ORIGIN, the SOA first, then every name in
// canonical order (RFC 4034 6.1), one record per line with absolute owner names.
#include <algorithm>
#include <utility>

#include "dns/rdata.h"
#include "zone/master_file.h"

namespace tether::zone {
namespace {

constexpr size_t kFlushBytes = 1 << 16;

}  // namespace

void AppendMasterRecord(const std::string& owner, const Rrset& rrset, std::span<const uint8_t> rdata,
                        std::string* out) {
  out->append(owner);
  out->push_back('\t');
  out->append(std::to_string(rrset.ttl));
  out->append("\tIN\t");
  out->append(dns::RrTypeToString(rrset.type));
  out->push_back('\t');
  out->append(dns::RdataToText(rrset.type, rdata));
  out->push_back('\n');
}

Status WriteMasterFile(Zone& zone, std::ostream& out) {
  std::vector<std::pair<dns::Name, std::vector<Rrset>>> names;
  zone.ForEachName([&](const dns::Name& name, const std::vector<Rrset>& rrsets) {
    names.emplace_back(name, rrsets);
  });
  // The apex sorts first: every other name of the zone is below it.
  std::sort(names.begin(), names.end(),
            [](const auto& a, const auto& b) { return a.first.CanonicalCompare(b.first) < 0; });

  std::string buffer = "$ORIGIN " + zone.origin().ToText() + "\n";
  for (const auto& [name, rrsets] : names) {
    const std::string owner = name.ToText();
    // RFC 1035 5.2: the SOA comes first (it is the first record of a transfer too).
    for (const Rrset& rrset : rrsets) {
      if (rrset.type != dns::RrType::kSoa) continue;
      for (const auto& rdata : rrset.rdatas) AppendMasterRecord(owner, rrset, rdata, &buffer);
    }
    for (const Rrset& rrset : rrsets) {
      if (rrset.type == dns::RrType::kSoa) continue;
      for (const auto& rdata : rrset.rdatas) AppendMasterRecord(owner, rrset, rdata, &buffer);
    }
    if (buffer.size() >= kFlushBytes) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  out.flush();
  if (!out) return IoError("writing the master file of {} failed", zone.origin().ToText());
  return Ok();
}

}  // namespace tether::zone
