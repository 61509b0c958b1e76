#include "store/sqlite/account_store.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/thread.h"
#include "store/account_rows.h"
#include "store/sqlite/job_sql.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/writer.h"

namespace tether::store::sqlite {

namespace {

// Hosts whose newest history entry the writer keeps (~40 bytes each): beyond this, it starts
// again empty, and a host then costs one read in its next flush.
constexpr size_t kKnownHeadsLimit = 1 << 20;
// The most entries whose room the flush keeps for the next batch (history_spare_).
constexpr size_t kSpareHistoryLimit = 1 << 16;

// The id an insert into `table` takes: after the greatest it ever had, so that a removed
// row's id is never given to another (schema migration 15).
std::string IdAfterFloor(std::string_view table) {
  return "(SELECT value + 1 FROM meta WHERE key = '" + std::string(table) + "_id_floor')";
}

Error Damaged(const std::string& path, const std::string& what) {
  return Error{ErrorCode::kIo, path + ": damaged " + what};
}

Result<UserInfo> UserFromRow(const Statement& row, const std::string& path) {
  auto decoded = account_rows::User(row);
  if (!decoded) return tl::unexpected(Damaged(path, "user row " + std::string(row.Text(1))));
  return std::move(*decoded);
}

Result<HostInfo> HostFromRow(const Statement& row, const std::string& path) {
  auto decoded = account_rows::Host(row);
  if (!decoded) return tl::unexpected(Damaged(path, "host row " + std::to_string(row.Int(0))));
  return std::move(*decoded);
}

// The columns of account_rows::Host: a host and its abuse state, from host_abuse where it
// has a row (schema version 11) and `none` where it has none.
constexpr const char* kHostSelect =
    "SELECT h.id, h.fqdn, h.user_id, h.zone_id, h.lifecycle, h.created, h.last_update, coalesce(a.state, 'none'), "
    "coalesce(a.reason, ''), coalesce(a.since, 0), coalesce(a.action, ''), coalesce(a.order_id, 0) "
    "FROM hosts h LEFT JOIN host_abuse a ON a.host_id = h.id";

// In host id order, so that the rows of a large order go into host_abuse's pages in order.
// A host that is gone (deleted meanwhile) is skipped.
Status WriteAbuseStates(Writer& writer, const std::vector<AbuseStateChange>& changes) {
  ASSIGN_OR_RETURN(Statement write,
                   writer.db().Prepare("INSERT OR REPLACE INTO host_abuse(host_id, state, reason, since, action, "
                                       "order_id) SELECT id, ?2, ?3, ?4, ?5, ?6 FROM hosts WHERE id = ?1"));
  std::vector<const AbuseStateChange*> in_order;
  in_order.reserve(changes.size());
  for (const AbuseStateChange& change : changes) in_order.push_back(&change);
  std::sort(in_order.begin(), in_order.end(), [](auto* a, auto* b) { return a->host_id < b->host_id; });
  for (const AbuseStateChange* change : in_order) {
    write.Reset();
    write.Bind(1, change->host_id);
    write.BindText(2, AbuseStateName(change->state));
    write.BindText(3, change->reason);
    write.Bind(4, change->time);
    write.BindText(5, account_rows::AbuseActionText(*change));
    write.Bind(6, change->state == AbuseState::kEnforced ? change->order : 0);
    RETURN_IF_ERROR(write.Run());
  }
  return Ok();
}

Result<TokenInfo> TokenFromRow(const Statement& row, const std::string& path) {
  auto decoded = account_rows::Token(row);
  if (!decoded) return tl::unexpected(Damaged(path, "token row " + std::to_string(row.Int(0))));
  return std::move(*decoded);
}

Result<HostCredentialInfo> CredentialFromRow(const Statement& row, const std::string& path) {
  auto decoded = account_rows::Credential(row);
  if (!decoded) return tl::unexpected(Damaged(path, "host credential row"));
  return std::move(*decoded);
}

Status UniqueOr(const Status& status, const std::string& what) {
  if (!status && status.error().message.find("UNIQUE") != std::string::npos) {
    return MakeError(ErrorCode::kAlreadyExists, what + " already exists");
  }
  return status;
}

}  // namespace

Result<std::unique_ptr<SqliteAccountStore>> SqliteAccountStore::Open(const std::string& path, Committer& committer) {
  std::unique_ptr<SqliteAccountStore> store(new SqliteAccountStore(path, committer));
  ASSIGN_OR_RETURN(Db db, OpenReadConnection(path));
  {
    MutexLock lock(store->read_mu_);
    store->read_db_ = std::move(db);
  }
  store->flusher_ = std::thread([raw = store.get()] {
    BecomeBatchThread("tether-history");
    raw->FlushLoop();
  });
  return store;
}

SqliteAccountStore::~SqliteAccountStore() { Stop(); }

void SqliteAccountStore::Stop() {
  {
    MutexLock lock(history_mu_);
    stopping_ = true;
  }
  history_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  (void)FlushHistory();
}

template <class T>
Result<std::vector<T>> SqliteAccountStore::Query(const std::string& sql, const std::function<void(Statement&)>& bind,
                                                 const std::function<Result<T>(const Statement&)>& row) {
  MutexLock lock(read_mu_);
  ASSIGN_OR_RETURN(Statement statement, read_db_.Prepare(sql));
  bind(statement);
  std::vector<T> out;
  while (true) {
    ASSIGN_OR_RETURN(bool more, statement.Step());
    if (!more) break;
    ASSIGN_OR_RETURN(T value, row(statement));
    out.push_back(std::move(value));
  }
  return out;
}

// ---- users ----

Result<UserInfo> SqliteAccountStore::CreateUser(const UserInfo& user) {
  UserInfo created = user;
  created.credential_version = user.credential_version == 0 ? 1 : user.credential_version;
  RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(UniqueOr(
        RunSql(writer,
               "INSERT INTO users(id, name, role, password_hash, credential_version, created, host_limit) "
               "VALUES(" + IdAfterFloor("users") + ", ?1, ?2, ?3, ?4, ?5, ?6)",
               [&](Statement& s) {
                 s.BindText(1, created.name);
                 s.BindText(2, RoleName(created.role));
                 s.BindText(3, created.password_hash);
                 s.Bind(4, static_cast<int64_t>(created.credential_version));
                 s.Bind(5, created.created);
                 s.Bind(6, created.host_limit);
               }),
        "account " + created.name));
    ASSIGN_OR_RETURN(created.id, LastRowId(writer));
    return Ok();
  }));
  return created;
}

Result<std::optional<UserInfo>> SqliteAccountStore::GetUser(int64_t id) {
  ASSIGN_OR_RETURN(auto users, Query<UserInfo>(std::string("SELECT ") + account_rows::kUserColumns + " FROM users WHERE id = ?1",
                                               [&](Statement& s) { s.Bind(1, id); },
                                               [&](const Statement& r) { return UserFromRow(r, path_); }));
  if (users.empty()) return std::optional<UserInfo>();
  return std::optional<UserInfo>(std::move(users.front()));
}

Result<std::optional<UserInfo>> SqliteAccountStore::GetUserByName(const std::string& name) {
  ASSIGN_OR_RETURN(auto users,
                   Query<UserInfo>(std::string("SELECT ") + account_rows::kUserColumns + " FROM users WHERE name = ?1",
                                   [&](Statement& s) { s.BindText(1, name); },
                                   [&](const Statement& r) { return UserFromRow(r, path_); }));
  if (users.empty()) return std::optional<UserInfo>();
  return std::optional<UserInfo>(std::move(users.front()));
}

Result<std::vector<UserInfo>> SqliteAccountStore::ListUsers() {
  return Query<UserInfo>(std::string("SELECT ") + account_rows::kUserColumns + " FROM users ORDER BY name", [](Statement&) {},
                         [&](const Statement& r) { return UserFromRow(r, path_); });
}

Result<bool> SqliteAccountStore::DeleteUser(int64_t id) {
  bool deleted = false;
  RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(RunSql(writer, "DELETE FROM users WHERE id = ?1", [&](Statement& s) { s.Bind(1, id); }));
    ASSIGN_OR_RETURN(int64_t changes, LastChanges(writer));
    deleted = changes > 0;
    RETURN_IF_ERROR(writer.PurgeHistory());  // of the user's hosts
    return Ok();
  }));
  return deleted;
}

Status SqliteAccountStore::SetPasswordHash(int64_t user_id, const std::string& hash) {
  return committer_.Run([&](Writer& writer) -> Status {
    return RunSql(writer,
                  "UPDATE users SET password_hash = ?2, credential_version = credential_version + 1 WHERE id = ?1",
                  [&](Statement& s) {
                    s.Bind(1, user_id);
                    s.BindText(2, hash);
                  });
  });
}

// ---- hosts ----

Result<HostInfo> SqliteAccountStore::CreateHost(const HostInfo& host) {
  HostInfo created = host;
  created.fqdn = host.fqdn.Lowercased();
  RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(UniqueOr(RunSql(writer,
                                    "INSERT INTO hosts(id, fqdn, user_id, zone_id, lifecycle, created, last_update) "
                                    "VALUES(" + IdAfterFloor("hosts") + ", ?1, ?2, ?3, ?4, ?5, ?6)",
                                    [&](Statement& s) {
                                      s.BindStatic(1, created.fqdn.wire());
                                      s.Bind(2, created.user_id);
                                      s.Bind(3, created.zone_id);
                                      s.BindText(4, LifecycleName(created.lifecycle));
                                      s.Bind(5, created.created);
                                      s.Bind(6, created.last_update);
                                    }),
                             "host " + created.fqdn.ToText()));
    ASSIGN_OR_RETURN(created.id, LastRowId(writer));
    if (created.abuse_state == AbuseState::kNone && created.abuse_since == 0) return Ok();
    return WriteAbuseStates(writer, {{created.id, created.abuse_state, created.abuse_action, created.abuse_order,
                                      created.abuse_reason, created.abuse_since}});
  }));
  return created;
}

Result<std::optional<HostInfo>> SqliteAccountStore::GetHost(const dns::Name& fqdn) {
  dns::Name lower = fqdn.Lowercased();
  ASSIGN_OR_RETURN(auto hosts,
                   Query<HostInfo>(std::string(kHostSelect) + " WHERE h.fqdn = ?1",
                                   [&](Statement& s) { s.BindStatic(1, lower.wire()); },
                                   [&](const Statement& r) { return HostFromRow(r, path_); }));
  if (hosts.empty()) return std::optional<HostInfo>();
  return std::optional<HostInfo>(std::move(hosts.front()));
}

Result<std::vector<HostInfo>> SqliteAccountStore::ListHosts(std::optional<int64_t> user_id) {
  std::string sql = kHostSelect;
  if (user_id) sql += " WHERE h.user_id = ?1";
  return Query<HostInfo>(
      sql, [&](Statement& s) {
        if (user_id) s.Bind(1, *user_id);
      },
      [&](const Statement& r) { return HostFromRow(r, path_); });
}

Result<size_t> SqliteAccountStore::CountHosts(int64_t user_id) {
  ASSIGN_OR_RETURN(auto counts, Query<int64_t>("SELECT count(*) FROM hosts WHERE user_id = ?1",
                                               [&](Statement& s) { s.Bind(1, user_id); },
                                               [](const Statement& r) -> Result<int64_t> { return r.Int(0); }));
  return counts.empty() ? size_t{0} : static_cast<size_t>(counts.front());
}

Result<bool> SqliteAccountStore::DeleteHost(int64_t id) {
  bool deleted = false;
  RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(RunSql(writer, "DELETE FROM hosts WHERE id = ?1", [&](Statement& s) { s.Bind(1, id); }));
    ASSIGN_OR_RETURN(int64_t changes, LastChanges(writer));
    deleted = changes > 0;
    RETURN_IF_ERROR(writer.PurgeHistory());
    return Ok();
  }));
  return deleted;
}

Status SqliteAccountStore::SetLifecycle(int64_t host_id, Lifecycle lifecycle) {
  return committer_.Run([&](Writer& writer) -> Status {
    return RunSql(writer, "UPDATE hosts SET lifecycle = ?2 WHERE id = ?1", [&](Statement& s) {
      s.Bind(1, host_id);
      s.BindText(2, LifecycleName(lifecycle));
    });
  });
}

Status SqliteAccountStore::SetAbuseStates(const std::vector<AbuseStateChange>& changes) {
  return committer_.Run([&](Writer& writer) { return WriteAbuseStates(writer, changes); });
}

// ---- credentials ----

Result<TokenInfo> SqliteAccountStore::CreateToken(const TokenInfo& token) {
  TokenInfo created = token;
  ASSIGN_OR_RETURN(account_rows::TokenLists lists, account_rows::TokenListsOf(token));
  RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(UniqueOr(
        RunSql(writer,
               "INSERT INTO tokens(id, user_id, digest, hosts, types, networks, expires, created, revoked) "
               "VALUES(" + IdAfterFloor("tokens") + ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
               [&](Statement& s) {
                 s.Bind(1, created.user_id);
                 s.BindText(2, created.digest);
                 s.BindText(3, lists.hosts);
                 s.BindText(4, lists.types);
                 s.BindText(5, lists.networks);
                 s.Bind(6, created.expires);
                 s.Bind(7, created.created);
               }),
        "token"));
    ASSIGN_OR_RETURN(created.id, LastRowId(writer));
    return Ok();
  }));
  created.revoked = false;
  return created;
}

Result<std::optional<TokenInfo>> SqliteAccountStore::FindToken(const std::string& digest) {
  ASSIGN_OR_RETURN(auto tokens,
                   Query<TokenInfo>(std::string("SELECT ") + account_rows::kTokenColumns + " FROM tokens WHERE digest = ?1",
                                    [&](Statement& s) { s.BindText(1, digest); },
                                    [&](const Statement& r) { return TokenFromRow(r, path_); }));
  if (tokens.empty()) return std::optional<TokenInfo>();
  return std::optional<TokenInfo>(std::move(tokens.front()));
}

Result<std::vector<TokenInfo>> SqliteAccountStore::ListTokens(std::optional<int64_t> user_id) {
  std::string sql = std::string("SELECT ") + account_rows::kTokenColumns + " FROM tokens";
  if (user_id) sql += " WHERE user_id = ?1";
  return Query<TokenInfo>(
      sql, [&](Statement& s) {
        if (user_id) s.Bind(1, *user_id);
      },
      [&](const Statement& r) { return TokenFromRow(r, path_); });
}

Result<bool> SqliteAccountStore::RevokeToken(int64_t id) {
  bool revoked = false;
  RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(RunSql(writer, "UPDATE tokens SET revoked = 1 WHERE id = ?1", [&](Statement& s) { s.Bind(1, id); }));
    ASSIGN_OR_RETURN(int64_t changes, LastChanges(writer));
    revoked = changes > 0;
    if (revoked) {
      // Proofs cached for the owner's credentials are void from now on, on every node.
      RETURN_IF_ERROR(RunSql(writer,
                             "UPDATE users SET credential_version = credential_version + 1 "
                             "WHERE id = (SELECT user_id FROM tokens WHERE id = ?1)",
                             [&](Statement& s) { s.Bind(1, id); }));
    }
    return Ok();
  }));
  return revoked;
}

Result<HostCredentialInfo> SqliteAccountStore::CreateHostCredential(const HostCredentialInfo& credential) {
  HostCredentialInfo created = credential;
  RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(UniqueOr(RunSql(writer,
                                    "INSERT INTO host_credentials(id, host_id, username, digest, created) "
                                    "VALUES(" + IdAfterFloor("host_credentials") + ", ?1, ?2, ?3, ?4)",
                                    [&](Statement& s) {
                                      s.Bind(1, created.host_id);
                                      s.BindText(2, created.username);
                                      s.BindText(3, created.digest);
                                      s.Bind(4, created.created);
                                    }),
                             "credential " + created.username));
    ASSIGN_OR_RETURN(created.id, LastRowId(writer));
    return Ok();
  }));
  return created;
}

Result<std::optional<HostCredentialInfo>> SqliteAccountStore::FindHostCredential(const std::string& username) {
  ASSIGN_OR_RETURN(auto found, Query<HostCredentialInfo>(
                                   std::string("SELECT ") + account_rows::kCredentialColumns +
                                       " FROM host_credentials WHERE username = ?1",
                                   [&](Statement& s) { s.BindText(1, username); },
                                   [&](const Statement& r) { return CredentialFromRow(r, path_); }));
  if (found.empty()) return std::optional<HostCredentialInfo>();
  return std::optional<HostCredentialInfo>(std::move(found.front()));
}

Result<std::vector<HostCredentialInfo>> SqliteAccountStore::ListHostCredentials() {
  return Query<HostCredentialInfo>(std::string("SELECT ") + account_rows::kCredentialColumns + " FROM host_credentials",
                                   [](Statement&) {}, [&](const Statement& r) { return CredentialFromRow(r, path_); });
}

// ---- history ----

void SqliteAccountStore::AppendHistory(HistoryEntry entry) {
  MutexLock lock(history_mu_);
  history_.push_back(std::move(entry));
}

namespace {

// Writes a flush's entries (not empty) in the writer's transaction: each chained to its
// host's newest entry, entries of hosts removed since they were made dropped.
Status WriteHistory(Writer& writer, const std::vector<HistoryEntry>& batch) {
  ASSIGN_OR_RETURN(
      Statement host,
      writer.db().Prepare("SELECT (SELECT head FROM history_heads WHERE host_id = ?1) "
                          "FROM hosts WHERE id = ?1"));
  // A host's last update is kept to the minute (kLastUpdateGrain), so that a host
  // changing every few seconds does not dirty its page of the hosts table in every flush.
  ASSIGN_OR_RETURN(Statement touch, writer.db().Prepare(
                                        "UPDATE hosts SET last_update = ?2 WHERE id = ?1 AND last_update <= ?2 - ?3"));
  // The entries are given their ids here, after the table's last, as SQLite would give
  // them one by one, so that each can name its host's previous one and the rows go in
  // statements of many (InsertRows).
  ASSIGN_OR_RETURN(int64_t last_id,
                   writer.db().QueryInt("SELECT coalesce(max(id), 0) FROM history"));
  // Each host is looked up once per batch: entries of a host removed since they were
  // made are dropped; the others are chained to the host's newest entry. A host whose
  // head the writer knows (Writer::history_heads) is present and needs no read.
  struct Chain {
    bool present = false;
    int64_t head = 0;  // the newest entry; 0: none yet
  };
  struct Row {
    const HistoryEntry* entry;
    int64_t id;
    int64_t prev;  // 0: none
  };
  std::unordered_map<int64_t, Chain> chains;
  std::vector<Row> rows;
  rows.reserve(batch.size());
  std::map<int64_t, int64_t> touched;  // in id order: the hosts table's pages in order
  auto& known_heads = writer.history_heads();
  for (const auto& entry : batch) {
    auto [chain, inserted] = chains.try_emplace(entry.host_id);
    if (inserted) {
      if (auto known = known_heads.find(entry.host_id); known != known_heads.end()) {
        chain->second = {true, known->second};
      }
    }
    if (inserted && !chain->second.present) {
      ResetOnExit reset(host);
      host.Bind(1, entry.host_id);
      ASSIGN_OR_RETURN(chain->second.present, host.Step());
      if (chain->second.present && !host.IsNull(0)) chain->second.head = host.Int(0);
    }
    if (!chain->second.present) continue;
    rows.push_back({&entry, ++last_id, chain->second.head});
    chain->second.head = last_id;
    if (entry.touches_host && entry.result.rfind("good", 0) == 0) {
      int64_t& newest = touched[entry.host_id];
      newest = std::max(newest, entry.time);
    }
  }
  RETURN_IF_ERROR(InsertRows(writer.db(),
                             "INSERT INTO history(id, host_id, prev, time, source, user_agent, "
                             "credential, old_value, new_value, result)",
                             10, rows.size(), [&](Statement& insert, int at, size_t i) {
                               const Row& row = rows[i];
                               const HistoryEntry& entry = *row.entry;
                               insert.Bind(at, row.id);
                               insert.Bind(at + 1, entry.host_id);
                               if (row.prev != 0) insert.Bind(at + 2, row.prev);  // else NULL
                               insert.Bind(at + 3, entry.time);
                               // Not copied: `batch` holds the texts until the statement is
                               // reset.
                               insert.BindTextStatic(at + 4, entry.source);
                               insert.BindTextStatic(at + 5, entry.user_agent);
                               insert.BindTextStatic(at + 6, entry.credential);
                               insert.BindTextStatic(at + 7, entry.old_value);
                               insert.BindTextStatic(at + 8, entry.new_value);
                               insert.BindTextStatic(at + 9, entry.result);
                             }));
  // The writer's heads are bounded (a host polling once a day is not worth its memory).
  if (known_heads.size() + chains.size() > kKnownHeadsLimit) known_heads.clear();
  // Each host's head once per batch, however many entries it had in it (a present host
  // had at least one: its head is that entry's id). REPLACE, not an upsert: the same row
  // (history_heads has no other column, trigger or foreign key), and SQLite's REPLACE on
  // a rowid table costs a third less per row.
  std::vector<std::pair<int64_t, int64_t>> heads;
  heads.reserve(chains.size());
  for (const auto& [host_id, chain] : chains) {
    if (!chain.present) continue;
    heads.emplace_back(host_id, chain.head);
    known_heads[host_id] = chain.head;
  }
  std::sort(heads.begin(), heads.end());  // the table's pages in order
  RETURN_IF_ERROR(InsertRows(writer.db(), "INSERT OR REPLACE INTO history_heads(host_id, head)",
                             2, heads.size(), [&](Statement& set_head, int at, size_t i) {
                               set_head.Bind(at, heads[i].first);
                               set_head.Bind(at + 1, heads[i].second);
                             }));
  // A host's last update once per batch, however often it changed in it.
  for (const auto& [host_id, time] : touched) {
    ResetOnExit reset(touch);
    touch.Bind(1, host_id);
    touch.Bind(2, time);
    touch.Bind(3, kLastUpdateGrain);
    RETURN_IF_ERROR(touch.Run());
  }
  return Ok();
}

}  // namespace

// The batch is taken inside the job, not before it: jobs run one at a time, so when Run
// returns, every entry appended before the call is durable — the ones this job took and
// those a concurrent flush took first (its job ran earlier, in this group or before it).
// Taken outside, a flush finding the buffer empty would return while another flush's batch
// was still on its way to disk, and ReadHistory would miss it.
Status SqliteAccountStore::FlushHistory() {
  return committer_.Run([&](Writer& writer) -> Status {
    std::vector<HistoryEntry> batch = std::move(history_spare_);
    {
      MutexLock lock(history_mu_);
      batch.swap(history_);
    }
    // Also what a removal outside this store queued (Writer::PurgeHistory).
    Status written = writer.PurgeHistory();
    if (written && !batch.empty()) written = WriteHistory(writer, batch);
    // Whatever the outcome, the emptied batch is the next one's room (not a burst's).
    batch.clear();
    if (batch.capacity() <= kSpareHistoryLimit) history_spare_ = std::move(batch);
    return written;
  });
}

void SqliteAccountStore::FlushLoop() {
  while (true) {
    {
      MutexLock lock(history_mu_);
      if (!stopping_) history_cv_.wait_for(history_mu_, std::chrono::seconds(1));
      if (stopping_) return;
      if (history_.empty()) continue;  // no transaction for nothing
    }
    (void)FlushHistory();  // a failure keeps nothing: history entries are not changes
  }
}

Result<std::vector<HistoryEntry>> SqliteAccountStore::ReadHistory(int64_t host_id, size_t limit) {
  // What was appended before this call is part of the answer (reads are rare; one commit).
  RETURN_IF_ERROR(FlushHistory());
  if (limit == 0) return std::vector<HistoryEntry>();
  // The host's chain from its newest entry, `limit` long at most. It ends at the host's
  // first entry or where retention removed the rest. Ids only fall along a chain and stay
  // the host's: once retention emptied the table, new entries may take old ids, which a
  // stale head or `prev` may name, and the walk ends there instead of looping or straying
  // into another host's entries.
  return Query<HistoryEntry>(
      "WITH RECURSIVE chain(id, n) AS ("
      " SELECT head, 1 FROM history_heads WHERE host_id = ?1"
      " UNION ALL"
      " SELECT h.prev, chain.n + 1 FROM chain JOIN history h ON h.id = chain.id AND h.host_id = ?1"
      " WHERE h.prev < h.id AND chain.n < ?2) "
      "SELECT h.id, h.host_id, h.time, h.source, h.user_agent, h.credential, h.old_value, h.new_value, h.result "
      "FROM chain JOIN history h ON h.id = chain.id AND h.host_id = ?1 ORDER BY h.id DESC",
      [&](Statement& s) {
        s.Bind(1, host_id);
        s.Bind(2, static_cast<int64_t>(limit));
      },
      [](const Statement& r) -> Result<HistoryEntry> {
        HistoryEntry entry;
        entry.id = r.Int(0);
        entry.host_id = r.Int(1);
        entry.time = r.Int(2);
        entry.source = std::string(r.Text(3));
        entry.user_agent = std::string(r.Text(4));
        entry.credential = std::string(r.Text(5));
        entry.old_value = std::string(r.Text(6));
        entry.new_value = std::string(r.Text(7));
        entry.result = std::string(r.Text(8));
        return entry;
      });
}

// Entries are appended in the order they were made, and each is stamped when it is made,
// so ids and times rise together (to within the second and the buffer's flush; a clock set
// back breaks it, for as long as it was set back): the first entry at or after `before` is
// found by a binary search over ids, ~30 rowid lookups, and everything before it goes. An
// index on time would cost every entry a B-tree insert for an hourly job. The rows go in
// steps of kHistoryTrimStep ids.
Result<size_t> SqliteAccountStore::TrimHistory(int64_t before, const std::vector<int64_t>& keep) {
  int64_t first = 0;  // the ids to delete: [first, end)
  int64_t end = 0;
  RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
    // The id and time of the first entry with an id >= `id` (nullopt: none).
    using IdTime = std::optional<std::pair<int64_t, int64_t>>;
    ASSIGN_OR_RETURN(Statement at, writer.db().Prepare("SELECT id, time FROM history WHERE id >= ?1 ORDER BY id LIMIT 1"));
    auto first_from = [&](int64_t id) -> Result<IdTime> {
      ResetOnExit reset(at);
      at.Bind(1, id);
      ASSIGN_OR_RETURN(bool found, at.Step());
      return found ? IdTime(std::make_pair(at.Int(0), at.Int(1))) : IdTime();
    };
    ASSIGN_OR_RETURN(Statement bounds, writer.db().Prepare(
        "SELECT (SELECT min(id) FROM history), (SELECT max(id) FROM history)"));
    ASSIGN_OR_RETURN(bool any, bounds.Step());
    if (!any || bounds.IsNull(0)) return Ok();
    // The smallest id whose first entry at or after it is not older than `before` (or
    // none is): every entry below it is older.
    int64_t low = bounds.Int(0);
    int64_t high = bounds.Int(1) + 1;
    first = low;
    while (low < high) {
      const int64_t middle = low + (high - low) / 2;
      ASSIGN_OR_RETURN(auto found, first_from(middle));
      if (!found || found->second >= before) {
        high = middle;
      } else {
        low = found->first + 1;
      }
    }
    end = low;
    return Ok();
  }));
  // The kept hosts as one JSON array parameter: there may be thousands of them.
  std::string kept = "[";
  for (size_t i = 0; i < keep.size(); ++i) kept += (i ? "," : "") + std::to_string(keep[i]);
  kept += "]";
  size_t deleted = 0;
  for (int64_t from = first; from < end; from += kHistoryTrimStep) {
    const int64_t to = std::min(end, from + kHistoryTrimStep);
    RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
      RETURN_IF_ERROR(RunSql(writer,
                             "DELETE FROM history WHERE id >= ?1 AND id < ?2 AND host_id NOT IN "
                             "(SELECT value FROM json_each(?3))",
                             [&](Statement& s) {
                               s.Bind(1, from);
                               s.Bind(2, to);
                               s.BindText(3, kept);
                             }));
      ASSIGN_OR_RETURN(int64_t changes, LastChanges(writer));
      deleted += static_cast<size_t>(changes);
      return Ok();
    }));
  }
  return deleted;
}

// ---- audit log ----

Result<AuditEntry> SqliteAccountStore::AppendAudit(const AuditEntry& entry) {
  AuditEntry stored = entry;
  RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
    // The newest entry, read by the one writer in the transaction that appends after it.
    ASSIGN_OR_RETURN(Statement last,
                     writer.db().Prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
    ASSIGN_OR_RETURN(bool found, last.Step());
    stored.seq = found ? static_cast<uint64_t>(last.Int(0)) + 1 : 1;
    stored.prev_hash = found ? std::string(last.Text(1)) : kAuditGenesisHash;
    stored.hash = AuditHash(stored);
    return RunSql(writer,
                  std::string("INSERT INTO audit(") + account_rows::kAuditColumns +
                      ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                  [&](Statement& s) {
                    s.Bind(1, static_cast<int64_t>(stored.seq));
                    s.Bind(2, stored.time);
                    s.BindText(3, stored.actor);
                    s.BindText(4, stored.action);
                    s.BindText(5, stored.reason);
                    s.BindText(6, stored.reference);
                    s.BindText(7, JoinAuditNames(stored.names));
                    s.Bind(8, static_cast<int64_t>(stored.serial_before));
                    s.Bind(9, static_cast<int64_t>(stored.serial_after));
                    s.BindText(10, stored.prev_hash);
                    s.BindText(11, stored.hash);
                  });
  }));
  return stored;
}

Result<std::vector<AuditEntry>> SqliteAccountStore::ReadAudit(uint64_t after_seq, size_t limit) {
  return Query<AuditEntry>(
      std::string("SELECT ") + account_rows::kAuditColumns + " FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
      [&](Statement& s) {
        s.Bind(1, static_cast<int64_t>(std::min<uint64_t>(after_seq, INT64_MAX)));
        s.Bind(2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
      },
      [&](const Statement& row) -> Result<AuditEntry> {
        auto decoded = account_rows::Audit(row);
        if (!decoded) return tl::unexpected(Damaged(path_, "audit row " + std::to_string(row.Int(0))));
        return std::move(*decoded);
      });
}

// ---- takedowns ----

namespace {

// The columns of account_rows::TakedownRow, the snapshot from takedown_snapshots (schema
// version 12).
constexpr const char* kTakedownSelect =
    "SELECT t.id, t.status, t.preview_id, t.created, t.author, t.approver, t.action, t.ns, t.reason, t.reference, "
    "t.expires, t.forced, t.names, t.report, coalesce(s.snapshot, ''), t.serials, t.applied, t.restored "
    "FROM takedowns t LEFT JOIN takedown_snapshots s ON s.takedown_id = t.id";

Status WriteSnapshot(Writer& writer, int64_t id, const std::string& snapshot) {
  RETURN_IF_ERROR(RunSql(writer,
                         "INSERT OR REPLACE INTO takedown_snapshots(takedown_id, snapshot) "
                         "SELECT id, ?2 FROM takedowns WHERE id = ?1",
                         [&](Statement& s) {
                           s.Bind(1, id);
                           s.BindText(2, snapshot);
                         }));
  return ChangedOne(writer, "takedown " + std::to_string(id));
}

void BindTakedown(Statement& s, const Takedown& takedown) {
  s.BindText(1, TakedownStatusName(takedown.status));
  s.Bind(2, takedown.preview_id);
  s.Bind(3, takedown.created);
  s.BindText(4, takedown.author);
  s.BindText(5, takedown.approver);
  s.BindText(6, EnforceActionName(takedown.action));
  s.BindText(7, JoinAuditNames(takedown.ns));
  s.BindText(8, takedown.reason);
  s.BindText(9, takedown.reference);
  s.Bind(10, takedown.expires);
  s.Bind(11, takedown.forced ? 1 : 0);
  s.BindText(12, JoinAuditNames(takedown.names));
  s.BindText(13, takedown.report);
  s.BindText(14, takedown.serials);
  s.Bind(15, takedown.applied);
  s.Bind(16, takedown.restored);
}

}  // namespace

Result<Takedown> SqliteAccountStore::CreateTakedown(const Takedown& takedown) {
  Takedown created = takedown;
  RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(RunSql(writer,
                           "INSERT INTO takedowns(status, preview_id, created, author, approver, action, ns, reason, "
                           "reference, expires, forced, names, report, serials, applied, restored) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                           [&](Statement& s) { BindTakedown(s, created); }));
    ASSIGN_OR_RETURN(created.id, LastRowId(writer));
    return created.snapshot.empty() ? Ok() : WriteSnapshot(writer, created.id, created.snapshot);
  }));
  return created;
}

Status SqliteAccountStore::UpdateTakedown(const Takedown& takedown) {
  return committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(RunSql(writer,
                           "UPDATE takedowns SET status = ?2, approver = ?3, serials = ?4, applied = ?5, "
                           "restored = ?6 WHERE id = ?1",
                           [&](Statement& s) {
                             s.Bind(1, takedown.id);
                             s.BindText(2, TakedownStatusName(takedown.status));
                             s.BindText(3, takedown.approver);
                             s.BindText(4, takedown.serials);
                             s.Bind(5, takedown.applied);
                             s.Bind(6, takedown.restored);
                           }));
    return ChangedOne(writer, "takedown " + std::to_string(takedown.id));
  });
}

Status SqliteAccountStore::SetTakedownSnapshot(int64_t id, const std::string& snapshot) {
  return committer_.Run([&](Writer& writer) { return WriteSnapshot(writer, id, snapshot); });
}

Result<std::optional<Takedown>> SqliteAccountStore::GetTakedown(int64_t id) {
  ASSIGN_OR_RETURN(auto found, ReadTakedowns(std::string(kTakedownSelect) + " WHERE t.id = ?1",
                                             [&](Statement& s) { s.Bind(1, id); }));
  if (found.empty()) return std::optional<Takedown>();
  return std::optional<Takedown>(std::move(found.front()));
}

Result<std::vector<Takedown>> SqliteAccountStore::ListTakedowns() {
  return ReadTakedowns(std::string("SELECT ") + account_rows::kTakedownListColumns +
                           " FROM takedowns ORDER BY id DESC",
                       [](Statement&) {});
}

Result<std::vector<Takedown>> SqliteAccountStore::ExpiredTakedowns(int64_t now) {
  return ReadTakedowns(std::string("SELECT ") + account_rows::kTakedownListColumns +
                           " FROM takedowns WHERE status = 'applied' AND expires != 0 AND expires <= ?1 ORDER BY id",
                       [&](Statement& s) { s.Bind(1, now); });
}

Result<std::vector<Takedown>> SqliteAccountStore::ReadTakedowns(const std::string& sql,
                                                                const std::function<void(Statement&)>& bind) {
  return Query<Takedown>(sql, bind, [&](const Statement& row) -> Result<Takedown> {
    auto decoded = account_rows::TakedownRow(row);
    if (!decoded) return tl::unexpected(Damaged(path_, "takedown row " + std::to_string(row.Int(0))));
    return std::move(*decoded);
  });
}

}  // namespace tether::store::sqlite
