// PostgresAccountStore: the accounts part of the store (store/accounts.h) in the same
// PostgreSQL database as the zones, with the SQLite store's semantics
// (sqlite/account_store.h). Writes are jobs for the store's Committer; every change that
// affects authentication bumps the user's credential_version in its transaction, so caches
// on every node sharing the database can tell, and appends to the change feed (feed.h) what
// the other nodes must reload: kUser, kHost, kToken and kCredential entries (history,
// appended or trimmed, is no change to follow). Reads use a connection of their own behind a
// mutex. History entries are buffered and written by the committer about once a second.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "store/abuse_cases.h"
#include "store/accounts.h"
#include "store/audit.h"
#include "store/takedowns.h"
#include "store/postgres/committer.h"
#include "store/postgres/conn.h"
#include "store/store.h"

namespace tether::store::postgres {

class PostgresAccountStore final : public AccountStore, public AuditLog, public TakedownStore, public AbuseCaseStore {
 public:
  // `committer` must outlive this object; the destructor flushes the history. `feed` and
  // `now` (unix seconds) are for the change feed's entries.
  static Result<std::unique_ptr<PostgresAccountStore>> Open(const std::string& conninfo,
                                                            Committer& committer,
                                                            const FeedLimits& feed,
                                                            std::function<int64_t()> now);
  ~PostgresAccountStore() override;

  Result<UserInfo> CreateUser(const UserInfo& user) override;
  Result<std::optional<UserInfo>> GetUser(int64_t id) override;
  Result<std::optional<UserInfo>> GetUserByName(const std::string& name) override;
  Result<std::vector<UserInfo>> ListUsers() override;
  Result<bool> DeleteUser(int64_t id) override;
  Status SetPasswordHash(int64_t user_id, const std::string& hash) override;

  Result<HostInfo> CreateHost(const HostInfo& host) override;
  Result<std::optional<HostInfo>> GetHost(const dns::Name& fqdn) override;
  Result<std::vector<HostInfo>> ListHosts(std::optional<int64_t> user_id) override;
  Result<size_t> CountHosts(int64_t user_id) override;
  Result<bool> DeleteHost(int64_t id) override;
  Status SetLifecycle(int64_t host_id, Lifecycle lifecycle) override;
  Status SetAbuseStates(const std::vector<AbuseStateChange>& changes) override;

  Result<TokenInfo> CreateToken(const TokenInfo& token) override;
  Result<std::optional<TokenInfo>> FindToken(const std::string& digest) override;
  Result<std::vector<TokenInfo>> ListTokens(std::optional<int64_t> user_id) override;
  Result<bool> RevokeToken(int64_t id) override;
  Result<HostCredentialInfo> CreateHostCredential(const HostCredentialInfo& credential) override;
  Result<std::optional<HostCredentialInfo>> FindHostCredential(const std::string& username) override;
  Result<std::vector<HostCredentialInfo>> ListHostCredentials() override;

  void AppendHistory(HistoryEntry entry) override;
  Result<std::vector<HistoryEntry>> ReadHistory(int64_t host_id, size_t limit) override;
  Result<size_t> TrimHistory(int64_t before, const std::vector<int64_t>& keep) override;

  Result<AuditEntry> AppendAudit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> ReadAudit(uint64_t after_seq, size_t limit) override;

  Result<Takedown> CreateTakedown(const Takedown& takedown) override;
  Status UpdateTakedown(const Takedown& takedown) override;
  Status SetTakedownSnapshot(int64_t id, const std::string& snapshot) override;
  Result<std::optional<Takedown>> GetTakedown(int64_t id) override;
  Result<std::vector<Takedown>> ListTakedowns() override;
  Result<std::vector<Takedown>> ExpiredTakedowns(int64_t now) override;

  // abuse_cases.cc
  Result<AbuseCase> CreateCase(const AbuseCase& abuse_case) override;
  Status UpdateCase(const AbuseCase& abuse_case) override;
  Result<std::optional<AbuseCase>> GetCase(int64_t id) override;
  Result<std::vector<AbuseCase>> ListCases(std::optional<CaseState> state) override;
  Result<Appeal> CreateAppeal(const Appeal& appeal) override;
  Status UpdateAppeal(const Appeal& appeal) override;
  Result<std::optional<Appeal>> GetAppeal(int64_t id) override;
  Result<std::vector<Appeal>> ListAppeals(std::optional<int64_t> user_id) override;

  // Writes the buffered history now (tests, shutdown).
  Status FlushHistory();

 private:
  PostgresAccountStore(Committer& committer, const FeedLimits& feed, std::function<int64_t()> now)
      : committer_(committer), feed_(feed), now_(std::move(now)) {}
  // Appends a feed entry inside the running job (feed.h).
  Status Record(Conn& conn, ChangeKind kind, int64_t id, std::string_view object);
  // Runs `sql` on the read connection and parses each row with `parse`.
  template <class T>
  Result<std::vector<T>> Query(const std::string& sql, const Params& params,
                               const std::function<Result<T>(Row&)>& parse) EXCLUDES(read_mu_);
  void FlushLoop();
  // Reads rows of `what` ("case", "appeal") on the read connection (abuse_cases.cc).
  template <class T>
  Result<std::vector<T>> ReadRows(const std::string& sql, const Params& params, std::optional<T> (*decode)(Row&),
                                  const char* what) EXCLUDES(read_mu_);

  Committer& committer_;
  const FeedLimits feed_;
  const std::function<int64_t()> now_;
  Mutex read_mu_;
  Conn read_conn_ GUARDED_BY(read_mu_);

  Mutex history_mu_;
  std::condition_variable_any history_cv_;
  std::vector<HistoryEntry> history_ GUARDED_BY(history_mu_);
  bool stopping_ GUARDED_BY(history_mu_) = false;
  std::thread flusher_;
};

}  // namespace tether::store::postgres
