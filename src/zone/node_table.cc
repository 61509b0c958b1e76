#include "zone/node_table.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "base/check.h"
#include "base/qsbr.h"

namespace tether::zone {

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
}  // namespace

NodeTable::NodeTable() : slots_(NewSlots(16)) {}

NodeTable::~NodeTable() {
  DeleteSlots(slots_.load());
  for (auto& retired : retired_) DeleteSlots(retired.slots);
}

NodeTable::Slots* NodeTable::NewSlots(size_t capacity) {
  auto* slots = new Slots;
  slots->mask = capacity - 1;
  // Arrays of 2 MiB and more (zones of ~100,000 names and up) are backed by transparent huge
  // pages where the system allows it: every lookup's first access is a random slot, and with
  // 4 KiB pages most of them missed the TLB too (queries +2.6%, bench/README.md).
  const size_t bytes = capacity * sizeof(std::atomic<uint64_t>);
  const bool huge = bytes >= kHugePage;
  void* block = std::aligned_alloc(huge ? kHugePage : 64, bytes);
  TETHER_CHECK(block != nullptr);
  if (huge) (void)madvise(block, bytes, MADV_HUGEPAGE);
  slots->slot = static_cast<std::atomic<uint64_t>*>(block);
  for (size_t i = 0; i < capacity; ++i) new (&slots->slot[i]) std::atomic<uint64_t>(kEmpty);
  return slots;
}

void NodeTable::DeleteSlots(Slots* slots) {
  std::free(slots->slot);  // std::atomic<uint64_t> is trivially destructible
  delete slots;
}

const Node* NodeTable::Find(const uint8_t* name, size_t size, uint64_t hash) const {
  const Slots* slots = slots_.load(std::memory_order_acquire);
  uint64_t tag = Tag(hash);
  for (size_t i = hash & slots->mask;; i = (i + 1) & slots->mask) {
    uint64_t value = slots->slot[i].load(std::memory_order_acquire);
    if (value == kEmpty) return nullptr;
    if (value == kRemoved || Tag(value) != tag) continue;
    const Node* node = NodeOf(value);
    if (node->name_size == size && std::memcmp(node->name(), name, size) == 0) return node;
  }
}

void NodeTable::Insert(Node* node, uint64_t hash) {
  // Keep the load (including removed slots) at most 3/4 so probes stay short and an empty
  // slot always ends a probe.
  Slots* slots = slots_.load(std::memory_order_relaxed);
  if ((used_ + 1) * 4 > (slots->mask + 1) * 3) {
    size_t capacity = slots->mask + 1;
    while ((live_ + 1) * 2 > capacity) capacity *= 2;  // after growing: at most 1/2 full
    Grow(capacity);
    slots = slots_.load(std::memory_order_relaxed);
  }
  auto value = Tag(hash) | reinterpret_cast<uint64_t>(node);
  TETHER_CHECK((reinterpret_cast<uint64_t>(node) & ~kPointerMask) == 0);
  for (size_t i = hash & slots->mask;; i = (i + 1) & slots->mask) {
    uint64_t current = slots->slot[i].load(std::memory_order_relaxed);
    if (current == kEmpty || current == kRemoved) {
      if (current == kEmpty) ++used_;
      ++live_;
      slots->slot[i].store(value, std::memory_order_release);
      return;
    }
  }
}

void NodeTable::Remove(const Node* node, uint64_t hash) {
  Slots* slots = slots_.load(std::memory_order_relaxed);
  for (size_t i = hash & slots->mask;; i = (i + 1) & slots->mask) {
    uint64_t current = slots->slot[i].load(std::memory_order_relaxed);
    TETHER_CHECK(current != kEmpty);
    if (current > kRemoved && NodeOf(current) == node) {
      slots->slot[i].store(kRemoved, std::memory_order_release);
      --live_;
      return;
    }
  }
}

void NodeTable::Reserve(size_t additional) {
  size_t capacity = slots_.load(std::memory_order_relaxed)->mask + 1;
  size_t needed = capacity;
  while ((live_ + additional) * 2 > needed) needed *= 2;
  if (needed > capacity) Grow(needed);
}

void NodeTable::Grow(size_t capacity) {
  Slots* old_slots = slots_.load(std::memory_order_relaxed);
  Slots* slots = NewSlots(capacity);
  for (size_t i = 0; i <= old_slots->mask; ++i) {
    uint64_t value = old_slots->slot[i].load(std::memory_order_relaxed);
    if (value <= kRemoved) continue;
    const Node* node = NodeOf(value);
    uint64_t hash = Hash(node->name(), node->name_size);
    for (size_t j = hash & slots->mask;; j = (j + 1) & slots->mask) {
      if (slots->slot[j].load(std::memory_order_relaxed) == kEmpty) {
        slots->slot[j].store(value, std::memory_order_relaxed);
        break;
      }
    }
  }
  used_ = live_;
  slots_.store(slots, std::memory_order_release);
  retired_.push_back({Qsbr::Global().Ticket(), old_slots});
}

void NodeTable::Maintain() {
  size_t keep = 0;
  for (auto& retired : retired_) {
    if (Qsbr::Global().Passed(retired.ticket)) {
      DeleteSlots(retired.slots);
    } else {
      retired_[keep++] = retired;
    }
  }
  retired_.resize(keep);
}

size_t NodeTable::memory_bytes() const {
  size_t bytes = (slots_.load(std::memory_order_relaxed)->mask + 1) * sizeof(uint64_t);
  for (const auto& retired : retired_) bytes += (retired.slots->mask + 1) * sizeof(uint64_t);
  return bytes;
}

}  // namespace tether::zone
