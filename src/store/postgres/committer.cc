#include "store/postgres/committer.h"

#include <optional>
#include <utility>

#include "base/thread.h"

namespace tether::store::postgres {

namespace {

// How often a job meeting a deadlock or serialization failure is tried in all.
constexpr int kAttempts = 5;

// COMMIT of a transaction PostgreSQL has marked failed "succeeds" with the tag ROLLBACK.
Status Committed(Conn& conn) {
  ASSIGN_OR_RETURN(Rows rows, conn.Query("COMMIT"));
  if (rows.command() != "COMMIT") {
    return MakeError(ErrorCode::kIo, "postgresql: the transaction was rolled back at COMMIT");
  }
  return Ok();
}

}  // namespace

Committer::Committer(Conn conn, std::string after_begin)
    : after_begin_(std::move(after_begin)), conn_(std::move(conn)), thread_([this] {
        BecomeBatchThread("tether-store");
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

CommitterStats Committer::Stats() {
  MutexLock lock(mu_);
  CommitterStats stats = stats_;
  stats.queued = queue_.size();
  return stats;
}

// The condition variable needs the std::mutex itself, which the analysis cannot follow.
void Committer::Loop() NO_THREAD_SAFETY_ANALYSIS {
  while (true) {
    std::vector<Pending*> group;
    {
      std::unique_lock<std::mutex> lock(mu_.native());
      work_cv_.wait(lock, [&]() NO_THREAD_SAFETY_ANALYSIS { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left
      group = std::exchange(queue_, {});
    }
    RunGroup(group);
  }
}

void Committer::Finish(const std::vector<Pending*>& group, size_t begin, size_t end) {
  MutexLock lock(mu_);
  for (size_t i = begin; i < end; ++i) {
    group[i]->done = true;
    // Under the lock: the waiter may destroy it as soon as it sees done.
    group[i]->done_cv.notify_one();
  }
}

void Committer::RunGroup(const std::vector<Pending*>& group) {
  uint64_t retries = 0;
  uint64_t transactions = 0;
  std::vector<int> attempts(group.size(), 0);
  size_t next = 0;  // the first job not run yet
  auto fail_rest = [&](const Error& error) {
    for (; next < group.size(); ++next) group[next]->status = tl::unexpected(error);
  };
  size_t finished = 0;  // the first job whose caller still waits
  while (next < group.size()) {
    // The jobs of a transaction committed after a deadlock are answered at once.
    Finish(group, finished, next);
    finished = next;
    if (!conn_.Healthy()) {
      fail_rest(Error{ErrorCode::kUnavailable, "postgresql: the connection is lost"});
      break;
    }
    if (Status begun = conn_.Exec("BEGIN"); !begun) {
      fail_rest(begun.error());
      break;
    }
    if (!after_begin_.empty()) {
      if (Status locked = conn_.Exec(after_begin_); !locked) {
        (void)conn_.Exec("ROLLBACK");
        fail_rest(locked.error());
        break;
      }
    }
    const size_t first = next;
    // Set when the transaction cannot go on (a savepoint could not be released or rolled
    // back, or the connection broke): it goes, with the jobs of it that had succeeded.
    std::optional<Error> aborted;
    for (; next < group.size(); ++next) {
      Pending* pending = group[next];
      Status status = conn_.Exec("SAVEPOINT job");
      if (status) status = (*pending->job)(conn_);
      // A deadlock (or serialization failure) with another node's transaction: the locks in
      // the cycle may be held by the earlier jobs of this transaction, so rolling back this
      // job alone would only meet the same cycle again. The earlier jobs are committed
      // (releasing their locks) and this one runs again in the next transaction.
      const bool retry = !status && conn_.Retryable() && ++attempts[next] < kAttempts;
      // RELEASE after ROLLBACK TO: the savepoint stays on the stack otherwise.
      Status ended = status ? conn_.Exec("RELEASE job")
                            : conn_.Exec("ROLLBACK TO job").and_then([&] { return conn_.Exec("RELEASE job"); });
      if (ended && retry) {
        ++retries;
        break;
      }
      if (ended) {
        pending->status = std::move(status);
        continue;
      }
      const Error& cause = !status ? status.error() : ended.error();
      aborted = Error{cause.code, "the transaction was rolled back: " + cause.message};
      for (size_t i = first; i < next; ++i) {
        if (group[i]->status) group[i]->status = tl::unexpected(*aborted);
      }
      pending->status = tl::unexpected(*aborted);
      ++next;
      break;
    }
    if (aborted) {
      (void)conn_.Exec("ROLLBACK");
      fail_rest(*aborted);
      break;
    }
    if (Status committed = Committed(conn_); !committed) {
      (void)conn_.Exec("ROLLBACK");
      for (size_t i = first; i < next; ++i) {
        if (group[i]->status) group[i]->status = committed;
      }
      fail_rest(committed.error());
      break;
    }
    ++transactions;
  }
  {
    MutexLock lock(mu_);
    stats_.jobs += group.size();
    stats_.retries += retries;
    stats_.transactions += transactions;
  }
  Finish(group, finished, group.size());
}

}  // namespace tether::store::postgres
