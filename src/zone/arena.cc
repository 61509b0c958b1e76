#include "zone/arena.h"

#include <sys/mman.h>

#include <cstdlib>

#include "base/check.h"

namespace tether::zone {

Arena::~Arena() {
  for (void* slab : slabs_) munmap(slab, kSlabSize);
  for (void* block : large_) std::free(block);
}

void* Arena::Allocate(size_t size) {
  if (size == 0) size = 1;
  in_use_ += size;
  if (size > kMaxSmall) {
    void* block = std::malloc(size);
    TETHER_CHECK(block != nullptr);
    large_.insert(block);
    reserved_ += size;
    return block;
  }
  size_t klass = ClassOf(size);
  if (FreeBlock* block = free_[klass]) {
    free_[klass] = block->next;
    return block;
  }
  size_t rounded = klass * 8;
  if (cursor_left_ < rounded) {
    // Slabs come straight from mmap so that they never pin glibc's heap.
    void* slab = mmap(nullptr, kSlabSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    TETHER_CHECK(slab != MAP_FAILED);
    slabs_.push_back(slab);
    cursor_ = static_cast<uint8_t*>(slab);
    cursor_left_ = kSlabSize;
    reserved_ += kSlabSize;
  }
  void* block = cursor_;
  cursor_ += rounded;
  cursor_left_ -= rounded;
  return block;
}

void Arena::Free(void* block, size_t size) {
  if (block == nullptr) return;
  if (size == 0) size = 1;
  in_use_ -= size;
  if (size > kMaxSmall) {
    reserved_ -= size;
    large_.erase(block);
    std::free(block);
    return;
  }
  size_t klass = ClassOf(size);
  auto* free_block = static_cast<FreeBlock*>(block);
  free_block->next = free_[klass];
  free_[klass] = free_block;
}

}  // namespace tether::zone
