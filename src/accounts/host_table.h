// HostTable: the Directory's hosts by name, as a flat open-addressing table (linear probing,
// a power-of-two number of slots at most 5/8 full). A slot holds the name's hash and the
// shared entry, so a lookup reads one slot and then the entry it returns, whose name is
// compared: two cache misses with millions of hosts where a node-based map takes four or
// five (bucket, previous node, node, key string, entry) and two divisions.
//
// Keys are lower-case wire names (Directory::Key); entries' names are compared ignoring
// case. The hash is HashBytes, seeded per process: names chosen by users cannot be made to
// collide.
//
// Not thread-safe: the Directory guards it with its lock.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "store/accounts.h"

namespace tether::accounts {

class HostTable {
 public:
  using Entry = std::shared_ptr<const store::HostInfo>;

  // The entry whose name's lower-case wire form is `key`, or null.
  const Entry* Find(std::string_view key) const;
  // Inserts or replaces the entry of `key`. REQUIRES: key is entry->fqdn's lower-case wire.
  void Put(std::string_view key, Entry entry);
  // Removes every entry for which `remove` is true.
  void EraseIf(const std::function<bool(const store::HostInfo&)>& remove);
  void Clear();
  void Reserve(size_t count);
  size_t size() const { return size_; }

  // Calls `fn` with every entry, in no particular order.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (const Slot& slot : slots_) {
      if (slot.entry != nullptr) fn(*slot.entry);
    }
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    Entry entry;  // null: free
  };
  static uint64_t Hash(std::string_view key);
  // The slot of `key` or the free slot where it would go. REQUIRES: a free slot exists.
  size_t Probe(std::string_view key, uint64_t hash) const;
  void Rehash(size_t slot_count);

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace tether::accounts
