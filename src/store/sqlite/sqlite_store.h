// SqliteStore: the Store (store.h) on one SQLite file in WAL mode.
//
// Writes — Commit and every admin change — are jobs for the Committer (committer.h), which
// owns the only write connection and commits groups of them in one transaction each. Reads
// share one read connection behind a mutex (WAL lets it read while the committer writes),
// except LoadZone, which opens its own connection so that a long load neither blocks other
// reads nor deadlocks when its sink calls back into the store. LoadZone reads, in one
// snapshot, the names rows and the journal entries not folded into them yet, and applies
// those (replay.h) as it streams the rows.
//
// Thread-safety: every method may be called from any thread. Callbacks (CreateZone's
// progress) run on the committer thread; LoadZone's sink runs on the caller's thread.
#pragma once

#include <memory>
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "store/sqlite/account_store.h"
#include "store/sqlite/committer.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace tether::store::sqlite {

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options);
  ~SqliteStore() override;

  Result<std::vector<ZoneInfo>> ListZones() override;
  Result<std::optional<ZoneInfo>> GetZone(const dns::Name& origin) override;
  Result<ZoneInfo> CreateZone(const dns::Name& origin, SerialPolicy policy,
                              const std::vector<zone::NameUpdate>& names,
                              const std::function<void(size_t, size_t)>& progress,
                              ZoneKind kind = ZoneKind::kPlain) override;
  Result<bool> DeleteZone(const dns::Name& origin) override;
  Status SetAllowUpdate(int64_t zone_id, const std::vector<std::string>& cidrs) override;
  Result<TransferSettings> GetTransferSettings(int64_t zone_id) override;  // transfers.cc
  Status SetTransferSettings(int64_t zone_id, const TransferSettings& settings) override;
  Result<std::optional<PrimarySettings>> GetPrimarySettings(int64_t zone_id) override;
  Status SetPrimarySettings(int64_t zone_id,
                            const std::optional<PrimarySettings>& settings) override;
  AccountStore& accounts() override;
  AuditLog& audit() override;
  TakedownStore& takedowns() override;
  AbuseCaseStore& cases() override;
  Status LoadZone(int64_t zone_id, const std::function<void(zone::NameUpdate&&)>& sink) override;

  Result<CommitResult> Commit(ZoneChange change) override;
  Result<std::vector<JournalEntry>> ReadJournal(int64_t zone_id, uint64_t after_seq) override;

  Result<std::vector<TsigKeyInfo>> ListKeys() override;
  Status AddKey(const TsigKeyInfo& key) override;
  Result<bool> RemoveKey(const dns::Name& name) override;
  Status AddGrant(const dns::Name& key, const KeyGrant& grant) override;

  // Group-commit counters: jobs / transactions is the number of changes per fsync.
  CommitterStats GroupCommitStats() { return committer_->Stats(); }
  // Folds the journal into the names table now (Committer::Fold): `max_steps` steps, or
  // (0) all of it. Folding is automatic (FoldOptions); this is for tests and tools.
  Status FoldJournal(size_t max_steps = 0);

 private:
  // Prepared once on the read connection, reset after each use.
  struct ReadStatements {
    Statement list_zones;
    Statement zone_by_origin;
    Statement journal;
    Statement list_keys;
    Statement list_grants;
  };

  explicit SqliteStore(std::string path) : path_(std::move(path)) {}
  Status PrepareReads() EXCLUDES(read_mu_);

  const std::string path_;
  Mutex read_mu_;
  Db read_db_ GUARDED_BY(read_mu_);  // before reads_: destroyed after them
  ReadStatements reads_ GUARDED_BY(read_mu_);
  std::unique_ptr<Committer> committer_;
  std::unique_ptr<SqliteAccountStore> accounts_;  // uses committer_: destroyed first
};

}  // namespace tether::store::sqlite
