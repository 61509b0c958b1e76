// Store: the durable source of truth for everything dynamic — zones and their names, TSIG
// keys and their grants, per-zone settings, and the change journal. The in-memory zones
// are loaded from it at start and follow it; nothing on the query path reads it.
//
// Durability: every call that changes data returns only after its transaction is durable
// (SQLite: WAL with synchronous=FULL). Commit() calls from many threads are grouped into
// one transaction (group commit), so concurrent updates share one fsync. The zone's SOA
// serial and the journal sequence are allocated inside that transaction, from the stored
// values, so several nodes on one database (PostgreSQL, later) never disagree.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/rr_type.h"
#include "zone/rrset.h"
#include "store/abuse_cases.h"
#include "store/accounts.h"
#include "store/audit.h"
#include "store/takedowns.h"
#include "zone/zone.h"

namespace tether::store {

// How a zone's SOA serial moves on each change (RFC 1982 arithmetic either way).
enum class SerialPolicy {
  kIncrement,  // serial + 1
  kUnixTime,   // max(now in seconds, serial + 1)
};
const char* SerialPolicyName(SerialPolicy policy);
std::optional<SerialPolicy> SerialPolicyFromName(std::string_view name);

// What a zone is for: plain (records only), a service zone (users register hosts in it,
// store/accounts.h) or a response policy zone (RPZ) kept from the takedown orders in
// force (abuse/takedown.h).
enum class ZoneKind { kPlain, kService, kRpz };

struct ZoneInfo {
  int64_t id = 0;
  dns::Name origin;  // lowercase
  SerialPolicy serial_policy = SerialPolicy::kIncrement;
  uint32_t serial = 0;                    // the current SOA serial
  uint64_t journal_seq = 0;               // sequence of the last journal entry (0: none)
  std::vector<std::string> allow_update;  // CIDRs allowed to send unsigned UPDATEs
  bool service = false;                   // users register hosts in it (store/accounts.h)
  bool rpz = false;                       // a response policy zone (ZoneKind::kRpz)
};

// One resource record of a journal diff.
struct JournalRr {
  dns::Name owner;
  dns::RrType type = dns::RrType::kA;
  uint32_t ttl = 0;
  std::vector<uint8_t> rdata;

  bool operator==(const JournalRr& other) const = default;
};

// A journal entry: the difference between two consecutive serials, in the order IXFR
// (RFC 1995) sends it — `removed` starts with the old SOA, `added` with the new one.
struct JournalEntry {
  uint64_t seq = 0;
  uint32_t serial_from = 0;
  uint32_t serial_to = 0;
  int64_t time = 0;  // unix seconds of the commit
  std::vector<JournalRr> removed;
  std::vector<JournalRr> added;
};

// A change to one zone: the complete new content of every changed name (an empty rrsets
// list deletes the name), and the diff from the current content to it, without SOA
// records. The store allocates the new serial, rewrites the apex SOA with it and journals
// the SOAs itself. If the apex changes, its update carries every apex RRset. Its SOA
// RRset may be left out (the stored SOA is kept); if present, it replaces the stored SOA,
// and its serial is used instead of the allocated one when it is RFC 1982-greater
// (RFC 2136 3.4.2.2).
//
// The diff must be exact: applied to the current content (replay.h), it gives `names`.
// The store keeps the diff, not the names — the journal IXFR serves is also what the
// stored content is brought forward by — so that a commit writes no row of a name. Commit
// refuses (kInvalidArgument) a diff that visibly disagrees with `names`: an RR of a name
// not listed, an added RR missing from its name's new content or with another TTL, or a
// removed RR still there and not added again.
//
// `base_journal_seq`, when set, is the journal sequence of the content the change was
// computed from (the updater's view): Commit refuses the change with kAborted if the zone's
// journal_seq is another one, i.e. another node committed to the zone meanwhile
// (docs/postgresql.md, "Several nodes"); the caller then brings its view forward
// (ReadJournal) and computes the change again.
struct ZoneChange {
  int64_t zone_id = 0;
  std::vector<zone::NameUpdate> names;
  std::vector<JournalRr> removed;
  std::vector<JournalRr> added;
  std::optional<uint64_t> base_journal_seq;
};

struct CommitResult {
  uint32_t old_serial = 0;
  uint32_t new_serial = 0;
  uint64_t journal_seq = 0;
  zone::Rrset soa;  // the apex SOA with the new serial, as now stored
  // The change's names with their new content, as the store checked and normalised them:
  // what the caller publishes (moved out of the change, not copied).
  std::vector<zone::NameUpdate> names;
};

enum class GrantScope {
  kZone,     // every name of the zone except the apex SOA and NS
  kName,     // exactly `name`
  kSubtree,  // `name` and every name below it
  kAcme,     // exactly `_acme-challenge.<name>` (TXT, for ACME DNS-01)
};

struct KeyGrant {
  dns::Name zone;
  GrantScope scope = GrantScope::kZone;
  dns::Name name;                      // unused for kZone
  std::vector<dns::RrType> types;      // empty: every type
};

struct TsigKeyInfo {
  dns::Name name;           // lowercase
  std::string algorithm;    // "hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha1", "hmac-md5"
  std::vector<uint8_t> secret;
  std::vector<KeyGrant> grants;
};

// Zone transfers (xfr/): a secondary is a NOTIFY target that may also transfer the zone;
// other clients may transfer it by TSIG key or by source network.
struct Secondary {
  std::string address;            // "192.0.2.1:53" or "[2001:db8::1]:53" (Endpoint form)
  std::optional<dns::Name> key;   // lowercase; signs NOTIFY and is required for transfers

  bool operator==(const Secondary& other) const = default;
};

struct TransferSettings {
  std::vector<Secondary> secondaries;  // at most one per address
  std::vector<dns::Name> keys;         // lowercase; may transfer from any address
  std::vector<std::string> cidrs;      // may transfer unsigned

  bool operator==(const TransferSettings& other) const = default;
};

// A secondary zone (xfr/secondary.h): Tether transfers it from its primaries and refuses
// UPDATEs to it. Present only for secondary zones.
struct PrimarySettings {
  std::vector<std::string> primaries;  // "192.0.2.1:53" (Endpoint form), tried in order
  std::optional<dns::Name> key;        // lowercase; signs SOA queries and transfers, and
                                       // NOTIFYs from the primaries must be signed with it
  int64_t refreshed = 0;               // unix seconds of the last check against a primary
                                       // that succeeded (0: never); the expire timer runs
                                       // from it, also across restarts

  bool operator==(const PrimarySettings& other) const = default;
};

// The store-wide change feed (docs/postgresql.md, "Several nodes"): one entry per change
// any node made to the store, in commit order, so that every node sharing the store can
// follow the others. What an entry names:
enum class ChangeKind {
  kJournal,     // a zone's new journal entry (records): id = zone id, object = origin text
  kZone,        // a zone made, deleted, or its settings (allow-update, transfers,
                // primaries) changed: id = zone id, object = origin text
  kKeys,        // a TSIG key added or removed, or a grant: object = the key's name text
  kUser,        // a user made, deleted, or its password or credential_version changed: id
  kHost,        // a host made, deleted or its lifecycle changed: id, object = fqdn text
  kToken,       // a token made or revoked: id, object = its digest
  kCredential,  // a host credential made: id, object = its username
};
const char* ChangeKindName(ChangeKind kind);
std::optional<ChangeKind> ChangeKindFromName(std::string_view name);

struct StoreChange {
  uint64_t seq = 0;  // position in the feed: gap-free, in commit order
  ChangeKind kind = ChangeKind::kJournal;
  int64_t id = 0;
  std::string object;
};

struct ChangeBatch {
  std::vector<StoreChange> changes;  // oldest first
  // Entries after the position asked for were trimmed already (FeedLimits), or the feed is
  // behind that position (the database was replaced): the reader missed changes and must
  // reload everything, then follow from ChangeFeedHead().
  bool lost = false;
};

// How much of the change feed the PostgreSQL store keeps: the newest `keep` entries (at
// least one), trimmed by the commit whose entry's seq is a multiple of `trim_every`, by
// primary key. A node that falls further behind (e.g. cut off from the database while the
// others write `keep` changes) gets ChangeBatch::lost and reloads. Entries are ~50 bytes.
struct FeedLimits {
  uint64_t keep = 100000;
  uint64_t trim_every = 1024;
};

// Entries beyond either limit are deleted, oldest first, once they are folded (the SQLite
// store keeps every entry its names table does not reflect yet).
struct JournalLimits {
  uint64_t max_entries = 10000;  // per zone
  int64_t max_age_seconds = 7 * 24 * 3600;
};

class Store {
 public:
  virtual ~Store() = default;

  // ---- zones ----
  virtual Result<std::vector<ZoneInfo>> ListZones() = 0;
  virtual Result<std::optional<ZoneInfo>> GetZone(const dns::Name& origin) = 0;
  // Creates a zone with its initial names (they must include the apex SOA and NS) in one
  // transaction, of `kind` (ZoneInfo::service, ZoneInfo::rpz). `progress(done, total)`
  // is called now and then while names are written.
  virtual Result<ZoneInfo> CreateZone(const dns::Name& origin, SerialPolicy policy,
                                      const std::vector<zone::NameUpdate>& names,
                                      const std::function<void(size_t, size_t)>& progress,
                                      ZoneKind kind = ZoneKind::kPlain) = 0;
  // Deletes the zone, its names, journal and grants. Returns false if there was none.
  virtual Result<bool> DeleteZone(const dns::Name& origin) = 0;
  virtual Status SetAllowUpdate(int64_t zone_id, const std::vector<std::string>& cidrs) = 0;
  // The zone's transfer settings (empty for a zone never configured); Set replaces them as
  // a whole. Deleting the zone deletes them.
  virtual Result<TransferSettings> GetTransferSettings(int64_t zone_id) = 0;
  virtual Status SetTransferSettings(int64_t zone_id, const TransferSettings& settings) = 0;
  // A secondary zone's primaries (nullopt: not a secondary zone). Set replaces them (nullopt
  // deletes them); setting them again with a new `refreshed` is how the refresh time is
  // kept. Deleting the zone deletes them. Every store implements both; the defaults (no
  // secondary zones: Get gives nullopt, Set fails) only keep a store being written
  // compiling until it does.
  virtual Result<std::optional<PrimarySettings>> GetPrimarySettings(int64_t zone_id);
  virtual Status SetPrimarySettings(int64_t zone_id, const std::optional<PrimarySettings>& settings);
  // Streams every name of the zone with its current content (in no particular order).
  virtual Status LoadZone(int64_t zone_id, const std::function<void(zone::NameUpdate&&)>& sink) = 0;

  // ---- changes ----
  // Applies `change` durably with a new serial and journal entry. Blocks until the group
  // transaction holding it is durable.
  virtual Result<CommitResult> Commit(ZoneChange change) = 0;
  // Journal entries of a zone with seq > after_seq, oldest first.
  virtual Result<std::vector<JournalEntry>> ReadJournal(int64_t zone_id, uint64_t after_seq) = 0;

  // ---- TSIG keys ----
  virtual Result<std::vector<TsigKeyInfo>> ListKeys() = 0;
  virtual Status AddKey(const TsigKeyInfo& key) = 0;  // fails with kAlreadyExists
  virtual Result<bool> RemoveKey(const dns::Name& name) = 0;
  virtual Status AddGrant(const dns::Name& key, const KeyGrant& grant) = 0;

  // ---- accounts (store/accounts.h) ----
  virtual AccountStore& accounts() = 0;
  // ---- the audit log (store/audit.h) ----
  virtual AuditLog& audit() = 0;
  // ---- takedown previews and orders (store/takedowns.h) ----
  virtual TakedownStore& takedowns() = 0;
  // ---- the abuse desk's cases and appeals (store/abuse_cases.h) ----
  virtual AbuseCaseStore& cases() = 0;

  // ---- the change feed (several nodes on one store) ----
  // Whether the store keeps one (PostgreSQL). A store without a feed has one node; the
  // defaults below are for it.
  virtual bool HasChangeFeed() const { return false; }
  // The newest entry's seq (0: none yet). A node reads it before loading the store, and
  // follows from it.
  virtual Result<uint64_t> ChangeFeedHead() { return uint64_t{0}; }
  // The entries with seq > `after`, oldest first (a bounded number per call); waits up to
  // `wait` for one if there is none yet, and returns an empty batch if none came. Call from
  // one thread at a time. A lost connection fails the call (kUnavailable); the next call
  // connects again.
  virtual Result<ChangeBatch> WaitForChanges(uint64_t after, std::chrono::milliseconds wait);
};

// When the SQLite store folds its journal into its names table. A commit writes only its
// journal entry and the zone's row, which are appended or kept in hot pages; the fold then
// writes each name the journal touched once, in key order, in transactions of its own
// between commits (each a bounded step), so that an update does not dirty a random page
// of a large zone of its own.
//
// A fold costs about the same per page it rewrites, and pages are shared by many names, so
// folding seldom is cheaper; but the unfolded names are replayed by every load, and a fold
// holds their changes in memory (~300 bytes a name), which `max_names` bounds.
struct FoldOptions {
  bool automatic = true;         // false: fold only at close and on request (tests)
  uint64_t max_names = 100000;   // fold once unfolded changes have touched this many names
                                 // (counted per change), or
  int64_t max_delay_ms = 10000;  // once the oldest unfolded change is this old, or
  int64_t idle_ms = 1000;        // once no change has come for this long.
  size_t step = 4096;            // journal entries read, names written or journal entries
                                 // trimmed per fold step (each its own transaction)
  bool from_memory = true;       // fold from the committed content kept in memory where it
                                 // is complete (sqlite/writer.h); false: always from the
                                 // journal (tests of that path)
};

struct SqliteOptions {
  std::string path;  // the database file; created with mode 0600 if missing
  JournalLimits journal;
  FoldOptions fold;
  // Unix seconds for journal times, unixtime serials and journal age; empty: the system
  // clock. Tests inject one.
  std::function<int64_t()> now;
};

// Opens (creating or migrating) the SQLite store. Fails with a clear message if the file is
// damaged or was written by a newer Tether.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

// The PostgreSQL store (docs/postgresql.md): the same semantics on a database several
// tetherd nodes may share. Commits write the journal entry and the names in one
// transaction (no fold) with synchronous_commit=on; serials, journal sequences and ids are
// allocated inside it.
struct PostgresOptions {
  std::string conninfo;  // libpq: "postgresql://user@host:port/db" or "host=... dbname=..."
  JournalLimits journal;
  FeedLimits feed;
  std::function<int64_t()> now;  // as SqliteOptions::now
};

// Connects (creating or migrating the schema). Fails with a clear message if the server is
// unreachable, the database holds something else, or a newer Tether wrote it.
Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options);

}  // namespace tether::store
