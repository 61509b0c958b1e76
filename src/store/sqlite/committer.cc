#include "store/sqlite/committer.h"

#include <algorithm>
#include <utility>

#include "base/log.h"
#include "base/thread.h"

namespace tether::store::sqlite {

namespace {

// Option values in milliseconds, kept where time_point arithmetic cannot overflow.
constexpr std::chrono::milliseconds Millis(int64_t ms) {
  return std::chrono::milliseconds(std::clamp<int64_t>(ms, 0, int64_t{1} << 40));
}

}  // namespace

Committer::Committer(std::unique_ptr<Writer> writer, FoldOptions fold)
    : writer_(std::move(writer)),
      fold_(fold),
      last_group_(Clock::now()),
      unfolded_since_(writer_->unfolded() > 0 ? std::optional(last_group_) : std::nullopt),
      thread_([this] {
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

Status Committer::Enqueue(Pending* pending) {
  {
    MutexLock lock(mu_);
    if (stopping_) return MakeError(ErrorCode::kUnavailable, "the store is closing");
    queue_.push_back(pending);
  }
  work_cv_.notify_one();
  std::unique_lock<std::mutex> lock(mu_.native());
  pending->done_cv.wait(lock, [&] { return pending->done; });
  return std::move(pending->status);
}

Status Committer::Run(const Job& job) {
  Pending pending(&job);
  return Enqueue(&pending);
}

Status Committer::Fold(size_t max_steps) {
  Pending pending(nullptr);
  pending.fold_steps = max_steps;
  return Enqueue(&pending);
}

// The condition variable needs the std::mutex itself, which the analysis cannot follow.
std::vector<Committer::Pending*> Committer::TakeGroup(std::optional<Clock::time_point> deadline,
                                                      bool* stopping) NO_THREAD_SAFETY_ANALYSIS {
  std::unique_lock<std::mutex> lock(mu_.native());
  auto ready = [&]() NO_THREAD_SAFETY_ANALYSIS { return stopping_ || !queue_.empty(); };
  if (deadline) {
    work_cv_.wait_until(lock, *deadline, ready);
  } else {
    work_cv_.wait(lock, ready);
  }
  *stopping = stopping_;
  // Everything queued so far, in arrival order, forms the next group.
  return std::exchange(queue_, {});
}

CommitterStats Committer::Stats() {
  MutexLock lock(mu_);
  CommitterStats stats = stats_;
  stats.queued = queue_.size();
  return stats;
}

void Committer::Finish(const std::vector<Pending*>& done) {
  MutexLock lock(mu_);
  for (Pending* pending : done) {
    pending->done = true;
    // Under the lock: the waiter may destroy `pending` as soon as it sees done.
    pending->done_cv.notify_one();
  }
}

void Committer::Track(Clock::time_point now) {
  if (writer_->unfolded() == 0) {
    unfolded_since_.reset();
  } else if (!unfolded_since_) {
    unfolded_since_ = now;
  }
}

std::optional<Committer::Clock::time_point> Committer::NextFold() const {
  if (!fold_.automatic) return std::nullopt;
  if (writer_->folding()) return Clock::time_point::min();
  const uint64_t unfolded = writer_->unfolded();
  if (unfolded == 0 || !unfolded_since_) return std::nullopt;
  Clock::time_point due = Clock::time_point::min();
  if (unfolded < fold_.max_names) {
    due = std::min(*unfolded_since_ + Millis(fold_.max_delay_ms),
                   last_group_ + Millis(fold_.idle_ms));
  }
  return std::max(due, retry_after_);
}

Status Committer::FoldSteps(size_t max_steps) {
  Status status = Ok();
  for (size_t steps = 0; max_steps == 0 || steps < max_steps; ++steps) {
    Result<bool> stepped = writer_->FoldStep();
    {
      MutexLock lock(mu_);
      stats_.fold_steps++;
      if (!stepped) stats_.fold_errors++;
    }
    if (!stepped) {
      status = tl::unexpected(stepped.error());
      break;
    }
    if (!*stepped) break;
  }
  Track(Clock::now());
  return status;
}

void Committer::Loop() {
  while (true) {
    bool stopping = false;
    std::vector<Pending*> taken = TakeGroup(NextFold(), &stopping);
    std::vector<Pending*> group;
    std::vector<Pending*> folds;
    for (Pending* pending : taken) (pending->job != nullptr ? group : folds).push_back(pending);
    if (!group.empty()) {
      RunGroup(group);
      {
        MutexLock lock(mu_);
        stats_.transactions++;
        stats_.jobs += group.size();
      }
      Finish(group);
      last_group_ = Clock::now();
      Track(last_group_);
    }
    for (Pending* pending : folds) pending->status = FoldSteps(pending->fold_steps);
    Finish(folds);
    if (stopping && taken.empty()) {
      // What is folded now need not be replayed at the next start.
      if (Status folded = FoldSteps(0); !folded) {
        spdlog::warn("store: folding the journal at close failed: {}", folded.error().message);
      }
      return;
    }
    const auto now = Clock::now();
    if (auto due = NextFold(); due && *due <= now) {
      if (Status folded = FoldSteps(1); !folded) {
        // The entries stay in the journal, and in every load, until a fold succeeds.
        spdlog::error("store: folding the journal failed (retrying later): {}",
                      folded.error().message);
        retry_after_ = now + std::max(Millis(fold_.max_delay_ms), std::chrono::milliseconds(1000));
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
    // What the writer keeps of the database may name rows this rollback removes.
    if (!status) writer.ForgetCaches();
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
  if (aborted) {
    writer.ForgetCaches();
    return;
  }
  if (Status committed = writer.Run(Txn::kCommit); !committed) {
    (void)writer.Run(Txn::kRollback);
    writer.ForgetCaches();
    for (Pending* pending : group) {
      if (pending->status) pending->status = committed;
    }
  }
}

}  // namespace tether::store::sqlite
