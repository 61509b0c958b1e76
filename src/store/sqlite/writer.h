// Writer: every change to the SQLite store. It owns the write connection and the prepared
// statements of the write paths. Each method runs inside a transaction (and a SAVEPOINT)
// that the Committer opened, and leaves committing or rolling back to it: a method that
// fails may have written part of its change, which the Committer's ROLLBACK TO undoes.
//
// Thread-safety: none; only the committer thread calls it (after construction).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace tether::store::sqlite {

class Writer {
 public:
  // `now` returns unix seconds (journal times, unixtime serials, journal age).
  static Result<std::unique_ptr<Writer>> Create(Db db, JournalLimits limits,
                                                std::function<int64_t()> now);

  Db& db() { return db_; }

  // Transaction control for the Committer, as prepared statements (they run for every
  // change, so they are not parsed again each time).
  enum class Txn { kBegin, kCommit, kRollback, kSavepoint, kRelease, kRollbackTo };
  Status Run(Txn step);

  // The body of Store::Commit (store.h): allocates the serial, rewrites the apex SOA, writes
  // the names, journals the change and trims the journal. Normalises `change` in place.
  Result<CommitResult> Commit(ZoneChange& change);

  // The bodies of the Store methods of the same names (store.h). `progress` is called on
  // the committer thread.
  Result<ZoneInfo> CreateZone(const dns::Name& origin, SerialPolicy policy,
                              const std::vector<zone::NameUpdate>& names,
                              const std::function<void(size_t, size_t)>& progress);
  Result<bool> DeleteZone(const dns::Name& origin);
  Status SetAllowUpdate(int64_t zone_id, const std::vector<std::string>& cidrs);
  Status AddKey(const TsigKeyInfo& key);
  Result<bool> RemoveKey(const dns::Name& name);
  Status AddGrant(const dns::Name& key, const KeyGrant& grant);

 private:
  // Prepared once, reset after each use (ResetOnExit).
  struct Statements {
    Statement zone_by_id;
    Statement zone_id_by_origin;
    Statement insert_zone;
    Statement get_name;
    Statement put_name;
    Statement insert_name;
    Statement delete_name;
    Statement insert_journal;
    Statement update_zone;
    Statement journal_times;
    Statement trim_journal;
    Statement txn[6];  // indexed by Txn
  };

  Writer(Db db, JournalLimits limits, std::function<int64_t()> now)
      : db_(std::move(db)), limits_(limits), now_(std::move(now)) {}
  Status Prepare();

  Result<ZoneInfo> ZoneById(int64_t zone_id);
  Result<std::optional<int64_t>> ZoneIdByOrigin(const dns::Name& origin);
  // The stored RRsets at `owner` (an owner key, blob_codec.h); empty if the row is missing.
  Result<std::vector<zone::Rrset>> GetName(int64_t zone_id, std::span<const uint8_t> owner);
  // Writes (or, for empty `rrsets`, deletes) a name row.
  Status PutName(int64_t zone_id, std::span<const uint8_t> owner,
                 const std::vector<zone::Rrset>& rrsets);
  Status TrimJournal(int64_t zone_id, uint64_t seq, int64_t now);

  Db db_;  // first: destroyed after the statements
  Statements s_;
  const JournalLimits limits_;
  const std::function<int64_t()> now_;
  std::vector<uint8_t> buffer_;  // reused for encoding blobs
};

}  // namespace tether::store::sqlite
