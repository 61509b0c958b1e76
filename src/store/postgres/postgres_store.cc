// PostgresStore: opening, and the write methods, each a job for the committer. The read
// methods are in postgres_reads.cc, the transfer settings in transfers.cc.
#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <limits>
#include <map>

#include "store/blob_codec.h"
#include "store/commit_plan.h"
#include "store/postgres/account_store.h"
#include "store/postgres/feed.h"
#include "store/postgres/rows.h"
#include "store/postgres/schema.h"
#include "store/serial.h"
#include "store/sqlite/rows.h"

namespace tether::store::postgres {

namespace {

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr size_t kProgressEvery = 65536;

std::span<const uint8_t> AsBytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// The apex row of names leaves the SOA out: it lives in zones.soa, which every commit
// rewrites anyway, so a commit that does not touch the apex writes no apex row.
std::vector<zone::Rrset> WithoutSoa(const std::vector<zone::Rrset>& rrsets) {
  std::vector<zone::Rrset> rest;
  for (const auto& rrset : rrsets) {
    if (rrset.type != dns::RrType::kSoa) rest.push_back(rrset);
  }
  return rest;
}

}  // namespace

PostgresStore::PostgresStore(const PostgresOptions& options)
    : conninfo_(options.conninfo),
      limits_(options.journal),
      feed_limits_(options.feed),
      now_(options.now ? options.now : SystemNow),
      feed_reader_(options.conninfo) {}

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const PostgresOptions& options) {
  std::unique_ptr<PostgresStore> store(new PostgresStore(options));
  ASSIGN_OR_RETURN(Conn write_conn, Conn::Connect(options.conninfo));
  RETURN_IF_ERROR(Migrate(write_conn));
  {
    ASSIGN_OR_RETURN(Conn read_conn, Conn::Connect(options.conninfo));
    MutexLock lock(store->read_mu_);
    store->read_conn_ = std::move(read_conn);
  }
  store->committer_ = std::make_unique<Committer>(std::move(write_conn), kFeedLockSql);
  ASSIGN_OR_RETURN(store->accounts_,
                   PostgresAccountStore::Open(options.conninfo, *store->committer_,
                                              store->feed_limits_, store->now_));
  return store;
}

PostgresStore::~PostgresStore() {
  accounts_.reset();  // flushes the buffered history through the committer
  committer_.reset();
}

AccountStore& PostgresStore::accounts() { return *accounts_; }
AuditLog& PostgresStore::audit() { return *accounts_; }
TakedownStore& PostgresStore::takedowns() { return *accounts_; }
AbuseCaseStore& PostgresStore::cases() { return *accounts_; }

// ---- zones ----

Result<ZoneInfo> PostgresStore::CreateZone(const dns::Name& origin, SerialPolicy policy,
                                           const std::vector<zone::NameUpdate>& names,
                                           const std::function<void(size_t, size_t)>& progress,
                                           ZoneKind kind) {
  ZoneInfo info;
  RETURN_IF_ERROR(committer_->Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(info, CreateZoneIn(conn, origin, policy, names, progress, kind));
    return Ok();
  }));
  return info;
}

Result<ZoneInfo> PostgresStore::CreateZoneIn(Conn& conn, const dns::Name& origin_in,
                                             SerialPolicy policy,
                                             const std::vector<zone::NameUpdate>& names,
                                             const std::function<void(size_t, size_t)>& progress,
                                             ZoneKind kind) {
  const dns::Name origin = origin_in.Lowercased();
  ASSIGN_OR_RETURN(Rows existing,
                   conn.Query("SELECT 1 FROM zones WHERE origin = $1", Params().Bytes(origin.wire())));
  if (existing.size() > 0) {
    return MakeError(ErrorCode::kAlreadyExists, "zone " + origin.ToText() + " already exists");
  }

  // Check every name and find its owner key, as the SQLite store does (sqlite/writer.h).
  struct Entry {
    std::string key;
    const std::vector<zone::Rrset>* rrsets;
    const dns::Name* name;
  };
  std::deque<std::vector<zone::Rrset>> normalized;
  std::vector<Entry> entries;
  entries.reserve(names.size());
  const std::vector<zone::Rrset>* apex = nullptr;
  for (const auto& update : names) {
    const dns::Name name = update.name.Lowercased();
    if (!name.IsSubdomainOf(origin)) {
      return InvalidArgument("{} is outside zone {}", name.ToText(), origin.ToText());
    }
    const std::vector<zone::Rrset>* contents = &update.rrsets;
    if (!IsNormalized(update.rrsets)) {
      std::vector<zone::Rrset>& copy = normalized.emplace_back(update.rrsets);
      if (!zone::NormalizeRrsets(&copy)) {
        return InvalidArgument("two RRsets of one type at {}", name.ToText());
      }
      contents = &copy;
    }
    RETURN_IF_ERROR(CheckRrsetSizes(name, *contents));
    const std::span<const uint8_t> key = OwnerKey(name, origin);
    if (key.empty()) apex = contents;
    entries.push_back({std::string(key.begin(), key.end()), contents, &update.name});
  }
  if (apex == nullptr) return InvalidArgument("zone {} has no apex SOA", origin.ToText());
  auto soa = std::find_if(apex->begin(), apex->end(),
                          [](const zone::Rrset& r) { return r.type == dns::RrType::kSoa; });
  auto ns = std::find_if(apex->begin(), apex->end(),
                         [](const zone::Rrset& r) { return r.type == dns::RrType::kNs; });
  if (soa == apex->end() || soa->rdatas.size() != 1) {
    return InvalidArgument("zone {} needs exactly one apex SOA record", origin.ToText());
  }
  if (ns == apex->end()) return InvalidArgument("zone {} has no apex NS", origin.ToText());
  ASSIGN_OR_RETURN(uint32_t serial, SoaSerial(soa->rdatas.front()));
  // In key order: the B-tree is filled from one end, and duplicates are neighbours.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.key < b.key; });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i - 1].key == entries[i].key) {
      return InvalidArgument("{} is given twice", entries[i].name->ToText());
    }
  }

  ZoneInfo info;
  info.origin = origin;
  info.serial_policy = policy;
  info.serial = serial;
  info.service = kind == ZoneKind::kService;
  info.rpz = kind == ZoneKind::kRpz;
  std::vector<uint8_t> buffer;
  EncodeRrsets({*soa}, &buffer);
  // ON CONFLICT: another node may have made the zone since the check above.
  ASSIGN_OR_RETURN(Rows inserted,
                   conn.Query("INSERT INTO zones(origin, serial_policy, serial, journal_seq, soa, "
                              "service, rpz) VALUES($1, $2, $3, 0, $4, $5, $6) "
                              "ON CONFLICT (origin) DO NOTHING RETURNING id",
                              Params()
                                  .Bytes(origin.wire())
                                  .Text(SerialPolicyName(policy))
                                  .Int(serial)
                                  .Bytes(buffer)
                                  .Bool(info.service)
                                  .Bool(info.rpz)));
  if (inserted.size() != 1) {
    return MakeError(ErrorCode::kAlreadyExists, "zone " + origin.ToText() + " already exists");
  }
  Row id = inserted.At(0);
  info.id = id.Int(0);
  if (progress) progress(0, names.size());
  size_t next = 0;
  std::vector<zone::Rrset> rest;
  RETURN_IF_ERROR(conn.CopyIn(
      "COPY names(zone_id, owner, data) FROM STDIN (FORMAT binary)", [&](std::string* out) {
        while (next < entries.size()) {
          const Entry& entry = entries[next++];
          if (progress && next % kProgressEvery == 0) progress(next, names.size());
          const std::vector<zone::Rrset>* rrsets = entry.rrsets;
          if (entry.key.empty()) {
            rest = WithoutSoa(*rrsets);
            rrsets = &rest;
          }
          if (rrsets->empty()) continue;  // a name without data is no row
          EncodeRrsets(*rrsets, &buffer);
          CopyTupleStart(out, 3);
          CopyFieldInt(out, info.id);
          CopyFieldBytes(out, AsBytes(entry.key));
          CopyFieldBytes(out, buffer);
          return true;
        }
        return false;
      }));
  if (progress) progress(names.size(), names.size());
  RETURN_IF_ERROR(
      RecordChange(conn, feed_limits_, ChangeKind::kZone, info.id, origin.ToText(), now_()));
  return info;
}

Result<bool> PostgresStore::DeleteZone(const dns::Name& origin) {
  bool deleted = false;
  RETURN_IF_ERROR(committer_->Run([&](Conn& conn) -> Status {
    // Names, journal, grants, transfer settings and hosts go by ON DELETE CASCADE; the
    // other nodes hear of the zone only (they reload the accounts with it).
    const dns::Name lower = origin.Lowercased();
    ASSIGN_OR_RETURN(Rows rows, conn.Query("DELETE FROM zones WHERE origin = $1 RETURNING id",
                                           Params().Bytes(lower.wire())));
    deleted = rows.size() > 0;
    if (!deleted) return Ok();
    Row row = rows.At(0);
    const int64_t id = row.Int(0);
    if (!row.ok()) return Damaged("id of a deleted zone");
    return RecordChange(conn, feed_limits_, ChangeKind::kZone, id, lower.ToText(), now_());
  }));
  return deleted;
}

Status PostgresStore::SetAllowUpdate(int64_t zone_id, const std::vector<std::string>& cidrs) {
  ASSIGN_OR_RETURN(std::string text, sqlite::JoinCidrs(cidrs));
  return committer_->Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(Rows rows,
                     conn.Query("UPDATE zones SET allow_update = $2 WHERE id = $1 RETURNING origin",
                                Params().Int(zone_id).Text(text)));
    if (rows.size() == 0) return NotFound("no zone with id {}", zone_id);
    Row row = rows.At(0);
    ASSIGN_OR_RETURN(const dns::Name origin, NameFromColumn(row.Bytes(0)));
    return RecordChange(conn, feed_limits_, ChangeKind::kZone, zone_id, origin.ToText(), now_());
  });
}

// ---- changes ----

Result<CommitResult> PostgresStore::Commit(ZoneChange change) {
  CommitResult result;
  RETURN_IF_ERROR(committer_->Run([&](Conn& conn) -> Status {
    // A retried job (committer.h) starts again from the caller's change.
    ZoneChange copy = change;
    ASSIGN_OR_RETURN(result, CommitIn(conn, copy));
    result.names = std::move(copy.names);  // normalised by the commit
    return Ok();
  }));
  return result;
}

Result<CommitResult> PostgresStore::CommitIn(Conn& conn, ZoneChange& change) {
  // The row lock serialises commits to this zone from every node until this transaction
  // ends; the serial and journal sequence below come from the row as it is now.
  ASSIGN_OR_RETURN(Rows rows,
                   conn.Prepared("zone_for_commit",
                                 std::string("SELECT ") + kZoneColumns +
                                     ", soa FROM zones WHERE id = $1 FOR UPDATE",
                                 Params().Int(change.zone_id)));
  if (rows.size() == 0) return NotFound("no zone with id {}", change.zone_id);
  Row row = rows.At(0);
  ASSIGN_OR_RETURN(ZoneInfo zone, ZoneFromRow(row, 0));
  zone::Rrset stored_soa;
  stored_soa.type = dns::RrType::kSoa;
  if (auto soa = DecodeRrsets(row.Bytes(kZoneColumnCount));
      soa && soa->size() == 1 && soa->front().type == dns::RrType::kSoa) {
    stored_soa = std::move(soa->front());
  }
  const int64_t now = now_();
  ASSIGN_OR_RETURN(CommitResult result, PlanCommit(zone, stored_soa, change, now, kWhere));

  std::vector<uint8_t> removed;
  std::vector<uint8_t> added;
  EncodeJournalRrs(change.removed, &removed);
  EncodeJournalRrs(change.added, &added);
  // The names, written now (no fold): each name once, the last content given for it.
  std::map<std::vector<uint8_t>, std::vector<uint8_t>> contents;  // owner key -> data, '' deletes
  for (const auto& update : change.names) {
    const std::span<const uint8_t> key = OwnerKey(update.name, zone.origin);
    std::vector<uint8_t>& data = contents[std::vector<uint8_t>(key.begin(), key.end())];
    data.clear();
    const std::vector<zone::Rrset> rrsets = key.empty() ? WithoutSoa(update.rrsets) : update.rrsets;
    if (!rrsets.empty()) EncodeRrsets(rrsets, &data);
  }
  std::vector<std::span<const uint8_t>> put_owners, put_data, delete_owners;
  for (const auto& [owner, data] : contents) {
    if (data.empty()) {
      delete_owners.emplace_back(owner);
    } else {
      put_owners.emplace_back(owner);
      put_data.emplace_back(data);
    }
  }
  std::vector<uint8_t> soa_data;
  EncodeRrsets({result.soa}, &soa_data);
  // JournalLimits: a prefix of the zone's journal goes (IXFR needs an unbroken chain from
  // any entry kept to the newest), by count and by age — oldest first, up to the first
  // young entry. Both go by the primary key. (The new entry is invisible to the trim, which
  // sees the snapshot before this statement: without a young entry before it, every older
  // one is old.)
  const uint64_t seq = result.journal_seq;
  const int64_t count_bound =
      seq > limits_.max_entries ? static_cast<int64_t>(seq - limits_.max_entries) : 0;
  const int64_t cutoff = limits_.max_age_seconds > std::numeric_limits<int64_t>::max() / 2
                             ? std::numeric_limits<int64_t>::min()
                             : now - limits_.max_age_seconds;
  // One round trip for every write of the commit.
  RETURN_IF_ERROR(conn.Prepared(
      "commit_writes",
      "WITH entry AS (INSERT INTO journal(zone_id, seq, serial_from, serial_to, time, removed, "
      "added) VALUES($1, $2, $3, $4, $5, $6, $7)), "
      "put AS (INSERT INTO names(zone_id, owner, data) SELECT $1, owner, data FROM "
      "unnest($8::bytea[], $9::bytea[]) AS t(owner, data) "
      "ON CONFLICT (zone_id, owner) DO UPDATE SET data = excluded.data), "
      "gone AS (DELETE FROM names WHERE zone_id = $1 AND owner = ANY($10::bytea[])), "
      "trim AS (DELETE FROM journal WHERE zone_id = $1 AND (seq <= $11 OR seq < "
      "(SELECT coalesce(min(seq), $2) FROM journal WHERE zone_id = $1 AND time >= $12))) "
      "UPDATE zones SET serial = $4, journal_seq = $2, soa = $13 WHERE id = $1",
      Params()
          .Int(zone.id)
          .Int(static_cast<int64_t>(seq))
          .Int(result.old_serial)
          .Int(result.new_serial)
          .Int(now)
          .Bytes(removed)
          .Bytes(added)
          .BytesArray(put_owners)
          .BytesArray(put_data)
          .BytesArray(delete_owners)
          .Int(count_bound)
          .Int(cutoff)
          .Bytes(soa_data)));
  RETURN_IF_ERROR(
      RecordChange(conn, feed_limits_, ChangeKind::kJournal, zone.id, zone.origin.ToText(), now));
  return result;
}

// ---- keys ----

Status PostgresStore::AddKey(const TsigKeyInfo& key) {
  return committer_->Run([&](Conn& conn) -> Status {
    RETURN_IF_ERROR(AddKeyIn(conn, key));
    return RecordChange(conn, feed_limits_, ChangeKind::kKeys, 0, key.name.Lowercased().ToText(),
                        now_());
  });
}

Status PostgresStore::AddKeyIn(Conn& conn, const TsigKeyInfo& key) {
  const dns::Name name = key.name.Lowercased();
  if (key.algorithm.empty()) return InvalidArgument("key {} has no algorithm", name.ToText());
  ASSIGN_OR_RETURN(Rows rows, conn.Query("INSERT INTO keys(name, algorithm, secret) "
                                         "VALUES($1, $2, $3) ON CONFLICT (name) DO NOTHING",
                                         Params().Bytes(name.wire()).Text(key.algorithm).Bytes(key.secret)));
  if (rows.affected() == 0) {
    return MakeError(ErrorCode::kAlreadyExists, "key " + name.ToText() + " already exists");
  }
  for (const auto& grant : key.grants) RETURN_IF_ERROR(AddGrantIn(conn, name, grant));
  return Ok();
}

Result<bool> PostgresStore::RemoveKey(const dns::Name& name) {
  bool removed = false;
  RETURN_IF_ERROR(committer_->Run([&](Conn& conn) -> Status {
    // Its grants go by ON DELETE CASCADE.
    const dns::Name lower = name.Lowercased();
    ASSIGN_OR_RETURN(Rows rows,
                     conn.Query("DELETE FROM keys WHERE name = $1", Params().Bytes(lower.wire())));
    removed = rows.affected() > 0;
    if (!removed) return Ok();
    return RecordChange(conn, feed_limits_, ChangeKind::kKeys, 0, lower.ToText(), now_());
  }));
  return removed;
}

Status PostgresStore::AddGrant(const dns::Name& key, const KeyGrant& grant) {
  return committer_->Run([&](Conn& conn) -> Status {
    RETURN_IF_ERROR(AddGrantIn(conn, key, grant));
    return RecordChange(conn, feed_limits_, ChangeKind::kKeys, 0, key.Lowercased().ToText(),
                        now_());
  });
}

Status PostgresStore::AddGrantIn(Conn& conn, const dns::Name& key_in, const KeyGrant& grant) {
  const dns::Name key = key_in.Lowercased();
  const dns::Name zone = grant.zone.Lowercased();
  ASSIGN_OR_RETURN(Rows keys, conn.Query("SELECT 1 FROM keys WHERE name = $1", Params().Bytes(key.wire())));
  if (keys.size() == 0) return NotFound("no key {}", key.ToText());
  ASSIGN_OR_RETURN(Rows zones,
                   conn.Query("SELECT id FROM zones WHERE origin = $1", Params().Bytes(zone.wire())));
  if (zones.size() == 0) return NotFound("no zone {}", zone.ToText());
  Row zone_row = zones.At(0);
  const int64_t zone_id = zone_row.Int(0);
  dns::Name name;  // the root stands for "no name" (kZone), stored as ''
  if (grant.scope != GrantScope::kZone) {
    name = grant.name.Lowercased();
    if (!name.IsSubdomainOf(zone)) {
      return InvalidArgument("{} is not in zone {}", name.ToText(), zone.ToText());
    }
  }
  // Granting the same thing twice is not an error: the key can do what was asked.
  return conn.Exec(
      "INSERT INTO grants(key_name, zone_id, scope, name, types) VALUES($1, $2, $3, $4, $5) "
      "ON CONFLICT DO NOTHING",
      Params()
          .Bytes(key.wire())
          .Int(zone_id)
          .Text(sqlite::GrantScopeName(grant.scope))
          .Bytes(grant.scope == GrantScope::kZone ? std::span<const uint8_t>() : name.wire())
          .Text(sqlite::JoinTypes(grant.types)));
}

}  // namespace tether::store::postgres

namespace tether::store {

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<postgres::PostgresStore> store,
                   postgres::PostgresStore::Open(options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace tether::store
