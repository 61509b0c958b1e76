// Writer: every change to the SQLite store. It owns the write connection and the prepared
// statements of the write paths. Each method runs inside a transaction (and a SAVEPOINT)
// that the Committer opened, and leaves committing or rolling back to it: a method that
// fails may have written part of its change, which the Committer's ROLLBACK TO undoes.
// FoldStep is the exception: it runs between the Committer's transactions and opens its
// own.
//
// Journal first: Commit writes the journal entry and the zones row (serial, journal_seq,
// the SOA), never a names row, so a durable update writes a few hot pages however large
// the zone. Folding brings names forward: a fold pass takes each zone with unfolded
// entries up to its journal_seq at the start of the pass, reads those entries into a
// Replay (in steps of FoldOptions::step entries), then rewrites every touched name once,
// in key order, in transactions of FoldOptions::step names, the last of which sets
// zones.folded_seq; then it trims the journal (JournalLimits), FoldOptions::step entries a
// transaction. A crash between two of them leaves some rows
// ahead of folded_seq, which is harmless: replay is idempotent (replay.h), so LoadZone
// (names + the entries after folded_seq) still gives the current content, and the next
// pass folds the same entries again.
//
// Folding from memory: the committed content of every name a commit changed is also kept
// in memory (the memo, per zone: owner key -> encoded RRsets, and the zone's newest SOA).
// Commit adds to it inside the group transaction; every way a group ends without
// committing calls ForgetCaches, which drops the memo, and folds run only between groups,
// so a fold never sees a change that was not committed. A pass that finds a
// zone's memo complete — begun at or before folded_seq, and up to the zone's journal_seq —
// writes the memo's names as they are (the apex with the newest SOA) instead of reading the
// journal back and replaying it onto the stored rows: by Commit's contract (store.h) the
// change's names are the stored content with its diff applied, so both give the same rows.
// Whatever may leave the memo incomplete drops it (a rolled-back job or group, a zone
// removed, a memo grown past its bound), and the zone is folded from the journal again.
//
// Thread-safety: none; only the committer thread calls it (after construction).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace tether::store::sqlite {

class Writer {
 public:
  // `now` returns unix seconds (journal times, unixtime serials, journal age).
  static Result<std::unique_ptr<Writer>> Create(Db db, JournalLimits limits,
                                                std::function<int64_t()> now,
                                                FoldOptions fold = {});
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Db& db() { return db_; }

  // Transaction control for the Committer, as prepared statements (they run for every
  // change, so they are not parsed again each time).
  enum class Txn { kBegin, kCommit, kRollback, kSavepoint, kRelease, kRollbackTo };
  Status Run(Txn step);

  // The body of Store::Commit (store.h): checks the change, allocates the serial, journals
  // the change with the SOAs and updates the zones row (serial, journal_seq, SOA). Reads
  // and writes no names row. Normalises `change` in place.
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

  // Deletes the history of removed hosts: each chain whose newest entry history_purge
  // holds (schema.cc, version 14: the trigger on hosts queues it), then the queue. Called
  // by what removes hosts, in its transaction, and by the history flush for any other way.
  Status PurgeHistory();

  // The newest history entry of each host whose entries this process flushed, as
  // history_heads holds it: the history flush (account_store.cc) then needs no read per
  // host. Entries of a host never removed since. PurgeHistory clears it when it purged a
  // chain, and the committer (ForgetCaches) when a job or a group was rolled back: then it
  // may name entries that were not kept.
  std::unordered_map<int64_t, int64_t>& history_heads() { return history_heads_; }
  // What the writer keeps of the database may name rows a rollback removed: the history
  // heads and the fold memo go.
  void ForgetCaches();

  // ---- Folding (writer_fold.cc) ----
  // Names changed by the commits since the current fold pass began, counted per commit (at
  // open: the entries of the backlog found). The committer's cue to fold; it also counts
  // commits whose group was rolled back.
  uint64_t unfolded() const { return unfolded_; }
  // True while a fold pass is under way.
  bool folding() const { return pass_ != nullptr; }
  // One bounded step of folding: starts a pass if none is under way, then reads a chunk of
  // journal entries or writes (and commits) a slice of names. Returns false if there was
  // nothing to fold. On error the pass is abandoned; what it committed stays valid.
  // REQUIRES: no transaction is open.
  Result<bool> FoldStep();

 private:
  struct FoldPass;  // writer_fold.cc

  // The zones row as the writer needs it.
  struct ZoneRow {
    ZoneInfo info;
    uint64_t folded_seq = 0;
    zone::Rrset soa;  // empty rdatas if the stored one is unusable
  };

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
    Statement unfolded_zones;
    Statement read_journal;
    Statement set_folded;
    Statement txn[6];  // indexed by Txn
  };

  Writer(Db db, JournalLimits limits, std::function<int64_t()> now, FoldOptions fold);
  Status Prepare();

  Result<ZoneRow> ZoneById(int64_t zone_id);
  Result<std::optional<int64_t>> ZoneIdByOrigin(const dns::Name& origin);
  // The stored RRsets at `owner` (an owner key, blob_codec.h); empty if the row is missing.
  Result<std::vector<zone::Rrset>> GetName(int64_t zone_id, std::span<const uint8_t> owner);
  // Writes (or, for empty `rrsets`, deletes) a name row.
  Status PutName(int64_t zone_id, std::span<const uint8_t> owner,
                 const std::vector<zone::Rrset>& rrsets);
  // The same with the RRsets encoded (EncodeRrsets; empty: delete).
  Status PutNameBlob(int64_t zone_id, std::span<const uint8_t> owner,
                     std::span<const uint8_t> blob);
  // Deletes up to `limit` of the zone's oldest entries beyond the limits, never one after
  // `folded_seq`; returns how many it deleted.
  Result<uint64_t> TrimJournal(int64_t zone_id, uint64_t seq, uint64_t folded_seq, int64_t now,
                               uint64_t limit);

  // Fold steps (writer_fold.cc).
  Status StartPass();
  Status FoldPassStep();
  // Adds a commit's names to the zone's memo: of the names its diff touches, the only ones
  // replaying the entry changes (the apex among them: the entry sets its SOA).
  void RememberForFold(const ZoneInfo& zone, const CommitResult& result, const ZoneChange& change);
  // Takes the zone's memo for the front zone of the pass if it is complete (`row` is the
  // zone's row now). Returns false if the zone must be folded from the journal.
  Result<bool> TakeMemo(const ZoneRow& row);
  Status ReadForFold();
  Status WriteFoldSlice();
  Status TrimStep();
  // Drops the zone from a pass under way (it is being deleted; its id may come back).
  void ForgetFold(int64_t zone_id);

  Db db_;  // first: destroyed after the statements
  Statements s_;
  const JournalLimits limits_;
  const std::function<int64_t()> now_;
  const FoldOptions fold_;
  std::vector<uint8_t> buffer_;  // reused for encoding blobs
  uint64_t unfolded_ = 0;
  std::unique_ptr<FoldPass> pass_;

  // The fold memo (see the top of this file).
  struct Memo {
    dns::Name origin;
    uint64_t base_seq = 0;  // the memo holds every name changed by entries after this one
    uint64_t seq = 0;       // ... up to this one
    zone::Rrset soa;        // the SOA entry `seq` set
    std::unordered_map<std::string, std::vector<uint8_t>> names;  // owner key -> EncodeRrsets
  };
  std::unordered_map<int64_t, Memo> memo_;
  std::unordered_map<int64_t, int64_t> history_heads_;  // host id -> newest entry id
};

}  // namespace tether::store::sqlite
