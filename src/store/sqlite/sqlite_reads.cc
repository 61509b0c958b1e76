// SqliteStore: the read methods (sqlite_store.h). Everything read back is parsed as
// untrusted; a damaged row fails the call with a message naming the file.
#include <cstring>
#include <limits>
#include <map>

#include "store/blob_codec.h"
#include "store/replay.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_store.h"

namespace tether::store::sqlite {

namespace {

// A read transaction, so that several SELECTs see one snapshot of the WAL. Ends (never
// writes) when it goes out of scope.
class ReadTransaction {
 public:
  explicit ReadTransaction(Db& db) : db_(db) {}
  ~ReadTransaction() {
    if (db_.InTransaction()) (void)db_.Exec("COMMIT");
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  Status Begin() { return db_.Exec("BEGIN"); }

 private:
  Db& db_;
};

// memcmp order, as SQLite compares BLOBs: <0, 0 or >0.
int CompareKeys(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  const size_t common = std::min(a.size(), b.size());
  const int cmp = common == 0 ? 0 : std::memcmp(a.data(), b.data(), common);
  if (cmp != 0) return cmp;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

}  // namespace

Status SqliteStore::PrepareReads() {
  MutexLock lock(read_mu_);
  const std::string zones = std::string("SELECT ") + kZoneColumns + " FROM zones";
  ASSIGN_OR_RETURN(reads_.list_zones, read_db_.Prepare(zones + " ORDER BY origin"));
  ASSIGN_OR_RETURN(reads_.zone_by_origin, read_db_.Prepare(zones + " WHERE origin = ?1"));
  ASSIGN_OR_RETURN(reads_.journal,
                   read_db_.Prepare("SELECT seq, serial_from, serial_to, time, removed, added "
                                    "FROM journal WHERE zone_id = ?1 AND seq > ?2 ORDER BY seq"));
  ASSIGN_OR_RETURN(reads_.list_keys,
                   read_db_.Prepare("SELECT name, algorithm, secret FROM keys ORDER BY name"));
  ASSIGN_OR_RETURN(reads_.list_grants,
                   read_db_.Prepare("SELECT g.key_name, z.origin, g.scope, g.name, g.types "
                                    "FROM grants g JOIN zones z ON z.id = g.zone_id "
                                    "ORDER BY g.rowid"));
  return Ok();
}

Result<std::vector<ZoneInfo>> SqliteStore::ListZones() {
  MutexLock lock(read_mu_);
  ResetOnExit reset(reads_.list_zones);
  std::vector<ZoneInfo> zones;
  while (true) {
    ASSIGN_OR_RETURN(bool row, reads_.list_zones.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(ZoneInfo info, ZoneFromRow(reads_.list_zones, 0, path_));
    zones.push_back(std::move(info));
  }
  return zones;
}

Result<std::optional<ZoneInfo>> SqliteStore::GetZone(const dns::Name& origin) {
  const dns::Name lower = origin.Lowercased();
  MutexLock lock(read_mu_);
  ResetOnExit reset(reads_.zone_by_origin);
  reads_.zone_by_origin.BindStatic(1, lower.wire());
  ASSIGN_OR_RETURN(bool row, reads_.zone_by_origin.Step());
  if (!row) return std::optional<ZoneInfo>();
  ASSIGN_OR_RETURN(ZoneInfo info, ZoneFromRow(reads_.zone_by_origin, 0, path_));
  return std::optional<ZoneInfo>(std::move(info));
}

Status SqliteStore::LoadZone(int64_t zone_id, const std::function<void(zone::NameUpdate&&)>& sink) {
  ASSIGN_OR_RETURN(Db db, OpenReadConnection(path_));
  // No mmap_size here, although it makes the scan ~5% faster: with the file mapped, an I/O
  // error or a file truncated underneath would be SIGBUS instead of an error value.
  // One snapshot: a fold committing meanwhile must not be seen half (rows and folded_seq).
  ReadTransaction transaction(db);
  RETURN_IF_ERROR(transaction.Begin());
  ASSIGN_OR_RETURN(Statement zone,
                   db.Prepare("SELECT origin, folded_seq FROM zones WHERE id = ?1"));
  zone.Bind(1, zone_id);
  ASSIGN_OR_RETURN(bool found, zone.Step());
  if (!found) return NotFound("no zone with id {}", zone_id);
  ASSIGN_OR_RETURN(const dns::Name origin, NameFromColumn(zone.Blob(0), path_));
  const int64_t folded_seq = zone.Int(1);
  zone.Reset();

  // The entries the names rows may not reflect yet, as one net change per name.
  Replay replay(origin);
  {
    ASSIGN_OR_RETURN(Statement journal,
                     db.Prepare("SELECT seq, removed, added FROM journal WHERE zone_id = ?1 AND "
                                "seq > ?2 ORDER BY seq"));
    journal.Bind(1, zone_id);
    journal.Bind(2, folded_seq);
    int64_t expected = folded_seq + 1;
    while (true) {
      ASSIGN_OR_RETURN(bool row, journal.Step());
      if (!row) break;
      auto removed = DecodeJournalRrs(journal.Blob(1));
      auto added = DecodeJournalRrs(journal.Blob(2));
      // Entries after folded_seq are never trimmed: a gap is damage, as is a bad entry.
      if (journal.Int(0) != expected++ || !removed || !added || !replay.Add(*removed, *added)) {
        return DamagedRow(path_,
                          fmt::format("journal entry {} of {}", expected - 1, origin.ToText()));
      }
    }
  }
  const std::vector<std::pair<std::string, NameDelta>> deltas = replay.TakeSorted();
  size_t next = 0;  // deltas[next] is the first not applied yet
  auto key_of = [](const std::string& key) {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(key.data()), key.size());
  };
  // A name only the journal knows of.
  auto emit_new = [&](const std::pair<std::string, NameDelta>& delta) {
    std::vector<zone::Rrset> rrsets;
    delta.second.ApplyTo(&rrsets);
    if (rrsets.empty()) return;
    // Owner keys made by Replay::Add from valid names under `origin`.
    sink(zone::NameUpdate{*NameFromOwnerKey(key_of(delta.first), origin), std::move(rrsets)});
  };

  // In key order, as the deltas are sorted, so that both are walked together.
  ASSIGN_OR_RETURN(Statement names, db.Prepare("SELECT owner, data FROM names WHERE zone_id = ?1 "
                                               "ORDER BY owner"));
  names.Bind(1, zone_id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, names.Step());
    if (!row) break;
    const std::span<const uint8_t> owner = names.Blob(0);
    const NameDelta* delta = nullptr;
    while (next < deltas.size()) {
      const int order = CompareKeys(key_of(deltas[next].first), owner);
      if (order > 0) break;
      if (order == 0) {
        delta = &deltas[next++].second;
        break;
      }
      emit_new(deltas[next++]);
    }
    auto name = NameFromOwnerKey(owner, origin);
    if (!name) return DamagedRow(path_, "owner name in zone " + origin.ToText());
    auto rrsets = DecodeRrsets(names.Blob(1));
    if (!rrsets) return DamagedRow(path_, "data of " + name->ToText());
    if (delta != nullptr) {
      delta->ApplyTo(&*rrsets);
      if (rrsets->empty()) continue;
    }
    sink(zone::NameUpdate{std::move(*name), std::move(*rrsets)});
  }
  while (next < deltas.size()) emit_new(deltas[next++]);
  return Ok();
}

Result<std::vector<JournalEntry>> SqliteStore::ReadJournal(int64_t zone_id, uint64_t after_seq) {
  MutexLock lock(read_mu_);
  Statement& query = reads_.journal;
  ResetOnExit reset(query);
  query.Bind(1, zone_id);
  query.Bind(
      2, static_cast<int64_t>(std::min<uint64_t>(after_seq, std::numeric_limits<int64_t>::max())));
  std::vector<JournalEntry> entries;
  while (true) {
    ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    JournalEntry& entry = entries.emplace_back();
    const int64_t seq = query.Int(0);
    const int64_t from = query.Int(1);
    const int64_t to = query.Int(2);
    if (seq <= 0 || from < 0 || from > int64_t{UINT32_MAX} || to < 0 || to > int64_t{UINT32_MAX}) {
      return DamagedRow(path_, "journal entry");
    }
    entry.seq = static_cast<uint64_t>(seq);
    entry.serial_from = static_cast<uint32_t>(from);
    entry.serial_to = static_cast<uint32_t>(to);
    entry.time = query.Int(3);
    auto removed = DecodeJournalRrs(query.Blob(4));
    auto added = DecodeJournalRrs(query.Blob(5));
    // RFC 1995 4: each part starts with an SOA; without it the entry cannot be sent.
    if (!removed || !added || removed->empty() || added->empty() ||
        removed->front().type != dns::RrType::kSoa || added->front().type != dns::RrType::kSoa) {
      return DamagedRow(path_, fmt::format("journal entry {}", seq));
    }
    entry.removed = std::move(*removed);
    entry.added = std::move(*added);
  }
  return entries;
}

Result<std::vector<TsigKeyInfo>> SqliteStore::ListKeys() {
  MutexLock lock(read_mu_);
  ReadTransaction transaction(read_db_);
  RETURN_IF_ERROR(transaction.Begin());
  std::vector<TsigKeyInfo> keys;
  std::map<std::string, size_t> by_name;  // wire form -> index in keys
  {
    ResetOnExit reset(reads_.list_keys);
    while (true) {
      ASSIGN_OR_RETURN(bool row, reads_.list_keys.Step());
      if (!row) break;
      TsigKeyInfo& key = keys.emplace_back();
      ASSIGN_OR_RETURN(key.name, NameFromColumn(reads_.list_keys.Blob(0), path_));
      key.algorithm = std::string(reads_.list_keys.Text(1));
      std::span<const uint8_t> secret = reads_.list_keys.Blob(2);
      key.secret.assign(secret.begin(), secret.end());
      const auto wire = key.name.wire();
      by_name[std::string(wire.begin(), wire.end())] = keys.size() - 1;
    }
  }
  ResetOnExit reset(reads_.list_grants);
  Statement& grants = reads_.list_grants;
  while (true) {
    ASSIGN_OR_RETURN(bool row, grants.Step());
    if (!row) break;
    const auto key_wire = grants.Blob(0);
    auto key = by_name.find(std::string(key_wire.begin(), key_wire.end()));
    auto scope = GrantScopeFromName(grants.Text(2));
    auto types = SplitTypes(grants.Text(4));
    if (key == by_name.end() || !scope || !types) return DamagedRow(path_, "key grant");
    KeyGrant grant;
    ASSIGN_OR_RETURN(grant.zone, NameFromColumn(grants.Blob(1), path_));
    grant.scope = *scope;
    if (*scope != GrantScope::kZone) {
      ASSIGN_OR_RETURN(grant.name, NameFromColumn(grants.Blob(3), path_));
    }
    grant.types = std::move(*types);
    keys[key->second].grants.push_back(std::move(grant));
  }
  return keys;
}

}  // namespace tether::store::sqlite
