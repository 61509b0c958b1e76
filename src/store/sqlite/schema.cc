#include "store/sqlite/schema.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "store/blob_codec.h"

namespace tether::store::sqlite {

namespace {

// One migration step: the SQL that takes the schema from version `version - 1` to
// `version`, then `fill` if set (for what SQL cannot compute). Steps are only ever
// appended; a released step is never edited, because files in the field were written by it.
struct Migration {
  int64_t version;
  const char* sql;
  Status (*fill)(Db& db) = nullptr;
};

Status FillZoneSoas(Db& db);

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1, R"sql(
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value ANY
) STRICT;
CREATE TABLE zones (
  id INTEGER PRIMARY KEY,
  origin BLOB NOT NULL UNIQUE,          -- lowercase uncompressed wire form
  serial_policy TEXT NOT NULL,          -- 'increment' or 'unixtime'
  serial INTEGER NOT NULL,              -- the apex SOA serial, 0 .. 2^32-1
  journal_seq INTEGER NOT NULL,         -- seq of the last journal entry, 0 if none yet
  allow_update TEXT NOT NULL DEFAULT '' -- CIDRs separated by ','
) STRICT;
CREATE TABLE names (
  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  owner BLOB NOT NULL,                  -- wire labels below the origin ('' is the apex)
  data BLOB NOT NULL,                   -- every RRset of the name, packed
  PRIMARY KEY (zone_id, owner)
) STRICT, WITHOUT ROWID;
CREATE TABLE journal (
  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  serial_from INTEGER NOT NULL,
  serial_to INTEGER NOT NULL,
  time INTEGER NOT NULL,                -- unix seconds of the commit
  removed BLOB NOT NULL,                -- old SOA first
  added BLOB NOT NULL,                  -- new SOA first
  PRIMARY KEY (zone_id, seq)
) STRICT;
CREATE TABLE keys (
  name BLOB PRIMARY KEY,                -- lowercase wire form
  algorithm TEXT NOT NULL,
  secret BLOB NOT NULL
) STRICT;
CREATE TABLE grants (
  key_name BLOB NOT NULL REFERENCES keys(name) ON DELETE CASCADE,
  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  scope TEXT NOT NULL,                  -- 'zone', 'name', 'subtree', 'acme'
  name BLOB NOT NULL,                   -- lowercase wire form; '' for 'zone'
  types TEXT NOT NULL,                  -- mnemonics separated by ','; '' for every type
  UNIQUE (key_name, zone_id, scope, name, types)
) STRICT;
CREATE INDEX grants_by_zone ON grants(zone_id);
)sql"},
      // Journal first: a commit appends to the journal and updates the zones row only;
      // names holds each zone as of folded_seq and is brought forward by folds. Every entry
      // of an older file is already in its names.
      {2, R"sql(
ALTER TABLE zones ADD COLUMN folded_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE zones ADD COLUMN soa BLOB NOT NULL DEFAULT x'';
UPDATE zones SET folded_seq = journal_seq;
)sql",
       FillZoneSoas},
      // Accounts (store/accounts.h): users own hosts in service zones; tokens and per-host
      // credentials are stored as SHA-256 digests of their secrets.
      {3, R"sql(
ALTER TABLE zones ADD COLUMN service INTEGER NOT NULL DEFAULT 0;
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,                   -- 'user', 'abuse', 'admin'
  password_hash TEXT NOT NULL,          -- Argon2id, encoded; '' for no password login
  credential_version INTEGER NOT NULL,  -- bumped by every credential change
  created INTEGER NOT NULL,
  host_limit INTEGER NOT NULL
) STRICT;
CREATE TABLE hosts (
  id INTEGER PRIMARY KEY,
  fqdn BLOB NOT NULL UNIQUE,            -- lowercase wire form
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  lifecycle TEXT NOT NULL,              -- 'active', 'offline', 'expired'
  created INTEGER NOT NULL,
  last_update INTEGER NOT NULL
) STRICT;
CREATE INDEX hosts_by_user ON hosts(user_id);
CREATE INDEX hosts_by_zone ON hosts(zone_id);
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  digest TEXT NOT NULL UNIQUE,
  hosts TEXT NOT NULL,                  -- names separated by ','; '' for every host
  types TEXT NOT NULL,                  -- mnemonics separated by ','; '' for every type
  networks TEXT NOT NULL,               -- CIDRs separated by ','; '' for anywhere
  expires INTEGER NOT NULL,             -- 0: never
  created INTEGER NOT NULL,
  revoked INTEGER NOT NULL
) STRICT;
CREATE TABLE host_credentials (
  id INTEGER PRIMARY KEY,
  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  username TEXT NOT NULL UNIQUE,
  digest TEXT NOT NULL,
  created INTEGER NOT NULL
) STRICT;
CREATE TABLE history (
  id INTEGER PRIMARY KEY,
  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  time INTEGER NOT NULL,
  source TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  credential TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  result TEXT NOT NULL
) STRICT;
CREATE INDEX history_by_host ON history(host_id, time);
CREATE INDEX history_by_time ON history(time);
)sql"},
      // Zone transfers (xfr/): secondaries (NOTIFY targets allowed to transfer) and the
      // keys and networks allowed to transfer a zone.
      {4, R"sql(
CREATE TABLE transfer_peers (
  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,                   -- 'secondary', 'key' or 'address'
  value TEXT NOT NULL,                  -- ADDR:PORT, key name (absolute, lowercase) or CIDR
  key_name TEXT NOT NULL DEFAULT '',    -- 'secondary': its key, '' for none
  PRIMARY KEY (zone_id, kind, value)
) STRICT;
)sql"},
      // Secondary zones (xfr/secondary.h): the primaries a zone is transferred from.
      {5, R"sql(
CREATE TABLE primaries (
  zone_id INTEGER PRIMARY KEY REFERENCES zones(id) ON DELETE CASCADE,
  addresses TEXT NOT NULL,            -- ADDR:PORT, comma-separated, in the order tried
  key_name TEXT NOT NULL DEFAULT '',  -- absolute, lowercase; '' for none
  refreshed INTEGER NOT NULL DEFAULT 0
) STRICT;
)sql"},
      // The audit log (store/audit.h): append-only, hash-chained.
      {6, R"sql(
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,            -- 1, 2, ... gap-free
  time INTEGER NOT NULL,              -- unix seconds
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  reference TEXT NOT NULL,
  names TEXT NOT NULL,                -- absolute lower-case FQDNs, one per line
  serial_before INTEGER NOT NULL,     -- 0 when not applicable
  serial_after INTEGER NOT NULL,
  prev_hash TEXT NOT NULL,            -- hex SHA-256; 64 zeros for seq 1
  hash TEXT NOT NULL                  -- store::AuditHash
) STRICT;
)sql"},
      // A host's abuse state (store/accounts.h AbuseState), separate from its lifecycle.
      {7, R"sql(
ALTER TABLE hosts ADD COLUMN abuse_state TEXT NOT NULL DEFAULT 'none';  -- 'none', 'watch', 'frozen'
ALTER TABLE hosts ADD COLUMN abuse_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE hosts ADD COLUMN abuse_since INTEGER NOT NULL DEFAULT 0;     -- unix seconds; 0: never set
)sql"},
      // Takedown previews and orders (store/takedowns.h), and the action and order of an
      // enforced host.
      {8, R"sql(
ALTER TABLE hosts ADD COLUMN abuse_action TEXT NOT NULL DEFAULT '';     -- '' unless 'enforced'
ALTER TABLE hosts ADD COLUMN abuse_order INTEGER NOT NULL DEFAULT 0;    -- takedowns.id; 0: none
CREATE TABLE takedowns (
  id INTEGER PRIMARY KEY,
  status TEXT NOT NULL,                 -- 'preview', 'applying', 'applied', 'restoring', 'restored'
  preview_id INTEGER NOT NULL,          -- an order's preview; 0 for a preview
  created INTEGER NOT NULL,             -- unix seconds
  author TEXT NOT NULL,
  approver TEXT NOT NULL,
  action TEXT NOT NULL,                 -- 'nxdomain', 'nodata', 'sinkhole', 'delegated'
  ns TEXT NOT NULL,                     -- name servers, one per line
  reason TEXT NOT NULL,
  reference TEXT NOT NULL,
  expires INTEGER NOT NULL,             -- unix seconds; 0: never
  forced INTEGER NOT NULL,              -- 0 or 1
  names TEXT NOT NULL,                  -- one per line
  report TEXT NOT NULL,
  snapshot TEXT NOT NULL,               -- the records before the order, master-file text
  serials TEXT NOT NULL,
  applied INTEGER NOT NULL,
  restored INTEGER NOT NULL
) STRICT;
)sql"},
      // Response policy zones (store.h ZoneKind::kRpz), kept from the takedown orders.
      {9, R"sql(
ALTER TABLE zones ADD COLUMN rpz INTEGER NOT NULL DEFAULT 0;
)sql"},
      // The abuse desk's cases and appeals (store/abuse_cases.h).
      {10, R"sql(
CREATE TABLE abuse_cases (
  id INTEGER PRIMARY KEY,
  created INTEGER NOT NULL,             -- unix seconds
  name TEXT NOT NULL,                   -- the reported name, absolute, lower-case
  category TEXT NOT NULL,
  evidence TEXT NOT NULL,
  contact TEXT NOT NULL,
  source TEXT NOT NULL,                 -- the reporter's address
  state TEXT NOT NULL,                  -- 'open', 'acting', 'closed'
  note TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated INTEGER NOT NULL              -- unix seconds; 0: never
) STRICT;
CREATE INDEX abuse_cases_state ON abuse_cases(state);
CREATE TABLE appeals (
  id INTEGER PRIMARY KEY,
  created INTEGER NOT NULL,             -- unix seconds
  name TEXT NOT NULL,                   -- the host, absolute, lower-case
  user_id INTEGER NOT NULL,             -- its owner when filed
  text TEXT NOT NULL,
  host_state TEXT NOT NULL,             -- 'enforced' or 'frozen' when filed
  order_id INTEGER NOT NULL,            -- takedowns.id enforcing it when filed; 0: none
  decision TEXT NOT NULL,               -- 'pending', 'reversed', 'upheld'
  note TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided INTEGER NOT NULL              -- unix seconds; 0: pending
) STRICT;
CREATE INDEX appeals_user ON appeals(user_id);
)sql"},
      // A host's abuse state moves to a table of its own, with a row only for a host that
      // ever had one: a takedown of 20,000 hosts then writes a few pages of it, where the
      // hosts columns had it write most pages of a table of millions of rows.
      {11, R"sql(
CREATE TABLE host_abuse (
  host_id INTEGER PRIMARY KEY REFERENCES hosts(id) ON DELETE CASCADE,
  state TEXT NOT NULL,                  -- 'none', 'watch', 'frozen', 'enforced'
  reason TEXT NOT NULL,
  since INTEGER NOT NULL,               -- unix seconds the state was set
  action TEXT NOT NULL,                 -- '' unless 'enforced'
  order_id INTEGER NOT NULL             -- takedowns.id; 0: none
) STRICT;
INSERT INTO host_abuse SELECT id, abuse_state, abuse_reason, abuse_since, abuse_action, abuse_order FROM hosts
  WHERE abuse_state != 'none' OR abuse_since != 0;
ALTER TABLE hosts DROP COLUMN abuse_state;
ALTER TABLE hosts DROP COLUMN abuse_reason;
ALTER TABLE hosts DROP COLUMN abuse_since;
ALTER TABLE hosts DROP COLUMN abuse_action;
ALTER TABLE hosts DROP COLUMN abuse_order;
)sql"},
      // An order's snapshot in a table of its own: SQLite rewrites a whole row on any
      // update, and an order's status changes at every step while its snapshot (megabytes
      // for a large order) is written once.
      {12, R"sql(
CREATE TABLE takedown_snapshots (
  takedown_id INTEGER PRIMARY KEY REFERENCES takedowns(id) ON DELETE CASCADE,
  snapshot TEXT NOT NULL                -- the records before the order, master-file text
) STRICT;
INSERT INTO takedown_snapshots SELECT id, snapshot FROM takedowns WHERE snapshot != '';
ALTER TABLE takedowns DROP COLUMN snapshot;
)sql"},
      // Retention finds old history rows by id (entries are appended in time order:
      // SqliteAccountStore::TrimHistory) instead of by an index on time, which cost every
      // entry a B-tree insert.
      {13, R"sql(
DROP INDEX IF EXISTS history_by_time;
)sql"},
      // A host's history as a chain instead of an index: each entry names the host's
      // previous one (`prev`) and history_heads the newest, so that an entry is appended
      // at the end of the table and a host's head is one small row, where the index on
      // (host_id, time) cost every entry an insert into a random leaf — under a stream of
      // updates a leaf per host per flush, and more the longer the history grew (changing
      // requests per CPU-s fell by a sixth within 45 s; bench/README.md). A host's history
      // is read by walking its chain (SqliteAccountStore::ReadHistory). Without the index
      // a foreign key from history to hosts could not cascade cheaply: removing a host
      // queues its head in history_purge (the trigger fires for cascades from users and
      // zones too), and the store deletes the chain in the same transaction
      // (Writer::PurgeHistory).
      {14, R"sql(
CREATE TABLE history_chained (
  id INTEGER PRIMARY KEY,
  host_id INTEGER NOT NULL,
  prev INTEGER,                       -- the host's previous entry; NULL: none
  time INTEGER NOT NULL,
  source TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  credential TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  result TEXT NOT NULL
) STRICT;
INSERT INTO history_chained
  SELECT id, host_id, lag(id) OVER (PARTITION BY host_id ORDER BY id), time, source, user_agent,
         credential, old_value, new_value, result
  FROM history ORDER BY id;
CREATE TABLE IF NOT EXISTS history_heads (
  host_id INTEGER PRIMARY KEY,        -- no foreign key: the trigger below removes the row
  head INTEGER NOT NULL               -- the host's newest entry
) STRICT;
INSERT OR REPLACE INTO history_heads SELECT host_id, max(id) FROM history GROUP BY host_id;
CREATE TABLE IF NOT EXISTS history_purge (
  host_id INTEGER NOT NULL,           -- a removed host
  head INTEGER NOT NULL               -- its newest entry
) STRICT;
DROP TABLE history;
ALTER TABLE history_chained RENAME TO history;
CREATE TRIGGER IF NOT EXISTS history_of_removed_host AFTER DELETE ON hosts BEGIN
  INSERT INTO history_purge(host_id, head) SELECT host_id, head FROM history_heads WHERE host_id = OLD.id;
  DELETE FROM history_heads WHERE host_id = OLD.id;
END;
)sql"},
      // An account's, host's, token's or host credential's id is never given to another, as
      // PostgreSQL's sequences never give one twice. SQLite's rowid is max(id) + 1, so the
      // next row took a removed newest row's id and, with it, what was still keyed by the
      // old id: a re-created account of the same name passed with the removed account's
      // cached password proof (same id, same credential version) until the proof expired;
      // a new host received the history entries queued for a removed one (another user's
      // sources and agents in its history). Each insert takes the id after its table's
      // floor; a trigger keeps the floor at the greatest id ever inserted.
      {15, R"sql(
INSERT OR REPLACE INTO meta(key, value) VALUES
  ('users_id_floor', (SELECT coalesce(max(id), 0) FROM users)),
  ('hosts_id_floor', (SELECT coalesce(max(id), 0) FROM hosts)),
  ('tokens_id_floor', (SELECT coalesce(max(id), 0) FROM tokens)),
  ('host_credentials_id_floor', (SELECT coalesce(max(id), 0) FROM host_credentials));
CREATE TRIGGER IF NOT EXISTS users_id_floor AFTER INSERT ON users BEGIN
  UPDATE meta SET value = NEW.id WHERE key = 'users_id_floor' AND value < NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS hosts_id_floor AFTER INSERT ON hosts BEGIN
  UPDATE meta SET value = NEW.id WHERE key = 'hosts_id_floor' AND value < NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS tokens_id_floor AFTER INSERT ON tokens BEGIN
  UPDATE meta SET value = NEW.id WHERE key = 'tokens_id_floor' AND value < NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS host_credentials_id_floor AFTER INSERT ON host_credentials BEGIN
  UPDATE meta SET value = NEW.id WHERE key = 'host_credentials_id_floor' AND value < NEW.id;
END;
)sql"},
  };
  return migrations;
}

// zones.soa from each apex row. A zone whose apex has no usable SOA keeps x'', which
// Commit reports as damage, as it reported the apex before.
Status FillZoneSoas(Db& db) {
  ASSIGN_OR_RETURN(Statement apexes, db.Prepare("SELECT z.id, n.data FROM zones z JOIN names n "
                                                "ON n.zone_id = z.id AND n.owner = x''"));
  ASSIGN_OR_RETURN(Statement set, db.Prepare("UPDATE zones SET soa = ?2 WHERE id = ?1"));
  std::vector<uint8_t> blob;
  while (true) {
    ASSIGN_OR_RETURN(bool row, apexes.Step());
    if (!row) break;
    auto rrsets = DecodeRrsets(apexes.Blob(1));
    if (!rrsets) continue;
    for (const zone::Rrset& rrset : *rrsets) {
      if (rrset.type != dns::RrType::kSoa || rrset.rdatas.size() != 1) continue;
      EncodeRrsets({rrset}, &blob);
      ResetOnExit reset(set);
      set.Bind(1, apexes.Int(0));
      set.BindStatic(2, blob);
      RETURN_IF_ERROR(set.Run());
    }
  }
  return Ok();
}

Error FileError(const std::string& path, const std::string& what) {
  return Error{ErrorCode::kIo, path + ": " + what};
}

// Creates the file with mode 0600 before SQLite opens it: SQLite would create it with
// 0644 (less the umask), and the store holds TSIG secrets. SQLite gives the -wal and -shm
// files the mode of the database file, and syncs the directory entry of the WAL, but not
// of a database file it did not create: without the directory fsync here, a power loss
// could take the new file, and with it changes already acknowledged.
Status CreateIfMissing(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Ok();
    return tl::unexpected(FileError(path, std::string("cannot create: ") + std::strerror(errno)));
  }
  ::close(fd);
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0 || ::fsync(dir_fd) != 0) {
    const int error = errno;
    if (dir_fd >= 0) ::close(dir_fd);
    return tl::unexpected(
        FileError(dir, std::string("cannot sync directory: ") + std::strerror(error)));
  }
  ::close(dir_fd);
  return Ok();
}

// Settings of every connection; they are per connection, not stored in the file.
Status Configure(Db& db) {
  // Writers are serialised in this process; the timeout covers a reader racing a
  // checkpoint and another process (the sqlite3 shell) holding a lock briefly.
  RETURN_IF_ERROR(db.Exec("PRAGMA busy_timeout = 5000"));
  RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  // An acknowledged change must survive power loss: fsync the WAL at every commit.
  RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
  // 64 MiB of page cache: a 5M-name zone's B-tree interior pages stay cached.
  RETURN_IF_ERROR(db.Exec("PRAGMA cache_size = -65536"));
  return Ok();
}

Result<int64_t> SchemaVersion(Db& db) {
  ASSIGN_OR_RETURN(int64_t has_meta,
                   db.QueryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'meta'"));
  if (has_meta == 0) return 0;
  return db.QueryInt("SELECT value FROM meta WHERE key = 'schema_version'");
}

Status Migrate(Db& db) {
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  auto migrated = [&]() -> Status {
    ASSIGN_OR_RETURN(int64_t version, SchemaVersion(db));
    if (version > LatestSchemaVersion()) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       fmt::format("{} was written by a newer Tether (schema {} > {})", db.path(),
                                   version, LatestSchemaVersion()));
    }
    if (version == LatestSchemaVersion()) return Ok();
    if (version == 0) {
      RETURN_IF_ERROR(db.Exec(fmt::format("PRAGMA application_id = {}", kApplicationId).c_str()));
    }
    for (const Migration& step : Migrations()) {
      if (step.version <= version) continue;
      RETURN_IF_ERROR(db.Exec(step.sql));
      if (step.fill != nullptr) RETURN_IF_ERROR(step.fill(db));
    }
    ASSIGN_OR_RETURN(Statement set,
                     db.Prepare("INSERT INTO meta(key, value) VALUES('schema_version', ?1) "
                                "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    set.Bind(1, LatestSchemaVersion());
    return set.Run();
  }();
  if (!migrated) {
    (void)db.Exec("ROLLBACK");
    return migrated;
  }
  return db.Exec("COMMIT");
}

}  // namespace

int64_t LatestSchemaVersion() { return Migrations().back().version; }

Result<Db> OpenWriteConnection(const std::string& path, int64_t quick_check_max_bytes) {
  RETURN_IF_ERROR(CreateIfMissing(path));
  ASSIGN_OR_RETURN(Db db, Db::Open(path, /*read_only=*/false));

  // The first read of the header tells a database from anything else.
  auto application_id = db.QueryInt("PRAGMA application_id");
  auto page_count = db.QueryInt("PRAGMA page_count");
  if (!application_id || !page_count) {
    std::string reason = (application_id ? page_count : application_id).error().message;
    if (size_t colon = reason.rfind(": "); colon != std::string::npos) reason.erase(0, colon + 2);
    return tl::unexpected(
        FileError(path, "not a Tether store (not an SQLite database, or damaged): " + reason));
  }
  const bool fresh = *page_count == 0;
  if (!fresh && *application_id != kApplicationId) {
    return tl::unexpected(FileError(
        path, fmt::format("an SQLite database but not a Tether store (application_id {:#x})",
                          *application_id)));
  }
  if (fresh) {
    // Must precede the first write. Updates rewrite one random leaf page per changed name,
    // so small pages make each durable update cheaper; 2 KiB keeps a full scan (LoadZone)
    // fast enough (measured: bench/store_load).
    RETURN_IF_ERROR(db.Exec("PRAGMA page_size = 2048"));
  }
  ASSIGN_OR_RETURN(std::string mode, db.QueryText("PRAGMA journal_mode = WAL"));
  if (mode != "wal") {
    return tl::unexpected(FileError(path, "cannot use WAL mode (journal_mode is " + mode + ")"));
  }
  RETURN_IF_ERROR(Configure(db));
  // After a checkpoint, shrink a WAL grown by a large import instead of keeping it.
  RETURN_IF_ERROR(db.Exec("PRAGMA journal_size_limit = 67108864"));
  ASSIGN_OR_RETURN(int64_t page_size, db.QueryInt("PRAGMA page_size"));
  if (*page_count * page_size <= quick_check_max_bytes) {
    ASSIGN_OR_RETURN(std::string check, db.QueryText("PRAGMA quick_check(1)"));
    if (check != "ok") {
      std::replace(check.begin(), check.end(), '\n', ' ');
      return tl::unexpected(FileError(path, "damaged (PRAGMA quick_check: " + check + ")"));
    }
  }
  RETURN_IF_ERROR(Migrate(db));
  return db;
}

Result<Db> OpenReadConnection(const std::string& path) {
  ASSIGN_OR_RETURN(Db db, Db::Open(path, /*read_only=*/false));
  RETURN_IF_ERROR(Configure(db));
  // A second line of defence: this connection is for reads only.
  RETURN_IF_ERROR(db.Exec("PRAGMA query_only = ON"));
  return db;
}

}  // namespace tether::store::sqlite
