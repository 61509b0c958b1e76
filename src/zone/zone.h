// Zone: the in-memory content of one zone, read by the query path while it changes.
//
// Readers (query threads, inside a QSBR read section) take the zone's published version V
// once per query and see exactly the content of version V: no lock, no waiting, no
// read-modify-write. The writer applies a batch of name updates as one new version: it
// builds the new NodeData of each touched name (tagged V+1, invisible to readers at V),
// installs them, then publishes V+1 with one store. A batch costs in proportion to the
// names it touches, never to the size of the zone. Old versions are freed by the writer
// itself (Maintain) once a QSBR grace period has passed.
//
// Thread-safety: the reader methods may be called from any thread inside a QSBR read
// section; Apply/Get/Maintain/Stats are serialised by an internal writer mutex and may be
// called from any thread (outside a read section); ForEachName may be called from any
// thread outside a read section, and reads without the writer mutex.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "dns/name.h"
#include "zone/arena.h"
#include "zone/node.h"
#include "zone/node_table.h"
#include "zone/rrset.h"

namespace tether::zone {

// Replaces all the data of `name` with `rrsets` (empty: the name keeps no data and
// disappears unless it has children).
struct NameUpdate {
  dns::Name name;
  std::vector<Rrset> rrsets;
};

struct ZoneStats {
  uint64_t version = 0;
  size_t nodes = 0;
  size_t arena_bytes = 0;       // bytes of nodes and record data in use
  size_t reserved_bytes = 0;    // bytes the arena holds from the system
  size_t table_bytes = 0;
};

class Zone {
 public:
  // An empty zone (version 0, no data at the apex). REQUIRES: `origin` is lowercase.
  explicit Zone(dns::Name origin);
  ~Zone();
  Zone(const Zone&) = delete;
  Zone& operator=(const Zone&) = delete;

  const dns::Name& origin() const { return origin_; }

  // ---- Reader side (inside a QSBR read section) ----
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  const Node* apex() const { return apex_; }
  // An expired secondary zone (RFC 1034 4.3.5: not refreshed within the SOA's EXPIRE) is
  // answered SERVFAIL until a refresh succeeds. Any thread.
  bool expired() const { return expired_.load(std::memory_order_relaxed); }
  void set_expired(bool expired) { expired_.store(expired, std::memory_order_relaxed); }
  // `name`: lowercase wire labels below the origin (no root label); size 0 is the apex.
  const Node* Find(const uint8_t* name, size_t size, uint64_t hash) const {
    return size == 0 ? apex_ : table_.Find(name, size, hash);
  }

  // Counts one query answered from this zone in `window` (QueryWindow of now), in a
  // counter of the calling thread's own (no cache line shared between query threads).
  void CountQuery(uint32_t window) const {
    QueryStripe& stripe = query_stripes_[ThreadStripe()];
    const uint32_t counted = stripe.window.load(std::memory_order_relaxed);
    const uint32_t count = stripe.count.load(std::memory_order_relaxed);
    if (counted == window) {
      stripe.count.store(count + 1, std::memory_order_relaxed);
      return;
    }
    stripe.before.store(counted + 1 == window ? count : 0, std::memory_order_relaxed);
    stripe.count.store(1, std::memory_order_relaxed);
    stripe.window.store(window, std::memory_order_relaxed);
  }
  // Queries per second the whole zone received recently (node.h QueryRate), at unix time
  // `now`. Any thread.
  double RecentQueryRate(double now) const;

  // ---- Writer side ----
  // Applies all updates as one new version, or none of them if any is invalid (a name
  // outside the zone, duplicate types, an RRset too large for the packed form).
  Status Apply(std::vector<NameUpdate> updates);
  // The current content of `name` (empty if none).
  std::vector<Rrset> Get(const dns::Name& name);
  // Calls fn(const NodeData*) with the current content of `name` (null if it has none),
  // without copying it; under the writer lock, so not for the query path.
  template <class Fn>
  void WithCurrent(const dns::Name& name, Fn&& fn) {
    WithNode(name, [&](const Node* node) { fn(node != nullptr ? node->data.load(std::memory_order_acquire) : nullptr); });
  }
  // Frees versions and nodes that no reader can see any more. Cheap; call after batches
  // and periodically.
  void Maintain();
  ZoneStats Stats();
  // Sets (on) or clears bits of Node::state of `name` (node.h, e.g. kNodeStateLogQueries);
  // returns false if the name has no node. Under the writer lock; the query path reads the
  // bits with a relaxed load.
  bool SetNameState(const dns::Name& name, uint8_t bits, bool on);
  // Queries per second `name` received recently (Node::RecentQueryRate; 0 for a name
  // without a node), at unix time `now`. Under the writer lock, so not for the query path.
  double RecentQueryRate(const dns::Name& name, double now);
  // Calls fn(name, rrsets) for every name with data at the version current at the call (in
  // no particular order): one consistent version, however many batches are applied while
  // it runs. For transfers, exports and tests. It reads as the query path does, inside a
  // QSBR read section (registering the calling thread as a reader for the walk), so it
  // never holds the writer lock and updates do not wait for it; memory the writer frees
  // meanwhile, in every zone, is reclaimed only after it returns. `fn` runs inside that
  // section: it must not wait for a grace period (Qsbr::Synchronize) and should not block.
  void ForEachName(const std::function<void(const dns::Name&, const std::vector<Rrset>&)>& fn);

 private:
  struct Pending;
  struct Batch;
  struct Deferred {
    uint64_t ticket;
    std::vector<NodeData*> trim;  // new heads whose older versions are to be freed
    std::vector<Node*> remove;    // nodes without data: take out of the table
    std::vector<Node*> free;      // nodes already out of the table: free
  };

  // Calls fn(node of `name`, or null) under the writer lock; returns what fn returns.
  template <class Fn>
  auto WithNode(const dns::Name& name, Fn&& fn) {
    if (!name.IsSubdomainOf(origin_)) return fn(static_cast<const Node*>(nullptr));
    char buffer[dns::Name::kMaxWire];
    const std::string_view lower = name.LowercaseKey(buffer);
    const auto* relative = reinterpret_cast<const uint8_t*>(lower.data());
    const size_t size = lower.size() - origin_.size();
    MutexLock lock(writer_mu_);
    return fn(Find(relative, size, size == 0 ? 0 : NodeTable::Hash(relative, size)));
  }
  Node* NewNode(const uint8_t* name, size_t size);
  void FreeNode(Node* node);
  Node* FindOrCreate(const uint8_t* name, size_t size) REQUIRES(writer_mu_);
  void AdjustParents(Batch& batch, const uint8_t* name, size_t size, bool now_exists)
      REQUIRES(writer_mu_);
  void MaintainLocked() REQUIRES(writer_mu_);

  struct alignas(64) QueryStripe {
    std::atomic<uint32_t> window{0};
    std::atomic<uint32_t> count{0};
    std::atomic<uint32_t> before{0};
  };
  static constexpr size_t kQueryStripes = 8;
  static size_t ThreadStripe() {
    static std::atomic<size_t> next{0};
    static thread_local const size_t stripe = next.fetch_add(1, std::memory_order_relaxed) % kQueryStripes;
    return stripe;
  }

  const dns::Name origin_;
  mutable std::array<QueryStripe, kQueryStripes> query_stripes_;
  std::atomic<uint64_t> version_{0};
  std::atomic<bool> expired_{false};
  Node* apex_;
  NodeTable table_;

  Mutex writer_mu_;
  Arena arena_ GUARDED_BY(writer_mu_);
  std::vector<Deferred> deferred_ GUARDED_BY(writer_mu_);
};

}  // namespace tether::zone
