#include "store/postgres/account_store.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "base/thread.h"
#include "store/account_rows.h"
#include "store/postgres/feed.h"
#include "store/postgres/rows.h"

namespace tether::store::postgres {

namespace {

Result<UserInfo> UserFromRow(Row& row) {
  auto decoded = account_rows::User(row);
  if (!decoded) return Damaged("user row " + std::string(row.Text(1)));
  return std::move(*decoded);
}

Result<HostInfo> HostFromRow(Row& row) {
  auto decoded = account_rows::Host(row);
  if (!decoded) return Damaged("host row " + std::to_string(row.Int(0)));
  return std::move(*decoded);
}

Result<TokenInfo> TokenFromRow(Row& row) {
  auto decoded = account_rows::Token(row);
  if (!decoded) return Damaged("token row " + std::to_string(row.Int(0)));
  return std::move(*decoded);
}

Result<HostCredentialInfo> CredentialFromRow(Row& row) {
  auto decoded = account_rows::Credential(row);
  if (!decoded) return Damaged("host credential row");
  return std::move(*decoded);
}

// The id an INSERT ... RETURNING id gave.
Result<int64_t> InsertedId(Result<Rows> rows, const std::string& what) {
  if (!rows) {
    if (rows.error().code == ErrorCode::kAlreadyExists) {
      return MakeError(ErrorCode::kAlreadyExists, what + " already exists");
    }
    return tl::unexpected(rows.error());
  }
  if (rows->size() != 1) return Damaged("id of a new " + what);
  Row row = rows->At(0);
  const int64_t id = row.Int(0);
  if (!row.ok()) return Damaged("id of a new " + what);
  return id;
}

template <class T>
Result<std::optional<T>> First(Result<std::vector<T>> found) {
  if (!found) return tl::unexpected(found.error());
  if (found->empty()) return std::optional<T>();
  return std::optional<T>(std::move(found->front()));
}

}  // namespace

Result<std::unique_ptr<PostgresAccountStore>> PostgresAccountStore::Open(
    const std::string& conninfo, Committer& committer, const FeedLimits& feed,
    std::function<int64_t()> now) {
  std::unique_ptr<PostgresAccountStore> store(
      new PostgresAccountStore(committer, feed, std::move(now)));
  ASSIGN_OR_RETURN(Conn conn, Conn::Connect(conninfo));
  {
    MutexLock lock(store->read_mu_);
    store->read_conn_ = std::move(conn);
  }
  store->flusher_ = std::thread([raw = store.get()] {
    BecomeBatchThread("tether-history");
    raw->FlushLoop();
  });
  return store;
}

PostgresAccountStore::~PostgresAccountStore() {
  {
    MutexLock lock(history_mu_);
    stopping_ = true;
  }
  history_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  (void)FlushHistory();
}

Status PostgresAccountStore::Record(Conn& conn, ChangeKind kind, int64_t id,
                                    std::string_view object) {
  return RecordChange(conn, feed_, kind, id, object, now_());
}

template <class T>
Result<std::vector<T>> PostgresAccountStore::Query(const std::string& sql, const Params& params,
                                                   const std::function<Result<T>(Row&)>& parse) {
  MutexLock lock(read_mu_);
  if (!read_conn_.Healthy()) {
    return MakeError(ErrorCode::kUnavailable, "postgresql: the connection is lost");
  }
  ASSIGN_OR_RETURN(Rows rows, read_conn_.Query(sql, params));
  std::vector<T> out;
  for (int i = 0; i < rows.size(); ++i) {
    Row row = rows.At(i);
    ASSIGN_OR_RETURN(T value, parse(row));
    out.push_back(std::move(value));
  }
  return out;
}

// ---- users ----

Result<UserInfo> PostgresAccountStore::CreateUser(const UserInfo& user) {
  UserInfo created = user;
  created.credential_version = user.credential_version == 0 ? 1 : user.credential_version;
  RETURN_IF_ERROR(committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(
        created.id,
        InsertedId(conn.Query("INSERT INTO users(name, role, password_hash, credential_version, "
                              "created, host_limit) VALUES($1, $2, $3, $4, $5, $6) RETURNING id",
                              Params()
                                  .Text(created.name)
                                  .Text(RoleName(created.role))
                                  .Text(created.password_hash)
                                  .Int(static_cast<int64_t>(created.credential_version))
                                  .Int(created.created)
                                  .Int(created.host_limit)),
                   "account " + created.name));
    return Record(conn, ChangeKind::kUser, created.id, created.name);
  }));
  return created;
}

Result<std::optional<UserInfo>> PostgresAccountStore::GetUser(int64_t id) {
  return First(Query<UserInfo>(std::string("SELECT ") + account_rows::kUserColumns + " FROM users WHERE id = $1",
                               Params().Int(id), UserFromRow));
}

Result<std::optional<UserInfo>> PostgresAccountStore::GetUserByName(const std::string& name) {
  return First(Query<UserInfo>(std::string("SELECT ") + account_rows::kUserColumns +
                                   " FROM users WHERE name = $1",
                               Params().Text(name), UserFromRow));
}

Result<std::vector<UserInfo>> PostgresAccountStore::ListUsers() {
  // COLLATE "C": byte order, as SQLite sorts TEXT.
  return Query<UserInfo>(std::string("SELECT ") + account_rows::kUserColumns +
                             " FROM users ORDER BY name COLLATE \"C\"",
                         Params(), UserFromRow);
}

Result<bool> PostgresAccountStore::DeleteUser(int64_t id) {
  bool deleted = false;
  RETURN_IF_ERROR(committer_.Run([&](Conn& conn) -> Status {
    // Hosts, tokens, credentials and history go by ON DELETE CASCADE; the other nodes hear
    // of the user only.
    ASSIGN_OR_RETURN(
        Rows rows, conn.Query("DELETE FROM users WHERE id = $1 RETURNING name", Params().Int(id)));
    deleted = rows.size() > 0;
    if (!deleted) return Ok();
    Row row = rows.At(0);
    return Record(conn, ChangeKind::kUser, id, row.Text(0));
  }));
  return deleted;
}

Status PostgresAccountStore::SetPasswordHash(int64_t user_id, const std::string& hash) {
  return committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(
        Rows rows,
        conn.Query("UPDATE users SET password_hash = $2, credential_version = credential_version "
                   "+ 1 WHERE id = $1 RETURNING name",
                   Params().Int(user_id).Text(hash)));
    if (rows.size() == 0) return Ok();
    Row row = rows.At(0);
    return Record(conn, ChangeKind::kUser, user_id, row.Text(0));
  });
}

// ---- hosts ----

Result<HostInfo> PostgresAccountStore::CreateHost(const HostInfo& host) {
  HostInfo created = host;
  created.fqdn = host.fqdn.Lowercased();
  RETURN_IF_ERROR(committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(
        created.id,
        InsertedId(conn.Query("INSERT INTO hosts(fqdn, user_id, zone_id, lifecycle, created, "
                              "last_update, abuse_state, abuse_reason, abuse_since) "
                              "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                              Params()
                                  .Bytes(created.fqdn.wire())
                                  .Int(created.user_id)
                                  .Int(created.zone_id)
                                  .Text(LifecycleName(created.lifecycle))
                                  .Int(created.created)
                                  .Int(created.last_update)
                                  .Text(AbuseStateName(created.abuse_state))
                                  .Text(created.abuse_reason)
                                  .Int(created.abuse_since)),
                   "host " + created.fqdn.ToText()));
    return Record(conn, ChangeKind::kHost, created.id, created.fqdn.ToText());
  }));
  return created;
}

Result<std::optional<HostInfo>> PostgresAccountStore::GetHost(const dns::Name& fqdn) {
  const dns::Name lower = fqdn.Lowercased();
  return First(Query<HostInfo>(std::string("SELECT ") + account_rows::kHostColumns +
                                   " FROM hosts WHERE fqdn = $1",
                               Params().Bytes(lower.wire()), HostFromRow));
}

Result<std::vector<HostInfo>> PostgresAccountStore::ListHosts(std::optional<int64_t> user_id) {
  std::string sql = std::string("SELECT ") + account_rows::kHostColumns + " FROM hosts";
  Params params;
  if (user_id) {
    sql += " WHERE user_id = $1";
    params.Int(*user_id);
  }
  return Query<HostInfo>(sql + " ORDER BY id", params, HostFromRow);
}

Result<size_t> PostgresAccountStore::CountHosts(int64_t user_id) {
  ASSIGN_OR_RETURN(auto counts,
                   Query<int64_t>("SELECT count(*) FROM hosts WHERE user_id = $1",
                                  Params().Int(user_id), [](Row& row) -> Result<int64_t> {
                                    const int64_t count = row.Int(0);
                                    if (!row.ok() || count < 0) return Damaged("host count");
                                    return count;
                                  }));
  return counts.empty() ? size_t{0} : static_cast<size_t>(counts.front());
}

Result<bool> PostgresAccountStore::DeleteHost(int64_t id) {
  bool deleted = false;
  RETURN_IF_ERROR(committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(
        Rows rows, conn.Query("DELETE FROM hosts WHERE id = $1 RETURNING fqdn", Params().Int(id)));
    deleted = rows.size() > 0;
    if (!deleted) return Ok();
    Row row = rows.At(0);
    ASSIGN_OR_RETURN(const dns::Name fqdn, NameFromColumn(row.Bytes(0)));
    return Record(conn, ChangeKind::kHost, id, fqdn.ToText());
  }));
  return deleted;
}

Status PostgresAccountStore::SetLifecycle(int64_t host_id, Lifecycle lifecycle) {
  return committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(Rows rows,
                     conn.Query("UPDATE hosts SET lifecycle = $2 WHERE id = $1 RETURNING fqdn",
                                Params().Int(host_id).Text(LifecycleName(lifecycle))));
    if (rows.size() == 0) return Ok();
    Row row = rows.At(0);
    ASSIGN_OR_RETURN(const dns::Name fqdn, NameFromColumn(row.Bytes(0)));
    return Record(conn, ChangeKind::kHost, host_id, fqdn.ToText());
  });
}

Status PostgresAccountStore::SetAbuseStates(const std::vector<AbuseStateChange>& changes) {
  return committer_.Run([&](Conn& conn) -> Status {
    for (const AbuseStateChange& change : changes) {
      ASSIGN_OR_RETURN(Rows rows, conn.Query("UPDATE hosts SET abuse_state = $2, abuse_reason = $3, "
                                             "abuse_since = $4, abuse_action = $5, abuse_order = $6 "
                                             "WHERE id = $1 RETURNING fqdn",
                                             Params()
                                                 .Int(change.host_id)
                                                 .Text(AbuseStateName(change.state))
                                                 .Text(change.reason)
                                                 .Int(change.time)
                                                 .Text(account_rows::AbuseActionText(change))
                                                 .Int(change.state == AbuseState::kEnforced ? change.order : 0)));
      if (rows.size() == 0) continue;
      Row row = rows.At(0);
      ASSIGN_OR_RETURN(const dns::Name fqdn, NameFromColumn(row.Bytes(0)));
      RETURN_IF_ERROR(Record(conn, ChangeKind::kHost, change.host_id, fqdn.ToText()));
    }
    return Ok();
  });
}

// ---- credentials ----

Result<TokenInfo> PostgresAccountStore::CreateToken(const TokenInfo& token) {
  TokenInfo created = token;
  ASSIGN_OR_RETURN(account_rows::TokenLists lists, account_rows::TokenListsOf(token));
  RETURN_IF_ERROR(committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(
        created.id,
        InsertedId(conn.Query("INSERT INTO tokens(user_id, digest, hosts, types, networks, "
                              "expires, created, revoked) VALUES($1, $2, $3, $4, $5, $6, $7, "
                              "false) RETURNING id",
                              Params()
                                  .Int(created.user_id)
                                  .Text(created.digest)
                                  .Text(lists.hosts)
                                  .Text(lists.types)
                                  .Text(lists.networks)
                                  .Int(created.expires)
                                  .Int(created.created)),
                   "token"));
    return Record(conn, ChangeKind::kToken, created.id, created.digest);
  }));
  created.revoked = false;
  return created;
}

Result<std::optional<TokenInfo>> PostgresAccountStore::FindToken(const std::string& digest) {
  return First(Query<TokenInfo>(std::string("SELECT ") + account_rows::kTokenColumns +
                                    " FROM tokens WHERE digest = $1",
                                Params().Text(digest), TokenFromRow));
}

Result<std::vector<TokenInfo>> PostgresAccountStore::ListTokens(std::optional<int64_t> user_id) {
  std::string sql = std::string("SELECT ") + account_rows::kTokenColumns + " FROM tokens";
  Params params;
  if (user_id) {
    sql += " WHERE user_id = $1";
    params.Int(*user_id);
  }
  return Query<TokenInfo>(sql + " ORDER BY id", params, TokenFromRow);
}

Result<bool> PostgresAccountStore::RevokeToken(int64_t id) {
  bool revoked = false;
  RETURN_IF_ERROR(committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(Rows rows, conn.Query("UPDATE tokens SET revoked = true WHERE id = $1 "
                                           "RETURNING user_id, digest",
                                           Params().Int(id)));
    revoked = rows.size() > 0;
    if (!revoked) return Ok();
    // Proofs cached for the owner's credentials are void from now on, on every node.
    Row row = rows.At(0);
    const int64_t user_id = row.Int(0);
    const std::string digest(row.Text(1));
    if (!row.ok()) return Damaged("token row");
    ASSIGN_OR_RETURN(Rows users,
                     conn.Query("UPDATE users SET credential_version = credential_version + 1 "
                                "WHERE id = $1 RETURNING name",
                                Params().Int(user_id)));
    RETURN_IF_ERROR(Record(conn, ChangeKind::kToken, id, digest));
    if (users.size() == 0) return Ok();
    Row user = users.At(0);
    return Record(conn, ChangeKind::kUser, user_id, user.Text(0));
  }));
  return revoked;
}

Result<HostCredentialInfo> PostgresAccountStore::CreateHostCredential(
    const HostCredentialInfo& credential) {
  HostCredentialInfo created = credential;
  RETURN_IF_ERROR(committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(created.id,
                     InsertedId(conn.Query("INSERT INTO host_credentials(host_id, username, "
                                           "digest, created) VALUES($1, $2, $3, $4) RETURNING id",
                                           Params()
                                               .Int(created.host_id)
                                               .Text(created.username)
                                               .Text(created.digest)
                                               .Int(created.created)),
                                "credential " + created.username));
    return Record(conn, ChangeKind::kCredential, created.id, created.username);
  }));
  return created;
}

Result<std::optional<HostCredentialInfo>> PostgresAccountStore::FindHostCredential(
    const std::string& username) {
  return First(Query<HostCredentialInfo>(std::string("SELECT ") + account_rows::kCredentialColumns +
                                             " FROM host_credentials WHERE username = $1",
                                         Params().Text(username), CredentialFromRow));
}

Result<std::vector<HostCredentialInfo>> PostgresAccountStore::ListHostCredentials() {
  return Query<HostCredentialInfo>(std::string("SELECT ") + account_rows::kCredentialColumns +
                                       " FROM host_credentials ORDER BY id",
                                   Params(), CredentialFromRow);
}

// ---- history ----

void PostgresAccountStore::AppendHistory(HistoryEntry entry) {
  MutexLock lock(history_mu_);
  history_.push_back(std::move(entry));
}

// The batch is taken inside the job, as in the SQLite store (sqlite/account_store.cc):
// when Run returns, every entry appended before the call is durable.
Status PostgresAccountStore::FlushHistory() {
  return committer_.Run([&](Conn& conn) -> Status {
    std::vector<HistoryEntry> batch;
    {
      MutexLock lock(history_mu_);
      batch.swap(history_);
    }
    if (batch.empty()) return Ok();
    // One statement for the batch, however large (a second of polls under load), so the
    // committer is not held for a round trip per entry.
    std::vector<int64_t> host_ids, times;
    std::vector<std::string_view> sources, agents, credentials, old_values, new_values, results;
    std::map<int64_t, int64_t> touched;  // host id -> its newest good update
    for (const auto& entry : batch) {
      host_ids.push_back(entry.host_id);
      times.push_back(entry.time);
      sources.push_back(entry.source);
      agents.push_back(entry.user_agent);
      credentials.push_back(entry.credential);
      old_values.push_back(entry.old_value);
      new_values.push_back(entry.new_value);
      results.push_back(entry.result);
      if (entry.touches_host && entry.result.rfind("good", 0) == 0) {
        auto [at, fresh] = touched.emplace(entry.host_id, entry.time);
        if (!fresh) at->second = std::max(at->second, entry.time);
      }
    }
    // WITH ORDINALITY keeps the appended order in the ids. Entries of hosts deleted
    // meanwhile are dropped.
    RETURN_IF_ERROR(conn.Prepared(
        "history_insert",
        "INSERT INTO history(host_id, time, source, user_agent, credential, old_value, "
        "new_value, result) SELECT e.host_id, e.time, e.source, e.user_agent, e.credential, "
        "e.old_value, e.new_value, e.result FROM unnest($1::bigint[], $2::bigint[], "
        "$3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH "
        "ORDINALITY AS e(host_id, time, source, user_agent, credential, old_value, new_value, "
        "result, n) WHERE EXISTS (SELECT 1 FROM hosts h WHERE h.id = e.host_id) ORDER BY e.n",
        Params()
            .IntArray(host_ids)
            .IntArray(times)
            .TextArray(sources)
            .TextArray(agents)
            .TextArray(credentials)
            .TextArray(old_values)
            .TextArray(new_values)
            .TextArray(results)));
    if (touched.empty()) return Ok();
    std::vector<int64_t> touched_ids, touched_times;
    for (const auto& [id, time] : touched) {
      touched_ids.push_back(id);
      touched_times.push_back(time);
    }
    return conn
        .Prepared("history_touch",
                  // To the minute (kLastUpdateGrain): a host changing every few seconds
                  // does not rewrite its row in every flush.
                  "UPDATE hosts h SET last_update = t.time FROM "
                  "unnest($1::bigint[], $2::bigint[]) AS t(id, time) "
                  "WHERE h.id = t.id AND h.last_update <= t.time - $3",
                  Params().IntArray(touched_ids).IntArray(touched_times).Int(kLastUpdateGrain))
        .map([](Rows&&) {});
  });
}

void PostgresAccountStore::FlushLoop() {
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

Result<std::vector<HistoryEntry>> PostgresAccountStore::ReadHistory(int64_t host_id,
                                                                    size_t limit) {
  // What was appended before this call is part of the answer (reads are rare; one commit).
  RETURN_IF_ERROR(FlushHistory());
  return Query<HistoryEntry>(
      "SELECT id, host_id, time, source, user_agent, credential, old_value, new_value, result "
      "FROM history WHERE host_id = $1 ORDER BY id DESC LIMIT $2",
      Params().Int(host_id).Int(static_cast<int64_t>(limit)), [](Row& r) -> Result<HistoryEntry> {
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
        if (!r.ok()) return Damaged("history row");
        return entry;
      });
}

// In steps of kHistoryTrimStep rows, each its own transaction.
Result<size_t> PostgresAccountStore::TrimHistory(int64_t before, const std::vector<int64_t>& keep) {
  size_t deleted = 0;
  while (true) {
    size_t step = 0;
    RETURN_IF_ERROR(committer_.Run([&](Conn& conn) -> Status {
      // The kept hosts as one array parameter: there may be thousands of them.
      ASSIGN_OR_RETURN(Rows rows, conn.Query("DELETE FROM history WHERE id IN (SELECT id FROM history WHERE "
                                             "time < $1 AND NOT host_id = ANY($2::bigint[]) LIMIT $3)",
                                             Params().Int(before).IntArray(keep).Int(kHistoryTrimStep)));
      step = static_cast<size_t>(rows.affected());
      return Ok();
    }));
    deleted += step;
    if (step < static_cast<size_t>(kHistoryTrimStep)) return deleted;
  }
}

// ---- audit log ----

Result<AuditEntry> PostgresAccountStore::AppendAudit(const AuditEntry& entry) {
  AuditEntry stored = entry;
  RETURN_IF_ERROR(committer_.Run([&](Conn& conn) -> Status {
    // Every node's committer holds the feed's counter row from BEGIN (committer.h), so no
    // other node appends between this read and the insert; were one to, the primary key on
    // seq would refuse the second entry rather than fork the chain.
    ASSIGN_OR_RETURN(Rows last, conn.Query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
    stored.seq = 1;
    stored.prev_hash = kAuditGenesisHash;
    if (last.size() == 1) {
      Row row = last.At(0);
      const int64_t seq = row.Int(0);
      stored.prev_hash = std::string(row.Text(1));
      if (!row.ok() || seq < 1) return Damaged("audit row " + std::to_string(seq));
      stored.seq = static_cast<uint64_t>(seq) + 1;
    }
    stored.hash = AuditHash(stored);
    return conn.Exec(std::string("INSERT INTO audit(") + account_rows::kAuditColumns +
                         ") VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                     Params()
                         .Int(static_cast<int64_t>(stored.seq))
                         .Int(stored.time)
                         .Text(stored.actor)
                         .Text(stored.action)
                         .Text(stored.reason)
                         .Text(stored.reference)
                         .Text(JoinAuditNames(stored.names))
                         .Int(stored.serial_before)
                         .Int(stored.serial_after)
                         .Text(stored.prev_hash)
                         .Text(stored.hash));
  }));
  return stored;
}

Result<std::vector<AuditEntry>> PostgresAccountStore::ReadAudit(uint64_t after_seq, size_t limit) {
  return Query<AuditEntry>(
      std::string("SELECT ") + account_rows::kAuditColumns +
          " FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
      Params()
          .Int(static_cast<int64_t>(std::min<uint64_t>(after_seq, INT64_MAX)))
          .Int(static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX))),
      [](Row& row) -> Result<AuditEntry> {
        auto decoded = account_rows::Audit(row);
        if (!decoded) return Damaged("audit row");
        return std::move(*decoded);
      });
}

// ---- takedowns ----

namespace {

// $1..$17 in the order of the INSERT below.
Params TakedownParams(const Takedown& takedown) {
  return Params()
      .Text(TakedownStatusName(takedown.status))
      .Int(takedown.preview_id)
      .Int(takedown.created)
      .Text(takedown.author)
      .Text(takedown.approver)
      .Text(EnforceActionName(takedown.action))
      .Text(JoinAuditNames(takedown.ns))
      .Text(takedown.reason)
      .Text(takedown.reference)
      .Int(takedown.expires)
      .Int(takedown.forced ? 1 : 0)
      .Text(JoinAuditNames(takedown.names))
      .Text(takedown.report)
      .Text(takedown.snapshot)
      .Text(takedown.serials)
      .Int(takedown.applied)
      .Int(takedown.restored);
}

Result<Takedown> TakedownFromRow(Row& row) {
  auto decoded = account_rows::TakedownRow(row);
  if (!decoded) return Damaged("takedown row " + std::to_string(row.Int(0)));
  return std::move(*decoded);
}

}  // namespace

Result<Takedown> PostgresAccountStore::CreateTakedown(const Takedown& takedown) {
  Takedown created = takedown;
  RETURN_IF_ERROR(committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(created.id,
                     InsertedId(conn.Query("INSERT INTO takedowns(status, preview_id, created, author, approver, "
                                           "action, ns, reason, reference, expires, forced, names, report, "
                                           "snapshot, serials, applied, restored) VALUES($1, $2, $3, $4, $5, "
                                           "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
                                           TakedownParams(created)),
                                "takedown"));
    return Ok();
  }));
  return created;
}

Status PostgresAccountStore::UpdateTakedown(const Takedown& takedown) {
  return committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(Rows rows, conn.Query("UPDATE takedowns SET status = $2, approver = $3, serials = $4, "
                                           "applied = $5, restored = $6 WHERE id = $1 RETURNING id",
                                           Params()
                                               .Int(takedown.id)
                                               .Text(TakedownStatusName(takedown.status))
                                               .Text(takedown.approver)
                                               .Text(takedown.serials)
                                               .Int(takedown.applied)
                                               .Int(takedown.restored)));
    if (rows.size() == 0) return MakeError(ErrorCode::kNotFound, "no takedown " + std::to_string(takedown.id));
    return Ok();
  });
}

// The snapshot stays a column here: PostgreSQL keeps a large value out of line (TOAST) and
// does not copy it when an update leaves it alone.
Status PostgresAccountStore::SetTakedownSnapshot(int64_t id, const std::string& snapshot) {
  return committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(Rows rows, conn.Query("UPDATE takedowns SET snapshot = $2 WHERE id = $1 RETURNING id",
                                           Params().Int(id).Text(snapshot)));
    if (rows.size() == 0) return MakeError(ErrorCode::kNotFound, "no takedown " + std::to_string(id));
    return Ok();
  });
}

Result<std::optional<Takedown>> PostgresAccountStore::GetTakedown(int64_t id) {
  return First(Query<Takedown>(std::string("SELECT ") + account_rows::kTakedownColumns +
                                   " FROM takedowns WHERE id = $1",
                               Params().Int(id), TakedownFromRow));
}

Result<std::vector<Takedown>> PostgresAccountStore::ListTakedowns() {
  return Query<Takedown>(std::string("SELECT ") + account_rows::kTakedownListColumns +
                             " FROM takedowns ORDER BY id DESC",
                         Params(), TakedownFromRow);
}

Result<std::vector<Takedown>> PostgresAccountStore::ExpiredTakedowns(int64_t now) {
  return Query<Takedown>(std::string("SELECT ") + account_rows::kTakedownListColumns +
                             " FROM takedowns WHERE status = 'applied' AND expires != 0 AND expires <= $1 ORDER BY id",
                         Params().Int(now), TakedownFromRow);
}

}  // namespace tether::store::postgres
