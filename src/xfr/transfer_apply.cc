#include "xfr/transfer_apply.h"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>

#include "base/log.h"
#include "store/replay.h"
#include "store/serial.h"

namespace tether::xfr {

namespace {

using Content = std::vector<zone::Rrset>;

std::string Key(const dns::Name& name) {
  char buffer[dns::Name::kMaxWire];
  return std::string(name.LowercaseKey(buffer));
}

zone::Rrset* FindType(Content& rrsets, dns::RrType type) {
  for (auto& rrset : rrsets) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

uint32_t ApexSerial(zone::Zone& zone) {
  for (const auto& rrset : zone.Get(zone.origin())) {
    if (rrset.type != dns::RrType::kSoa || rrset.rdatas.empty()) continue;
    auto serial = store::SoaSerial(rrset.rdatas.front());
    if (serial) return *serial;
  }
  return 0;
}

bool IsApexSoa(const store::JournalRr& rr, const dns::Name& origin) {
  return rr.type == dns::RrType::kSoa && rr.owner.EqualsIgnoreCase(origin);
}

// Publishes `names` (the content the store now has) with the apex SOA as stored.
Status Publish(zone::Zone& zone, std::vector<zone::NameUpdate> names, const zone::Rrset& soa) {
  for (auto& update : names) {
    if (!update.name.EqualsIgnoreCase(zone.origin())) continue;
    if (zone::Rrset* stored = FindType(update.rrsets, dns::RrType::kSoa)) *stored = soa;
  }
  return zone.Apply(std::move(names));
}

// The changes of an IXFR as Commit wants them, each against the content the ones before it
// leave. Fails if a change removes a record the zone does not have.
Result<std::vector<store::ZoneChange>> PlanIncremental(int64_t zone_id, zone::Zone& zone,
                                                       const Transfer& transfer) {
  const dns::Name& origin = zone.origin();
  std::unordered_map<std::string, std::pair<dns::Name, Content>> work;
  auto content = [&](const dns::Name& name) -> Content& {
    std::string key = Key(name);
    auto it = work.find(key);
    if (it == work.end()) it = work.emplace(std::move(key), std::make_pair(name, zone.Get(name))).first;
    return it->second.second;
  };
  std::vector<store::ZoneChange> plan;
  for (const store::JournalEntry& change : transfer.changes) {
    // The content of each name this change touches, as it was before it.
    std::map<std::string, std::pair<dns::Name, Content>> before;
    auto touch = [&](const dns::Name& name) -> Content& {
      Content& now = content(name);
      before.try_emplace(Key(name), name.Lowercased(), now);
      return now;
    };
    for (const store::JournalRr& rr : change.removed) {
      if (IsApexSoa(rr, origin)) continue;
      Content& rrsets = touch(rr.owner);
      zone::Rrset* rrset = FindType(rrsets, rr.type);
      auto found = rrset ? std::find(rrset->rdatas.begin(), rrset->rdatas.end(), rr.rdata)
                         : std::vector<std::vector<uint8_t>>::iterator();
      if (rrset == nullptr || found == rrset->rdatas.end()) {
        return MakeError(ErrorCode::kFailedPrecondition,
                         fmt::format("the change to serial {} removes a {} record at {} that the "
                                     "zone does not have",
                                     change.serial_to, dns::RrTypeToString(rr.type),
                                     rr.owner.ToText()));
      }
      rrset->rdatas.erase(found);
      if (rrset->rdatas.empty()) {
        std::erase_if(rrsets, [&](const zone::Rrset& r) { return r.type == rr.type; });
      }
    }
    for (const store::JournalRr& rr : change.added) {
      Content& rrsets = touch(rr.owner);
      zone::Rrset* rrset = FindType(rrsets, rr.type);
      if (IsApexSoa(rr, origin) && rrset != nullptr) rrset->rdatas.clear();  // one SOA
      if (rrset == nullptr) {
        rrsets.push_back(zone::Rrset{rr.type, rr.ttl, {}});
        rrset = &rrsets.back();
      }
      rrset->ttl = rr.ttl;  // an added record sets its RRset's TTL (as replay.h)
      if (std::find(rrset->rdatas.begin(), rrset->rdatas.end(), rr.rdata) == rrset->rdatas.end()) {
        rrset->rdatas.push_back(rr.rdata);
      }
    }
    store::ZoneChange planned;
    planned.zone_id = zone_id;
    for (auto& [key, old] : before) {
      Content& now = content(old.first);
      if (!zone::NormalizeRrsets(&now)) return InvalidArgument("two RRsets of one type");
      store::DiffName(old.first, old.second, now, &planned.removed, &planned.added);
      planned.names.push_back({old.first, now});
    }
    plan.push_back(std::move(planned));
  }
  return plan;
}

Result<Applied> ApplyIncremental(store::Store& store, int64_t zone_id, zone::Zone& zone,
                                 const Transfer& transfer) {
  if (transfer.changes.empty() || transfer.changes.front().serial_from != ApexSerial(zone)) {
    return MakeError(ErrorCode::kFailedPrecondition, "the IXFR does not start at our serial");
  }
  ASSIGN_OR_RETURN(std::vector<store::ZoneChange> plan, PlanIncremental(zone_id, zone, transfer));
  // Commit change by change; publish what was committed, even if a later commit fails, so
  // that the zone in memory is the zone in the store.
  std::map<std::string, zone::NameUpdate> published;
  Applied applied;
  Status failed = Ok();
  for (store::ZoneChange& change : plan) {
    std::vector<zone::NameUpdate> names = change.names;
    auto committed = store.Commit(std::move(change));
    if (!committed) {
      failed = tl::unexpected(committed.error());
      break;
    }
    for (auto& update : names) published[Key(update.name)] = std::move(update);
    ++applied.commits;
    applied.serial = committed->new_serial;
    applied.soa = committed->soa;
  }
  if (applied.commits > 0) {
    std::vector<zone::NameUpdate> names;
    names.reserve(published.size());
    for (auto& [key, update] : published) names.push_back(std::move(update));
    applied.names = names.size();
    RETURN_IF_ERROR(Publish(zone, std::move(names), applied.soa));
  }
  if (!failed) return tl::unexpected(failed.error());
  return applied;
}

Result<Applied> ApplyFull(store::Store& store, int64_t zone_id, zone::Zone& zone,
                          const Transfer& transfer) {
  ASSIGN_OR_RETURN(std::vector<zone::NameUpdate> next, FullContent(zone.origin(), transfer));
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < next.size(); ++i) index.emplace(Key(next[i].name), i);
  std::vector<bool> seen(next.size(), false);
  store::ZoneChange change;
  change.zone_id = zone_id;
  zone.ForEachName([&](const dns::Name& name, const Content& rrsets) {
    auto it = index.find(Key(name));
    if (it == index.end()) {
      store::DiffName(name, rrsets, {}, &change.removed, &change.added);
      change.names.push_back({name.Lowercased(), {}});
      return;
    }
    seen[it->second] = true;
    if (rrsets == next[it->second].rrsets) return;
    store::DiffName(name, rrsets, next[it->second].rrsets, &change.removed, &change.added);
    change.names.push_back(next[it->second]);
  });
  for (size_t i = 0; i < next.size(); ++i) {
    if (seen[i]) continue;
    store::DiffName(next[i].name, {}, next[i].rrsets, &change.removed, &change.added);
    change.names.push_back(std::move(next[i]));
  }
  std::vector<zone::NameUpdate> names = change.names;
  ASSIGN_OR_RETURN(store::CommitResult committed, store.Commit(std::move(change)));
  Applied applied;
  applied.commits = 1;
  applied.serial = committed.new_serial;
  applied.soa = committed.soa;
  applied.names = names.size();
  RETURN_IF_ERROR(Publish(zone, std::move(names), applied.soa));
  return applied;
}

}  // namespace

Result<std::vector<zone::NameUpdate>> FullContent(const dns::Name& origin, const Transfer& transfer) {
  std::vector<zone::NameUpdate> names;
  std::unordered_map<std::string, size_t> index;
  auto at = [&](const dns::Name& name) -> Content& {
    auto [it, fresh] = index.emplace(Key(name), names.size());
    if (fresh) names.push_back({name.Lowercased(), {}});
    return names[it->second].rrsets;
  };
  at(origin).push_back(transfer.soa);
  size_t offset = 0;
  while (offset < transfer.records.bytes()) {
    RecordView record = transfer.records.At(&offset);
    Content& rrsets = at(dns::Name::FromValidWire(record.owner));
    zone::Rrset* rrset = FindType(rrsets, record.type);
    if (rrset == nullptr) {
      rrsets.push_back(zone::Rrset{record.type, record.ttl, {}});
      rrset = &rrsets.back();
    }
    rrset->ttl = std::min(rrset->ttl, record.ttl);
    rrset->rdatas.emplace_back(record.rdata.begin(), record.rdata.end());
  }
  bool has_ns = false;
  for (auto& update : names) {
    if (!zone::NormalizeRrsets(&update.rrsets)) return InvalidArgument("two RRsets of one type");
    if (update.name == origin) has_ns = FindType(update.rrsets, dns::RrType::kNs) != nullptr;
  }
  if (!has_ns) {
    return InvalidArgument("the transfer of {} has no NS records at the apex", origin.ToText());
  }
  return names;
}

Result<Applied> ApplyTransfer(store::Store& store, int64_t zone_id, zone::Zone& zone,
                              const Transfer& transfer) {
  if (transfer.kind == TransferKind::kIncremental) {
    return ApplyIncremental(store, zone_id, zone, transfer);
  }
  if (transfer.kind != TransferKind::kFull) return InvalidArgument("nothing to apply");
  const uint32_t current = ApexSerial(zone);
  if (!store::SerialGreater(transfer.serial, current)) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     fmt::format("the transfer's serial {} is not newer than ours ({})",
                                 transfer.serial, current));
  }
  return ApplyFull(store, zone_id, zone, transfer);
}

}  // namespace tether::xfr
