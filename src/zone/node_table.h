// NodeTable: the open-addressing hash table from a relative name to its Node. Readers probe
// it without locks or atomic read-modify-writes; one writer inserts, removes and resizes.
//
// Each slot is one 64-bit word: 0 (empty), 1 (removed) or the Node pointer with the top 16
// bits of the name's hash in the pointer's unused upper bits, so most mismatches are
// rejected without touching the Node. Linear probing; the slot array is grown (and cleaned
// of removed slots) by building a new array and publishing it with one pointer swap; the
// old array is freed after a QSBR grace period.
//
// Thread-safety: Find() may run on any number of reader threads inside a QSBR read section,
// concurrently with one writer calling Insert/Remove/Maintain (the zone serialises writers).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/hash.h"
#include "zone/node.h"

namespace tether::zone {

class NodeTable {
 public:
  NodeTable();
  ~NodeTable();
  NodeTable(const NodeTable&) = delete;
  NodeTable& operator=(const NodeTable&) = delete;

  static uint64_t Hash(const uint8_t* name, size_t size) { return HashBytes(name, size); }

  // Reader: the node of relative name `name` (lowercase wire labels, no root), or null.
  const Node* Find(const uint8_t* name, size_t size, uint64_t hash) const;

  // Writer. REQUIRES: no node with the same name is present.
  void Insert(Node* node, uint64_t hash);
  // Writer. REQUIRES: `node` is present.
  void Remove(const Node* node, uint64_t hash);
  // Writer: grows the table now so that `additional` more nodes fit without a resize.
  void Reserve(size_t additional);
  // Writer: frees slot arrays retired by earlier resizes once readers are past them.
  void Maintain();

  size_t size() const { return live_; }
  size_t capacity() const { return slots_.load(std::memory_order_relaxed)->mask + 1; }
  size_t memory_bytes() const;

  // Writer, or reader inside a QSBR read section: calls fn(Node*) for every node of the
  // slot array published at the call. A reader may also see nodes inserted while it runs,
  // and miss nodes removed meanwhile; none is visited twice (nodes do not move within an
  // array; a resize publishes a new one and leaves the old one, unchanged, to readers).
  template <class Fn>
  void ForEach(Fn&& fn) const {
    const Slots* slots = slots_.load(std::memory_order_acquire);
    for (size_t i = 0; i <= slots->mask; ++i) {
      uint64_t value = slots->slot[i].load(std::memory_order_acquire);
      if (value > kRemoved) fn(NodeOf(value));
    }
  }

 private:
  static constexpr uint64_t kEmpty = 0;
  static constexpr uint64_t kRemoved = 1;
  static constexpr uint64_t kPointerMask = (uint64_t{1} << 48) - 1;

  struct Slots {
    size_t mask;
    std::atomic<uint64_t>* slot;
  };

  static Node* NodeOf(uint64_t value) { return reinterpret_cast<Node*>(value & kPointerMask); }
  static uint64_t Tag(uint64_t hash) { return hash & ~kPointerMask; }
  static Slots* NewSlots(size_t capacity);
  static void DeleteSlots(Slots* slots);
  void Grow(size_t capacity);

  std::atomic<Slots*> slots_;
  size_t live_ = 0;
  size_t used_ = 0;  // live + removed
  struct RetiredSlots {
    uint64_t ticket;
    Slots* slots;
  };
  std::vector<RetiredSlots> retired_;
};

}  // namespace tether::zone
