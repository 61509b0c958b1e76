// SqliteAccountStore: the accounts part of the store (store/accounts.h) on the same SQLite
// file as the zones. Writes are jobs for the store's Committer, so there is still exactly
// one writer; reads use their own read connection behind a mutex. It is also the audit log
// (store/audit.h), whose appends are committer jobs too, the takedown store
// (store/takedowns.h) and the abuse desk's cases and appeals (store/abuse_cases.h,
// abuse_cases.cc). History entries are buffered and written by the committer in batches
// about once a second (they record polls; see accounts.h).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "store/abuse_cases.h"
#include "store/accounts.h"
#include "store/audit.h"
#include "store/takedowns.h"
#include "store/sqlite/committer.h"
#include "store/sqlite/db.h"

namespace tether::store::sqlite {

class SqliteAccountStore final : public AccountStore, public AuditLog, public TakedownStore, public AbuseCaseStore {
 public:
  // `committer` must outlive this object; Stop() (or the destructor) flushes the history.
  static Result<std::unique_ptr<SqliteAccountStore>> Open(const std::string& path, Committer& committer);
  ~SqliteAccountStore() override;
  // Writes the buffered history and stops the flusher.
  void Stop();

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
  SqliteAccountStore(std::string path, Committer& committer) : path_(std::move(path)), committer_(committer) {}
  template <class T>
  Result<std::vector<T>> Query(const std::string& sql, const std::function<void(Statement&)>& bind,
                               const std::function<Result<T>(const Statement&)>& row);
  void FlushLoop();
  Result<std::vector<Takedown>> ReadTakedowns(const std::string& sql, const std::function<void(Statement&)>& bind);
  // Reads rows of `what` ("case", "appeal") on the read connection (abuse_cases.cc).
  template <class T>
  Result<std::vector<T>> ReadRows(const std::string& sql, const std::function<void(Statement&)>& bind,
                                  std::optional<T> (*decode)(Statement&), const char* what);

  const std::string path_;
  Committer& committer_;
  Mutex read_mu_;
  Db read_db_ GUARDED_BY(read_mu_);

  Mutex history_mu_;
  std::condition_variable_any history_cv_;
  std::vector<HistoryEntry> history_ GUARDED_BY(history_mu_);
  // The last flushed batch, emptied, kept for its capacity: swapped in as the next buffer,
  // so that appending does not grow a vector from nothing (and fault in fresh pages) after
  // every flush. Touched only inside the flush's job (jobs run one at a time).
  std::vector<HistoryEntry> history_spare_;
  bool stopping_ GUARDED_BY(history_mu_) = false;
  std::thread flusher_;
};

}  // namespace tether::store::sqlite
