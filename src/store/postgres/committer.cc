#include "store/postgres/committer.h"

#include <pthread.h>

#include <optional>
#include <utility>

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

Committer::Committer(Conn conn)
    : conn_(std::move(conn)), thread_([this] {
        pthread_setname_np(pthread_self(), "tether-store");
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
    MutexLock lock(mu_);
    for (Pending* pending : group) {
      pending->done = true;
      // Under the lock: the waiter may destroy `pending` as soon as it sees done.
      pending->done_cv.notify_one();
    }
  }
}

void Committer::RunGroup(const std::vector<Pending*>& group) {
  uint64_t retries = 0;
  auto fail_all = [&](const Error& error) {
    for (Pending* pending : group) pending->status = tl::unexpected(error);
  };
  if (!conn_.Healthy()) {
    fail_all(Error{ErrorCode::kUnavailable, "postgresql: the connection is lost"});
    return;
  }
  if (Status begun = conn_.Exec("BEGIN"); !begun) {
    fail_all(begun.error());
    return;
  }
  // Set when the group cannot go on (a savepoint could not be released or rolled back, or
  // the connection broke): the transaction goes, with the jobs that had succeeded.
  std::optional<Error> aborted;
  for (Pending* pending : group) {
    if (aborted) {
      pending->status = tl::unexpected(*aborted);
      continue;
    }
    Status status = Ok();
    Status ended = Ok();
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      status = conn_.Exec("SAVEPOINT job");
      if (status) status = (*pending->job)(conn_);
      const bool retry = !status && conn_.Retryable() && attempt < kAttempts;
      // RELEASE after ROLLBACK TO: the savepoint stays on the stack otherwise.
      ended = status ? conn_.Exec("RELEASE job")
                     : conn_.Exec("ROLLBACK TO job").and_then([&] { return conn_.Exec("RELEASE job"); });
      if (!ended || !retry) break;
      ++retries;
    }
    if (ended) {
      pending->status = std::move(status);
      continue;
    }
    const Error& cause = !status ? status.error() : ended.error();
    aborted = Error{cause.code, "the transaction was rolled back: " + cause.message};
    for (Pending* earlier : group) {
      if (earlier == pending) break;
      if (earlier->status) earlier->status = tl::unexpected(*aborted);
    }
    pending->status = tl::unexpected(*aborted);
  }
  if (aborted) {
    (void)conn_.Exec("ROLLBACK");
  } else if (Status committed = Committed(conn_); !committed) {
    (void)conn_.Exec("ROLLBACK");
    for (Pending* pending : group) {
      if (pending->status) pending->status = committed;
    }
  }
  MutexLock lock(mu_);
  stats_.jobs += group.size();
  stats_.retries += retries;
  if (!aborted) ++stats_.transactions;
}

}  // namespace tether::store::postgres
