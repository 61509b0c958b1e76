#include "accounts/host_table.h"

#include <cstring>
#include <span>
#include <utility>

#include "base/hash.h"
#include "dns/name.h"

namespace tether::accounts {

namespace {

// `key` is lower-case; the entry's name should be too (store::HostInfo), but is compared
// ignoring case so that a stray upper-case name is still found.
bool NameIs(const store::HostInfo& host, std::string_view key) {
  const std::span<const uint8_t> wire = host.fqdn.wire();
  if (wire.size() != key.size()) return false;
  if (std::memcmp(wire.data(), key.data(), key.size()) == 0) return true;
  for (size_t i = 0; i < key.size(); ++i) {
    if (dns::AsciiLower(wire[i]) != static_cast<uint8_t>(key[i])) return false;
  }
  return true;
}

// At most 5/8 full: linear probing stays short (~1.5 slots per hit).
bool TooFull(size_t count, size_t slots) { return count * 8 > slots * 5; }

}  // namespace

uint64_t HostTable::Hash(std::string_view key) {
  return HashBytes(reinterpret_cast<const uint8_t*>(key.data()), key.size());
}

size_t HostTable::Probe(std::string_view key, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.entry == nullptr || (slot.hash == hash && NameIs(*slot.entry, key))) return i;
  }
}

const HostTable::Entry* HostTable::Find(std::string_view key) const {
  if (size_ == 0) return nullptr;
  const Slot& slot = slots_[Probe(key, Hash(key))];
  return slot.entry != nullptr ? &slot.entry : nullptr;
}

void HostTable::Put(std::string_view key, Entry entry) {
  if (slots_.empty() || TooFull(size_ + 1, slots_.size())) Rehash(slots_.empty() ? 16 : slots_.size() * 2);
  const uint64_t hash = Hash(key);
  Slot& slot = slots_[Probe(key, hash)];
  if (slot.entry == nullptr) ++size_;
  slot.hash = hash;
  slot.entry = std::move(entry);
}

void HostTable::EraseIf(const std::function<bool(const store::HostInfo&)>& remove) {
  bool removed = false;
  for (Slot& slot : slots_) {
    if (slot.entry != nullptr && remove(*slot.entry)) {
      slot.entry = nullptr;
      --size_;
      removed = true;
    }
  }
  // Freed slots would cut the probe sequences through them: place the rest again. Removal
  // is an admin action and already walks the whole table.
  if (removed) Rehash(slots_.size());
}

void HostTable::Clear() {
  slots_.clear();
  size_ = 0;
}

void HostTable::Reserve(size_t count) {
  size_t slots = slots_.empty() ? 16 : slots_.size();
  while (TooFull(count, slots)) slots *= 2;
  if (slots != slots_.size()) Rehash(slots);
}

void HostTable::Rehash(size_t slot_count) {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slot_count));
  const size_t mask = slot_count - 1;
  for (Slot& slot : old) {
    if (slot.entry == nullptr) continue;
    size_t i = slot.hash & mask;
    while (slots_[i].entry != nullptr) i = (i + 1) & mask;
    slots_[i] = std::move(slot);
  }
}

}  // namespace tether::accounts
