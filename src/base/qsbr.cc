#include "base/qsbr.h"

#include <thread>

#include "base/check.h"

namespace tether {

Qsbr& Qsbr::Global() {
  static Qsbr* domain = new Qsbr();  // never destroyed: readers may outlive main()
  return *domain;
}

Qsbr::~Qsbr() {
  MutexLock lock(mu_);
  for (auto& item : retired_) item.deleter();
  retired_.clear();
}

ReaderSlot* Qsbr::RegisterReader() {
  MutexLock lock(mu_);
  for (auto& slot : slots_) {
    if (!slot.in_use_) {
      slot.in_use_ = true;
      slot.domain_ = this;
      slot.state_.store(0, std::memory_order_release);
      return &slot;
    }
  }
  TETHER_CHECK(false && "too many QSBR readers");
  return nullptr;
}

void Qsbr::UnregisterReader(ReaderSlot* slot) {
  slot->Exit();
  MutexLock lock(mu_);
  slot->in_use_ = false;
}

uint64_t Qsbr::MinActiveEpoch() const {
  uint64_t min_epoch = UINT64_MAX;
  for (const auto& slot : slots_) {
    uint64_t state = slot.state_.load(std::memory_order_seq_cst);
    if (state != 0 && state < min_epoch) min_epoch = state;
  }
  return min_epoch;
}

void Qsbr::Retire(std::function<void()> deleter) {
  // Readers that enter from now on see epoch + 1 and cannot reach the retired object.
  uint64_t retire_epoch = Ticket();
  MutexLock lock(mu_);
  retired_.push_back(Retired{retire_epoch, std::move(deleter)});
}

size_t Qsbr::Collect() {
  std::vector<Retired> ready;
  {
    MutexLock lock(mu_);
    if (retired_.empty()) return 0;
    uint64_t min_epoch = MinActiveEpoch();
    size_t keep = 0;
    for (auto& item : retired_) {
      if (item.epoch <= min_epoch) {
        ready.push_back(std::move(item));
      } else {
        retired_[keep++] = std::move(item);
      }
    }
    retired_.resize(keep);
  }
  for (auto& item : ready) item.deleter();
  return ready.size();
}

void Qsbr::Synchronize() {
  uint64_t target = Ticket();
  while (!Passed(target)) std::this_thread::yield();
  Collect();
}

}  // namespace tether
