#include "store/sqlite/committer.h"

#include <pthread.h>

#include <utility>

namespace tether::store::sqlite {

Committer::Committer(std::unique_ptr<Writer> writer)
    : writer_(std::move(writer)), thread_([this] {
        pthread_setname_np(pthread_self(), "tether-store");  // for per-thread CPU accounting
        Loop();
      }) {}

Committer::~Committer() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_one();
  thread_.join();
}

Status Committer::Run(const Job& job) {
  Pending pending(&job);
  {
    MutexLock lock(mu_);
    if (stopping_) return MakeError(ErrorCode::kUnavailable, "the store is closing");
    queue_.push_back(&pending);
  }
  work_cv_.notify_one();
  std::unique_lock<std::mutex> lock(mu_.native());
  pending.done_cv.wait(lock, [&] { return pending.done; });
  return std::move(pending.status);
}

// The condition variable needs the std::mutex itself, which the analysis cannot follow.
std::vector<Committer::Pending*> Committer::TakeGroup() NO_THREAD_SAFETY_ANALYSIS {
  std::unique_lock<std::mutex> lock(mu_.native());
  work_cv_.wait(lock, [&]() NO_THREAD_SAFETY_ANALYSIS { return stopping_ || !queue_.empty(); });
  // Everything queued so far, in arrival order, forms the next group.
  return std::exchange(queue_, {});
}

CommitterStats Committer::Stats() {
  MutexLock lock(mu_);
  CommitterStats stats = stats_;
  stats.queued = queue_.size();
  return stats;
}

void Committer::Loop() {
  while (true) {
    std::vector<Pending*> group = TakeGroup();
    if (group.empty()) return;  // stopping, and nothing left to run
    RunGroup(group);
    {
      MutexLock lock(mu_);
      stats_.transactions++;
      stats_.jobs += group.size();
      for (Pending* pending : group) {
        pending->done = true;
        // Under the lock: the waiter may destroy `pending` as soon as it sees done.
        pending->done_cv.notify_one();
      }
    }
  }
}

void Committer::RunGroup(const std::vector<Pending*>& group) {
  using Txn = Writer::Txn;
  Writer& writer = *writer_;
  Db& db = writer.db();
  if (Status begun = writer.Run(Txn::kBegin); !begun) {
    for (Pending* pending : group) pending->status = begun;
    return;
  }
  // Set when the group cannot go on: SQLite rolled the whole transaction back by itself
  // (SQLITE_FULL, SQLITE_IOERR, ...), or a savepoint could not be released or rolled back
  // (then a failed job's writes might be committed, so the whole transaction goes). The jobs
  // that had succeeded are lost with it, and the rest do not run.
  std::optional<Error> aborted;
  for (Pending* pending : group) {
    if (aborted) {
      pending->status = tl::unexpected(*aborted);
      continue;
    }
    Status status = writer.Run(Txn::kSavepoint);
    if (status) status = (*pending->job)(writer);
    Status ended = Ok();
    if (db.InTransaction()) {
      // RELEASE after ROLLBACK TO: the savepoint stays on the stack otherwise.
      ended =
          status ? writer.Run(Txn::kRelease)
                 : writer.Run(Txn::kRollbackTo).and_then([&] { return writer.Run(Txn::kRelease); });
      if (ended) {
        pending->status = std::move(status);
        continue;
      }
      (void)writer.Run(Txn::kRollback);
    }
    const Error& cause = !status  ? status.error()
                         : !ended ? ended.error()
                                  : Error{ErrorCode::kIo, "unknown error"};
    aborted = Error{cause.code, "the transaction was rolled back: " + cause.message};
    for (Pending* earlier : group) {
      if (earlier == pending) break;
      if (earlier->status) earlier->status = tl::unexpected(*aborted);
    }
    pending->status = tl::unexpected(*aborted);
  }
  if (aborted) return;
  if (Status committed = writer.Run(Txn::kCommit); !committed) {
    (void)writer.Run(Txn::kRollback);
    for (Pending* pending : group) {
      if (pending->status) pending->status = committed;
    }
  }
}

}  // namespace tether::store::sqlite
