// Committer: group commit for the PostgreSQL store, as the SQLite store's (sqlite/
// committer.h). One thread owns the write connection; callers enqueue a job and block; the
// thread takes every queued job and runs them in ONE transaction (BEGIN ... COMMIT, one WAL
// flush on the server with synchronous_commit=on), each inside its own SAVEPOINT so that a
// failing job is rolled back alone, then wakes each caller with its own status.
//
// Several tetherd nodes may share the database, so a job can meet another node's
// transaction: a job failing with a deadlock (40P01) or serialization failure (40001) is
// rolled back to its savepoint, the jobs before it are committed (their locks may be part
// of the cycle), and it runs again in a new transaction, up to a few times. A job's status is final
// only after COMMIT: if COMMIT fails, or the connection is lost, every job of the group
// gets that error (an acknowledged change is durable; an error may still hide a change
// that committed if the connection broke during COMMIT — the caller cannot tell, as with
// any remote database). After a lost connection the next group reconnects.
//
// Lock order across nodes: each transaction runs `after_begin` right after BEGIN, before any
// job. The store passes the change feed's counter-row lock (feed.h kFeedLockSql), which every
// job recording a change needs anyway: taken first, it makes every other lock a job takes
// (zones rows, SELECT ... FOR UPDATE in Commit) come after it, so two nodes' transactions
// cannot hold them in opposite orders; they follow one another instead. The cost is that the
// groups of all nodes are serialised, each holding the row from BEGIN to COMMIT (its WAL
// flush included). Deadlocks with writers outside the committers (an operator's session)
// remain possible and are retried as above.
//
// Thread-safety: Run() may be called from any thread, concurrently. Jobs run on the
// committer thread, one at a time, and must not call Run() (that would deadlock).
#pragma once

#include <condition_variable>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "base/thread_annotations.h"
#include "store/postgres/conn.h"

namespace tether::store::postgres {

struct CommitterStats {
  uint64_t transactions = 0;  // transactions committed (a group takes more after a deadlock)
  uint64_t jobs = 0;          // jobs run, successful or not
  uint64_t retries = 0;       // jobs run again after a deadlock or serialization failure
  size_t queued = 0;          // jobs waiting for the next group now
};

class Committer {
 public:
  using Job = std::function<Status(Conn&)>;

  // Starts the committer thread, which owns `conn` from now on. `after_begin` (if not
  // empty) runs right after each BEGIN; its failure fails the group like BEGIN's.
  explicit Committer(Conn conn, std::string after_begin = "");
  // Runs the jobs already queued, then stops the thread.
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Runs `job` in the next group transaction and returns its status once that transaction
  // has committed (or failed).
  Status Run(const Job& job) EXCLUDES(mu_);

  CommitterStats Stats() EXCLUDES(mu_);

 private:
  struct Pending {
    explicit Pending(const Job* j) : job(j) {}
    const Job* job;
    Status status;
    bool done = false;  // guarded by mu_
    std::condition_variable done_cv;
  };

  void Loop() EXCLUDES(mu_);
  // Runs one group, in one transaction or (after a deadlock) more, and wakes each caller
  // once the transaction holding its job has committed or failed.
  void RunGroup(const std::vector<Pending*>& group) EXCLUDES(mu_);
  // Marks group[begin, end) done and wakes their callers.
  void Finish(const std::vector<Pending*>& group, size_t begin, size_t end) EXCLUDES(mu_);

  Mutex mu_;
  std::condition_variable work_cv_;
  std::vector<Pending*> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  CommitterStats stats_ GUARDED_BY(mu_);

  const std::string after_begin_;
  Conn conn_;  // used by the committer thread only
  std::thread thread_;  // last: started after everything it uses
};

}  // namespace tether::store::postgres
