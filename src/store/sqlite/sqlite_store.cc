// SqliteStore: opening, and the write methods, each a job for the committer. The read
// methods are in sqlite_reads.cc.
#include "store/sqlite/sqlite_store.h"

#include <chrono>

#include "store/sqlite/account_store.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/writer.h"

namespace tether::store::sqlite {

namespace {

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// PRAGMA quick_check reads every page: cheap for a small store, seconds for a store of
// millions of names, where it would delay every start. Above this size damage is found
// when the damaged pages are read (and reported then, naming the file).
constexpr int64_t kQuickCheckMaxBytes = 64 << 20;

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(options.path));
  ASSIGN_OR_RETURN(Db write_db, OpenWriteConnection(options.path, kQuickCheckMaxBytes));
  ASSIGN_OR_RETURN(std::unique_ptr<Writer> writer,
                   Writer::Create(std::move(write_db), options.journal,
                                  options.now ? options.now : SystemNow, options.fold));
  {
    ASSIGN_OR_RETURN(Db read_db, OpenReadConnection(options.path));
    MutexLock lock(store->read_mu_);
    store->read_db_ = std::move(read_db);
  }
  RETURN_IF_ERROR(store->PrepareReads());
  store->committer_ = std::make_unique<Committer>(std::move(writer), options.fold);
  ASSIGN_OR_RETURN(store->accounts_, SqliteAccountStore::Open(options.path, *store->committer_));
  return store;
}

// The committer (and its thread) goes first, after finishing the queued jobs and folding.
SqliteStore::~SqliteStore() {
  accounts_.reset();  // flushes the buffered history through the committer
  committer_.reset();
}

AccountStore& SqliteStore::accounts() { return *accounts_; }
AuditLog& SqliteStore::audit() { return *accounts_; }
TakedownStore& SqliteStore::takedowns() { return *accounts_; }
AbuseCaseStore& SqliteStore::cases() { return *accounts_; }

Status SqliteStore::FoldJournal(size_t max_steps) { return committer_->Fold(max_steps); }

Result<ZoneInfo> SqliteStore::CreateZone(const dns::Name& origin, SerialPolicy policy,
                                         const std::vector<zone::NameUpdate>& names,
                                         const std::function<void(size_t, size_t)>& progress, ZoneKind kind) {
  ZoneInfo info;
  RETURN_IF_ERROR(committer_->Run([&](Writer& writer) -> Status {
    ASSIGN_OR_RETURN(info, writer.CreateZone(origin, policy, names, progress));
    if (kind != ZoneKind::kPlain) {  // in the same transaction: never a half-made zone
      ASSIGN_OR_RETURN(Statement mark, writer.db().Prepare(kind == ZoneKind::kService
                                                               ? "UPDATE zones SET service = 1 WHERE id = ?1"
                                                               : "UPDATE zones SET rpz = 1 WHERE id = ?1"));
      mark.Bind(1, info.id);
      RETURN_IF_ERROR(mark.Run());
      info.service = kind == ZoneKind::kService;
      info.rpz = kind == ZoneKind::kRpz;
    }
    return Ok();
  }));
  return info;
}

Result<bool> SqliteStore::DeleteZone(const dns::Name& origin) {
  bool deleted = false;
  RETURN_IF_ERROR(committer_->Run([&](Writer& writer) -> Status {
    ASSIGN_OR_RETURN(deleted, writer.DeleteZone(origin));
    return Ok();
  }));
  return deleted;
}

Status SqliteStore::SetAllowUpdate(int64_t zone_id, const std::vector<std::string>& cidrs) {
  return committer_->Run(
      [&](Writer& writer) -> Status { return writer.SetAllowUpdate(zone_id, cidrs); });
}

Result<CommitResult> SqliteStore::Commit(ZoneChange change) {
  CommitResult result;
  RETURN_IF_ERROR(committer_->Run([&](Writer& writer) -> Status {
    ASSIGN_OR_RETURN(result, writer.Commit(change));
    return Ok();
  }));
  result.names = std::move(change.names);  // normalised by the commit
  return result;
}

Status SqliteStore::AddKey(const TsigKeyInfo& key) {
  return committer_->Run([&](Writer& writer) -> Status { return writer.AddKey(key); });
}

Result<bool> SqliteStore::RemoveKey(const dns::Name& name) {
  bool removed = false;
  RETURN_IF_ERROR(committer_->Run([&](Writer& writer) -> Status {
    ASSIGN_OR_RETURN(removed, writer.RemoveKey(name));
    return Ok();
  }));
  return removed;
}

Status SqliteStore::AddGrant(const dns::Name& key, const KeyGrant& grant) {
  return committer_->Run([&](Writer& writer) -> Status { return writer.AddGrant(key, grant); });
}

}  // namespace tether::store::sqlite

namespace tether::store {

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<sqlite::SqliteStore> store, sqlite::SqliteStore::Open(options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace tether::store
