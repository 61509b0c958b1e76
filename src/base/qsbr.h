// Quiescent-state-based reclamation (QSBR) for the read-mostly structures of the query
// path. Readers never block and never write shared memory except their own slot; writers
// publish a new version with a pointer swap, then Retire() the old one, and it is freed
// once every reader that might still see it has passed a quiescent state.
//
// Reader protocol (one ReaderSlot per thread; a slot must not be shared):
//   slot.Enter();   // from here the thread may load and dereference published pointers
//   ...             // answer a batch of queries
//   slot.Exit();    // quiescent: holds no pointer into any published version
// A thread that blocks (in recvmmsg, epoll) must Exit() first, so it never delays writers.
//
// Writer protocol: swap the published pointer, then Retire(old). Collect() frees whatever
// no reader can see; it is cheap and may be called after every batch.
//
// Thread-safety: Enter/Exit are wait-free; Retire/Collect/Synchronize may be called from any
// number of writer threads (they take an internal mutex that readers never touch).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "base/mutex.h"

namespace tether {

class Qsbr;

class ReaderSlot {
 public:
  void Enter();
  void Exit() { state_.store(0, std::memory_order_release); }

 private:
  friend class Qsbr;
  alignas(64) std::atomic<uint64_t> state_{0};  // 0: quiescent, else the epoch entered at
  Qsbr* domain_ = nullptr;
  bool in_use_ = false;  // guarded by the domain's mutex
};

class Qsbr {
 public:
  static constexpr int kMaxReaders = 512;

  // The process-wide domain that the zone tables use.
  static Qsbr& Global();

  Qsbr() = default;
  Qsbr(const Qsbr&) = delete;
  Qsbr& operator=(const Qsbr&) = delete;
  ~Qsbr();  // frees everything still retired; REQUIRES: no reader is inside Enter/Exit

  // Registers the calling thread as a reader. The slot stays valid until
  // UnregisterReader(). Aborts if more than kMaxReaders are registered at once.
  ReaderSlot* RegisterReader();
  void UnregisterReader(ReaderSlot* slot);

  // Schedules `deleter` to run once no reader can hold a pointer published before this
  // call. The object must already be unreachable from every published version.
  void Retire(std::function<void()> deleter);

  // Runs the deleters whose grace period has passed. Returns how many ran.
  size_t Collect();

  // Blocks until every reader has passed a quiescent state, then collects everything.
  void Synchronize();

  // For writers that free their own memory (e.g. a zone's arena, which only its writer may
  // touch): Ticket() starts a grace period, Passed(ticket) tells whether it is over, i.e.
  // no reader can still hold a pointer unpublished before Ticket() was called.
  uint64_t Ticket() { return epoch_.fetch_add(1, std::memory_order_seq_cst) + 1; }
  bool Passed(uint64_t ticket) const { return MinActiveEpoch() >= ticket; }

  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

 private:
  friend class ReaderSlot;
  struct Retired {
    uint64_t epoch;
    std::function<void()> deleter;
  };

  // The smallest epoch any reader inside a critical section entered at; UINT64_MAX if none.
  uint64_t MinActiveEpoch() const;

  std::atomic<uint64_t> epoch_{1};
  ReaderSlot slots_[kMaxReaders];
  Mutex mu_;
  std::vector<Retired> retired_ GUARDED_BY(mu_);
};

inline void ReaderSlot::Enter() {
  // seq_cst store: a writer that reads this slot as quiescent after swapping a pointer is
  // ordered before this store, so the loads that follow see the new pointer.
  state_.store(domain_->epoch_.load(std::memory_order_acquire), std::memory_order_seq_cst);
}

// RAII reader section.
class ReadGuard {
 public:
  explicit ReadGuard(ReaderSlot* slot) : slot_(slot) { slot_->Enter(); }
  ~ReadGuard() { slot_->Exit(); }
  ReadGuard(const ReadGuard&) = delete;
  ReadGuard& operator=(const ReadGuard&) = delete;

 private:
  ReaderSlot* slot_;
};

}  // namespace tether
