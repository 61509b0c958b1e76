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
// Thread-safety: Run() may be called from any thread, concurrently. Jobs run on the
// committer thread, one at a time, and must not call Run() (that would deadlock).
#pragma once

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
};

class Committer {
 public:
  using Job = std::function<Status(Writer&)>;

  // Starts the committer thread, which owns `writer` from now on.
  explicit Committer(std::unique_ptr<Writer> writer);
  // Runs the jobs already queued, then stops the thread.
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Runs `job` in the next group transaction and returns its status once that
  // transaction is durable (or has failed).
  Status Run(const Job& job) EXCLUDES(mu_);

  CommitterStats Stats() EXCLUDES(mu_);

 private:
  struct Pending {
    explicit Pending(const Job* j) : job(j) {}
    const Job* job;
    Status status;
    bool done = false;  // guarded by mu_; the committer sets it once `status` is final
    std::condition_variable done_cv;
  };

  void Loop() EXCLUDES(mu_);
  // Waits for queued jobs (or stop) and takes them all; empty only when stopping.
  std::vector<Pending*> TakeGroup() EXCLUDES(mu_);
  // Runs one group; sets each Pending's status (not `done`).
  void RunGroup(const std::vector<Pending*>& group);

  Mutex mu_;
  std::condition_variable work_cv_;
  std::vector<Pending*> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  CommitterStats stats_ GUARDED_BY(mu_);

  std::unique_ptr<Writer> writer_;  // used by the committer thread only
  std::thread thread_;              // last: started after everything it uses
};

}  // namespace tether::store::sqlite
