#include "update/zone_sync.h"

#include <unordered_set>
#include <utility>
#include <vector>

#include "base/hash.h"
#include "store/blob_codec.h"
#include "store/replay.h"

namespace tether::update {

namespace {

zone::Rrset ApexSoa(zone::Zone& zone) {
  for (auto& rrset : zone.Get(zone.origin())) {
    if (rrset.type == dns::RrType::kSoa) return rrset;
  }
  return {};
}

std::string Key(const dns::Name& name) {
  char buffer[dns::Name::kMaxWire];
  return std::string(name.LowercaseKey(buffer));
}

// The names `entries` touch, with the content they give them.
Result<std::vector<zone::NameUpdate>> Replayed(zone::Zone& zone, const std::vector<store::JournalEntry>& entries) {
  store::Replay replay(zone.origin().Lowercased());
  for (const auto& entry : entries) RETURN_IF_ERROR(replay.Add(entry.removed, entry.added));
  std::vector<zone::NameUpdate> names;
  for (auto& [key, delta] : replay.TakeSorted()) {
    const std::span<const uint8_t> owner(reinterpret_cast<const uint8_t*>(key.data()), key.size());
    ASSIGN_OR_RETURN(dns::Name name, store::NameFromOwnerKey(owner, zone.origin()));
    std::vector<zone::Rrset> rrsets = zone.Get(name);
    delta.ApplyTo(&rrsets);
    names.push_back({std::move(name), std::move(rrsets)});
  }
  return names;
}

// Every name of the stored zone, and a deletion for each name the zone in memory has and
// the store has not.
Result<std::vector<zone::NameUpdate>> Reloaded(store::Store& store, int64_t zone_id, zone::Zone& zone) {
  std::vector<zone::NameUpdate> names;
  RETURN_IF_ERROR(store.LoadZone(zone_id, [&](zone::NameUpdate&& update) { names.push_back(std::move(update)); }));
  StringMap<bool> stored;
  for (const auto& update : names) stored.emplace(Key(update.name), true);
  std::vector<dns::Name> gone;
  zone.ForEachName([&](const dns::Name& name, const std::vector<zone::Rrset>&) {
    if (!stored.contains(Key(name))) gone.push_back(name);
  });
  for (auto& name : gone) names.push_back({std::move(name), {}});
  return names;
}

}  // namespace

Result<Synced> SyncZone(store::Store& store, int64_t zone_id, zone::Zone& zone, uint64_t journal_seq) {
  Synced synced;
  synced.journal_seq = journal_seq;
  ASSIGN_OR_RETURN(std::optional<store::ZoneInfo> info, store.GetZone(zone.origin()));
  if (!info || info->id != zone_id) {
    return MakeError(ErrorCode::kNotFound, "zone " + zone.origin().ToText() + " is no longer in the store");
  }
  if (info->journal_seq == journal_seq) return synced;
  ASSIGN_OR_RETURN(std::vector<store::JournalEntry> entries, store.ReadJournal(zone_id, journal_seq));
  std::vector<zone::NameUpdate> names;
  if (!entries.empty() && entries.front().seq == journal_seq + 1) {
    ASSIGN_OR_RETURN(names, Replayed(zone, entries));
    synced.journal_seq = entries.back().seq;
  } else {
    // Trimmed past our sequence (or the zone went back, e.g. made again): the whole zone.
    // Its content is at least as new as `info`, which is what we then reflect.
    ASSIGN_OR_RETURN(names, Reloaded(store, zone_id, zone));
    synced.journal_seq = info->journal_seq;
    synced.full = true;
  }
  synced.names = names.size();
  RETURN_IF_ERROR(zone.Apply(std::move(names)));
  synced.changed = true;
  synced.soa = ApexSoa(zone);
  return synced;
}

}  // namespace tether::update
