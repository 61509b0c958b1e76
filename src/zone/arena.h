// Arena: the allocator behind a zone's nodes and record data. Small blocks (up to
// kMaxSmall bytes) come from 1 MiB slabs in size classes of 8 bytes with free lists, so a
// host with one A record costs its bytes and nothing else; larger blocks use malloc.
// Everything is released when the arena is destroyed.
//
// Thread-safety: none. Only the zone's writer allocates and frees (readers only read the
// blocks, and frees are deferred past a QSBR grace period by the zone).
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_set>
#include <vector>

namespace tether::zone {

class Arena {
 public:
  static constexpr size_t kMaxSmall = 512;
  static constexpr size_t kSlabSize = size_t{1} << 20;

  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena();

  // Returns 8-byte aligned memory; never null (aborts when out of memory).
  void* Allocate(size_t size);
  // REQUIRES: `block` came from Allocate(size) of this arena with the same size.
  void Free(void* block, size_t size);

  size_t bytes_in_use() const { return in_use_; }
  size_t bytes_reserved() const { return reserved_; }

 private:
  static size_t ClassOf(size_t size) { return (size + 7) / 8; }

  struct FreeBlock {
    FreeBlock* next;
  };
  std::vector<void*> slabs_;
  std::unordered_set<void*> large_;  // blocks above kMaxSmall, from malloc
  uint8_t* cursor_ = nullptr;
  size_t cursor_left_ = 0;
  FreeBlock* free_[kMaxSmall / 8 + 1] = {};
  size_t in_use_ = 0;
  size_t reserved_ = 0;
};

}  // namespace tether::zone
