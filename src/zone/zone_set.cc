#include "zone/zone_set.h"

#include <cstring>

#include "base/hash.h"
#include "base/qsbr.h"

namespace tether::zone {

ZoneSet::ZoneSet(std::vector<std::shared_ptr<Zone>> zones) : zones_(std::move(zones)) {
  size_t capacity = 8;
  while (capacity < zones_.size() * 2) capacity *= 2;
  slots_.assign(capacity, 0);
  mask_ = capacity - 1;
  for (size_t i = 0; i < zones_.size(); ++i) {
    auto wire = zones_[i]->origin().wire();
    uint64_t hash = HashBytes(wire.data(), wire.size());
    size_t slot = hash & mask_;
    while (slots_[slot] != 0) slot = (slot + 1) & mask_;
    slots_[slot] = static_cast<uint32_t>(i + 1);
  }
}

const Zone* ZoneSet::FindExact(const uint8_t* name, size_t size, uint64_t hash) const {
  if (slots_.empty()) return nullptr;
  for (size_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
    uint32_t index = slots_[slot];
    if (index == 0) return nullptr;
    const Zone* zone = zones_[index - 1].get();
    auto wire = zone->origin().wire();
    if (wire.size() == size && std::memcmp(wire.data(), name, size) == 0) return zone;
  }
}

const Zone* ZoneSet::FindLongest(const uint8_t* qname, size_t qname_size, const uint8_t* labels,
                                 int label_count, int* origin_label) const {
  if (zones_.empty()) return nullptr;
  for (int i = 0; i <= label_count; ++i) {
    size_t start = i < label_count ? labels[i] : qname_size - 1;  // the root label last
    const uint8_t* suffix = qname + start;
    size_t size = qname_size - start;
    if (const Zone* zone = FindExact(suffix, size, HashBytes(suffix, size))) {
      *origin_label = i;
      return zone;
    }
  }
  return nullptr;
}

std::shared_ptr<Zone> ZoneSet::Get(const dns::Name& origin) const {
  dns::Name lower = origin.Lowercased();
  for (const auto& zone : zones_) {
    if (zone->origin() == lower) return zone;
  }
  return nullptr;
}

ZoneRegistry::ZoneRegistry() : current_(new ZoneSet()) {}

ZoneRegistry::~ZoneRegistry() { delete current_.load(); }

void ZoneRegistry::PublishLocked(std::vector<std::shared_ptr<Zone>> zones) {
  const ZoneSet* old = current_.exchange(new ZoneSet(std::move(zones)), std::memory_order_acq_rel);
  // The old snapshot (and with it, possibly the last reference to a replaced zone) goes
  // once no reader can still be using it.
  Qsbr::Global().Retire([old] { delete old; });
}

void ZoneRegistry::Put(std::shared_ptr<Zone> zone) {
  MutexLock lock(mu_);
  std::vector<std::shared_ptr<Zone>> zones;
  for (const auto& existing : current_.load()->zones()) {
    if (!(existing->origin() == zone->origin())) zones.push_back(existing);
  }
  zones.push_back(std::move(zone));
  PublishLocked(std::move(zones));
}

void ZoneRegistry::ReplaceAll(std::vector<std::shared_ptr<Zone>> zones) {
  MutexLock lock(mu_);
  PublishLocked(std::move(zones));
}

bool ZoneRegistry::Remove(const dns::Name& origin) {
  MutexLock lock(mu_);
  dns::Name lower = origin.Lowercased();
  std::vector<std::shared_ptr<Zone>> zones;
  bool found = false;
  for (const auto& existing : current_.load()->zones()) {
    if (existing->origin() == lower) {
      found = true;
    } else {
      zones.push_back(existing);
    }
  }
  if (found) PublishLocked(std::move(zones));
  return found;
}

std::shared_ptr<Zone> ZoneRegistry::Get(const dns::Name& origin) const {
  MutexLock lock(mu_);
  return current_.load()->Get(origin);
}

std::vector<std::shared_ptr<Zone>> ZoneRegistry::All() const {
  MutexLock lock(mu_);
  return current_.load()->zones();
}

}  // namespace tether::zone
