// Committer: group commit for the SQLite store. One thread owns the Writer (the only write
// connection). Callers enqueue a job and block; the thread takes every job queued, runs
// them in ONE transaction (BEGIN IMMEDIATE ... COMMIT, one fsync with synchronous=FULL),
// each inside its own SAVEPOINT so a failing job is rolled back alone, and then wakes each
// caller with its own status. Under load the jobs that arrive during one fsync share the
// next, so throughput grows with the number of concurrent callers.
//
// A job's status is final only after COMMIT: if COMMIT fails (or SQLite aborts the whole
// transaction, e.g. disk full), every job of the group gets that error, including those
// whose own statements succeeded. A job that reports success is durable.
//
// The thread also folds the journal into the names table (writer.h), one bounded step at a
// time between groups, so a commit waits for at most one step: when FoldOptions says so
// (enough unfolded changes, the oldest too old, or no change for a while), on request
// (Fold), and at the end before the thread stops.
//
// Thread-safety: Run() may be called from any thread, concurrently. Jobs run on the
// committer thread, one at a time, and must not call Run() (that would deadlock).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "base/thread_annotations.h"
#include "store/sqlite/writer.h"

namespace tether::store::sqlite {

struct CommitterStats {
  uint64_t transactions = 0;  // groups committed (each one fsync of the WAL)
  uint64_t jobs = 0;          // jobs run, successful or not
  size_t queued = 0;          // jobs waiting for the next group now
  uint64_t fold_steps = 0;    // fold steps run (reading entries, or a transaction of names)
  uint64_t fold_errors = 0;   // fold steps that failed (the fold is retried later)
};

class Committer {
 public:
  using Job = std::function<Status(Writer&)>;

  // Starts the committer thread, which owns `writer` from now on.
  explicit Committer(std::unique_ptr<Writer> writer, FoldOptions fold = {});
  // Runs the jobs already queued, folds the whole journal, then stops the thread.
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Runs `job` in the next group transaction and returns its status once that
  // transaction is durable (or has failed).
  Status Run(const Job& job) EXCLUDES(mu_);
  // Folds on the committer thread once the jobs queued before have run: `max_steps` fold
  // steps, or (0) until every zone is folded up to its journal_seq. For tests and tools;
  // commits queued meanwhile wait for it.
  Status Fold(size_t max_steps = 0) EXCLUDES(mu_);

  CommitterStats Stats() EXCLUDES(mu_);

 private:
  using Clock = std::chrono::steady_clock;

  struct Pending {
    explicit Pending(const Job* j) : job(j) {}
    const Job* job;         // null: a Fold request
    size_t fold_steps = 0;  // of a Fold request
    Status status;
    bool done = false;  // guarded by mu_; the committer sets it once `status` is final
    std::condition_variable done_cv;
  };

  Status Enqueue(Pending* pending) EXCLUDES(mu_);
  void Loop() EXCLUDES(mu_);
  // Waits for queued jobs, stop, or `deadline`, and takes every queued job.
  std::vector<Pending*> TakeGroup(std::optional<Clock::time_point> deadline, bool* stopping)
      EXCLUDES(mu_);
  // Runs one group; sets each Pending's status (not `done`).
  void RunGroup(const std::vector<Pending*>& group);
  // Marks each one done and wakes its caller.
  void Finish(const std::vector<Pending*>& done) EXCLUDES(mu_);
  // When the next automatic fold step is due (the past: now); empty: not until a change.
  std::optional<Clock::time_point> NextFold() const;
  Status FoldSteps(size_t max_steps) EXCLUDES(mu_);
  // Notes a change of the writer's backlog.
  void Track(Clock::time_point now);

  Mutex mu_;
  std::condition_variable work_cv_;
  std::vector<Pending*> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  CommitterStats stats_ GUARDED_BY(mu_);

  // Used by the committer thread only.
  std::unique_ptr<Writer> writer_;
  const FoldOptions fold_;
  Clock::time_point last_group_;
  std::optional<Clock::time_point> unfolded_since_;  // when the backlog began
  Clock::time_point retry_after_;                    // no automatic fold before (after a failure)

  std::thread thread_;  // last: started after everything it uses
};

}  // namespace tether::store::sqlite
