// PostgresStore: the Store (store.h) on a PostgreSQL database that several tetherd nodes
// may share (docs/postgresql.md).
//
// Writes — Commit and every admin change — are jobs for the Committer (committer.h), which
// owns the write connection and commits groups of them in one transaction each. Unlike the
// SQLite store there is no fold: a commit writes its journal entry, the names rows of the
// change and the zones row (serial, journal_seq, SOA) in that transaction, having locked the
// zones row (SELECT ... FOR UPDATE), so commits of one zone from any node are serialised
// and the serial and journal sequence are allocated from the stored values. The journal is
// trimmed (JournalLimits) by the commit too, by primary key. Reads share one connection
// behind a mutex; LoadZone opens its own, so that its sink may call back into the store.
//
// Every write other nodes must hear of also appends to the change feed in its job (feed.h):
// Commit a kJournal entry; zone, key and grant changes kZone and kKeys entries; the account
// store its own. WaitForChanges reads the feed on a connection of its own, which LISTENs.
//
// Thread-safety: every method may be called from any thread. CreateZone's progress runs on
// the committer thread; LoadZone's sink on the caller's.
#pragma once

#include <memory>
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "store/postgres/committer.h"
#include "store/postgres/conn.h"
#include "store/postgres/feed.h"
#include "store/store.h"

namespace tether::store::postgres {

class PostgresAccountStore;

class PostgresStore final : public Store {
 public:
  static Result<std::unique_ptr<PostgresStore>> Open(const PostgresOptions& options);
  ~PostgresStore() override;

  Result<std::vector<ZoneInfo>> ListZones() override;
  Result<std::optional<ZoneInfo>> GetZone(const dns::Name& origin) override;
  Result<ZoneInfo> CreateZone(const dns::Name& origin, SerialPolicy policy,
                              const std::vector<zone::NameUpdate>& names,
                              const std::function<void(size_t, size_t)>& progress,
                              ZoneKind kind = ZoneKind::kPlain) override;
  Result<bool> DeleteZone(const dns::Name& origin) override;
  Status SetAllowUpdate(int64_t zone_id, const std::vector<std::string>& cidrs) override;
  Result<TransferSettings> GetTransferSettings(int64_t zone_id) override;
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

  bool HasChangeFeed() const override { return true; }
  Result<uint64_t> ChangeFeedHead() override;
  Result<ChangeBatch> WaitForChanges(uint64_t after, std::chrono::milliseconds wait) override
      EXCLUDES(feed_mu_);

  CommitterStats GroupCommitStats() { return committer_->Stats(); }

 private:
  PostgresStore(const PostgresOptions& options);
  // Runs `body` on the read connection (reconnecting first if it was lost).
  template <class T>
  Result<T> Read(const std::function<Result<T>(Conn&)>& body) EXCLUDES(read_mu_) {
    MutexLock lock(read_mu_);
    if (!read_conn_.Healthy()) {
      return MakeError(ErrorCode::kUnavailable, "postgresql: the connection is lost");
    }
    return body(read_conn_);
  }

  // Job bodies, on the committer's connection inside its transaction.
  Result<CommitResult> CommitIn(Conn& conn, ZoneChange& change);
  Result<ZoneInfo> CreateZoneIn(Conn& conn, const dns::Name& origin, SerialPolicy policy,
                                const std::vector<zone::NameUpdate>& names,
                                const std::function<void(size_t, size_t)>& progress,
                                ZoneKind kind);
  Status AddKeyIn(Conn& conn, const TsigKeyInfo& key);
  Status AddGrantIn(Conn& conn, const dns::Name& key, const KeyGrant& grant);

  const std::string conninfo_;
  const JournalLimits limits_;
  const FeedLimits feed_limits_;
  const std::function<int64_t()> now_;
  Mutex read_mu_;
  Conn read_conn_ GUARDED_BY(read_mu_);
  Mutex feed_mu_;
  FeedReader feed_reader_ GUARDED_BY(feed_mu_);
  std::unique_ptr<Committer> committer_;
  std::unique_ptr<PostgresAccountStore> accounts_;  // uses committer_: destroyed first
};

}  // namespace tether::store::postgres
