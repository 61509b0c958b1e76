// ZoneSet: the zones a server is authoritative for, as one immutable snapshot, and
// ZoneRegistry, which publishes a new snapshot with one pointer swap when a zone is added,
// replaced (e.g. a master file reloaded on SIGHUP) or removed. Queries find their zone by
// the longest matching origin.
//
// Thread-safety: ZoneRegistry::Current() and ZoneSet lookups run on reader threads inside a
// QSBR read section; Publish/Add/Remove may be called from any thread (serialised by a
// mutex). A snapshot and the zones it holds stay alive until a grace period after it was
// replaced.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/mutex.h"
#include "dns/name.h"
#include "zone/zone.h"

namespace tether::zone {

class ZoneSet {
 public:
  ZoneSet() = default;
  explicit ZoneSet(std::vector<std::shared_ptr<Zone>> zones);

  // The zone whose origin is the longest suffix of `qname` (lowercase wire form, `labels`
  // holds the offset of each label start, `label_count` of them, root excluded). Returns
  // the zone and sets *origin_label to the index of the label where the origin starts.
  const Zone* FindLongest(const uint8_t* qname, size_t qname_size, const uint8_t* labels,
                          int label_count, int* origin_label) const;
  // Exact origin match (any case).
  std::shared_ptr<Zone> Get(const dns::Name& origin) const;

  const std::vector<std::shared_ptr<Zone>>& zones() const { return zones_; }

 private:
  const Zone* FindExact(const uint8_t* name, size_t size, uint64_t hash) const;

  std::vector<std::shared_ptr<Zone>> zones_;
  std::vector<uint32_t> slots_;  // index+1 into zones_, 0 = empty; open addressing
  size_t mask_ = 0;
};

class ZoneRegistry {
 public:
  ZoneRegistry();
  ~ZoneRegistry();
  ZoneRegistry(const ZoneRegistry&) = delete;
  ZoneRegistry& operator=(const ZoneRegistry&) = delete;

  // Reader: the current snapshot; valid until the caller's read section ends.
  const ZoneSet* Current() const { return current_.load(std::memory_order_acquire); }

  // Adds `zone`, replacing any zone with the same origin.
  void Put(std::shared_ptr<Zone> zone);
  // Replaces the whole set of zones at once.
  void ReplaceAll(std::vector<std::shared_ptr<Zone>> zones);
  bool Remove(const dns::Name& origin);
  std::shared_ptr<Zone> Get(const dns::Name& origin) const;
  std::vector<std::shared_ptr<Zone>> All() const;

 private:
  void PublishLocked(std::vector<std::shared_ptr<Zone>> zones) REQUIRES(mu_);

  mutable Mutex mu_;
  std::atomic<const ZoneSet*> current_;
};

}  // namespace tether::zone
