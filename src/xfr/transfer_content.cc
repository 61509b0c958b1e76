#include "xfr/transfer_content.h"

#include "store/serial.h"
#include "xfr/condense.h"

namespace tether::xfr {

namespace {

void AddRrsets(RecordList& out, const dns::Name& owner, const std::vector<zone::Rrset>& rrsets,
               bool skip_soa) {
  for (const zone::Rrset& rrset : rrsets) {
    if (skip_soa && rrset.type == dns::RrType::kSoa) continue;
    for (const auto& rdata : rrset.rdatas) out.Add(owner, rrset.type, rrset.ttl, rdata);
  }
}

void AddJournalRrs(RecordList& out, const std::vector<store::JournalRr>& rrs) {
  for (const store::JournalRr& rr : rrs) out.Add(rr.owner, rr.type, rr.ttl, rr.rdata);
}

bool IsApexSoa(const store::JournalRr& rr, const dns::Name& origin) {
  return rr.type == dns::RrType::kSoa && rr.owner.EqualsIgnoreCase(origin);
}

const zone::Rrset* FindSoa(const std::vector<zone::Rrset>& apex) {
  for (const zone::Rrset& rrset : apex) {
    if (rrset.type == dns::RrType::kSoa && rrset.rdatas.size() == 1) return &rrset;
  }
  return nullptr;
}

}  // namespace

Result<RecordList> AxfrRecords(zone::Zone& zone, uint32_t* soa_serial) {
  RecordList body;
  RecordList soa;
  zone.ForEachName([&](const dns::Name& name, const std::vector<zone::Rrset>& rrsets) {
    const bool apex = name == zone.origin();
    if (apex) {
      if (const zone::Rrset* found = FindSoa(rrsets)) {
        soa.Add(name, found->type, found->ttl, found->rdatas.front());
      }
    }
    AddRrsets(body, name, rrsets, apex);
  });
  if (soa.count() != 1) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "zone " + zone.origin().ToText() + " has no apex SOA");
  }
  if (soa_serial != nullptr) {
    size_t offset = 0;
    auto serial = store::SoaSerial(soa.At(&offset).rdata);
    *soa_serial = serial ? *serial : 0;
  }
  RecordList out;
  out.Append(soa);
  out.Append(body);
  out.Append(soa);
  return out;
}

Result<RecordList> SoaRecord(zone::Zone& zone, uint32_t* soa_serial) {
  std::vector<zone::Rrset> apex = zone.Get(zone.origin());
  const zone::Rrset* soa = FindSoa(apex);
  if (soa == nullptr) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "zone " + zone.origin().ToText() + " has no apex SOA");
  }
  if (soa_serial != nullptr) {
    auto serial = store::SoaSerial(soa->rdatas.front());
    *soa_serial = serial ? *serial : 0;
  }
  RecordList out;
  out.Add(zone.origin(), soa->type, soa->ttl, soa->rdatas.front());
  return out;
}

std::optional<RecordList> IxfrRecords(const dns::Name& origin,
                                      const std::vector<store::JournalEntry>& entries,
                                      uint32_t client_serial) {
  // The last entry starting at the client's serial: a serial seen twice (a zone whose
  // serial was set back by hand) is answered from its latest occurrence.
  size_t first = entries.size();
  for (size_t i = entries.size(); i-- > 0;) {
    if (entries[i].serial_from == client_serial) {
      first = i;
      break;
    }
  }
  if (first == entries.size()) return std::nullopt;
  for (size_t i = first + 1; i < entries.size(); ++i) {
    if (entries[i].serial_from != entries[i - 1].serial_to) return std::nullopt;
  }
  // ReadJournal guarantees each part starts with its SOA (RFC 1995 4); Condense relies on it.
  for (size_t i = first; i < entries.size(); ++i) {
    for (const auto* part : {&entries[i].removed, &entries[i].added}) {
      if (part->empty() || !IsApexSoa(part->front(), origin)) return std::nullopt;
    }
  }
  // RFC 1995 5: one difference from the client's serial to ours, the net change only.
  const store::JournalEntry change = Condense(std::span(entries).subspan(first));
  const store::JournalRr& new_soa = change.added.front();
  RecordList out;
  out.Add(new_soa.owner, new_soa.type, new_soa.ttl, new_soa.rdata);
  AddJournalRrs(out, change.removed);
  AddJournalRrs(out, change.added);
  out.Add(new_soa.owner, new_soa.type, new_soa.ttl, new_soa.rdata);
  return out;
}

}  // namespace tether::xfr
