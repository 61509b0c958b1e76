// The PostgreSQL store's change feed (store.h ChangeKind; docs/postgresql.md, "Several
// nodes"): the `changes` table, one row per change any node made, and `feed`, its one-row
// counter.
//
// Writing: every write another node must hear of calls RecordChange inside its committer
// job, so that the entry is rolled back with the job's savepoint and durable with its
// transaction. Its seq comes from the counter row, whose lock every committer takes right
// after BEGIN (kFeedLockSql, committer.h) and holds to COMMIT: the writing transactions of
// all nodes follow one another, so seqs are gap-free and in commit order, and a reader that
// has seen seq <= N has missed nothing before N.
//
// Reading: FeedReader, on a connection of its own that LISTENs for the NOTIFY each writing
// transaction sends (delivered at its commit, coalesced).
//
// Thread-safety: RecordChange runs on the committer's connection (committer.h); a FeedReader
// is for one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/postgres/conn.h"
#include "store/store.h"

namespace tether::store::postgres {

// The statement the committer runs right after each BEGIN, before any job.
inline constexpr const char* kFeedLockSql = "SELECT seq FROM feed FOR UPDATE";

// Appends the entry (kind, id, object) with the next seq and `now` (unix seconds), asks for
// a NOTIFY at commit, and every `limits.trim_every` entries deletes those beyond
// `limits.keep`. One round trip.
Status RecordChange(Conn& conn, const FeedLimits& limits, ChangeKind kind, int64_t id,
                    std::string_view object, int64_t now);

// The newest entry's seq (0: none yet).
Result<uint64_t> FeedHead(Conn& conn);

class FeedReader {
 public:
  explicit FeedReader(std::string conninfo) : conninfo_(std::move(conninfo)) {}

  // Store::WaitForChanges (store.h). Connects (and LISTENs) on first use and after a
  // failure; LISTEN comes before the first read, so no change committed after that read
  // goes unnoticed.
  Result<ChangeBatch> Wait(uint64_t after, std::chrono::milliseconds wait);

 private:
  // The entries after `after` (at most kBatch), and whether some were lost.
  Result<ChangeBatch> Read(uint64_t after);

  const std::string conninfo_;
  Conn conn_;  // not connected until first use, and after a failure
  bool listening_ = false;
};

}  // namespace tether::store::postgres
