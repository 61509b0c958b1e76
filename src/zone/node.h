// The in-memory representation of one name of a zone, built for the query path.
//
// Node: one per name (including empty non-terminals), found through the zone's NodeTable.
// It holds the name relative to the zone origin (lowercase wire form without the origin),
// the head of a short chain of NodeData versions, and per-name fields that the query path
// writes without synchronisation: an approximate query counter and state flags (e.g. "log
// this name's queries"). A Node lives until the zone's writer removes it and a QSBR grace
// period has passed.
//
// NodeData: the immutable content of a name at one zone version: its RRsets pre-encoded as
// answer records (each record is [C0 0C][type][class][ttl][rdlength][rdata], i.e. already
// pointing at the question name at offset 12) and the number of existing children. A
// reader that took zone version V uses the newest NodeData with version <= V (DataAt);
// newer entries belong to a batch that is not published yet. The writer trims the chain
// once a grace period has passed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "dns/rr_type.h"
#include "zone/arena.h"
#include "zone/rrset.h"

namespace tether::zone {

// NodeData::flags
constexpr uint16_t kNodeHasNs = 1 << 0;
constexpr uint16_t kNodeHasCname = 1 << 1;
constexpr uint16_t kNodeHasDname = 1 << 2;
constexpr uint16_t kNodeHasSoa = 1 << 3;
constexpr uint16_t kNodeHasDs = 1 << 4;

// Node::state bits: per-name switches read on the query path (set by later subsystems).
constexpr uint8_t kNodeStateLogQueries = 1 << 0;

struct NodeData {
  std::atomic<NodeData*> older{nullptr};
  uint64_t version = 0;
  uint32_t children = 0;  // existing child names at this version
  uint16_t flags = 0;
  uint16_t rrset_count = 0;
  // Followed by rrset_count packed RRsets: RrsetHeader + wire records.

  bool Exists() const { return rrset_count > 0 || children > 0; }
  const uint8_t* rrsets() const { return reinterpret_cast<const uint8_t*>(this + 1); }
};

struct RrsetHeader {
  uint16_t type;
  uint16_t count;
  uint16_t wire_size;  // bytes of the records that follow
  uint16_t reserved;
};
constexpr size_t kRecordFixedSize = 12;  // owner pointer, type, class, ttl, rdlength

// A view of one packed RRset inside a NodeData.
class RrsetView {
 public:
  RrsetView() = default;
  explicit RrsetView(const uint8_t* header) : header_(header) {
    std::memcpy(&h_, header, sizeof(h_));
  }
  bool valid() const { return header_ != nullptr; }
  dns::RrType type() const { return static_cast<dns::RrType>(h_.type); }
  uint16_t count() const { return h_.count; }
  // All records, each starting with the 2-byte pointer to the question name.
  std::span<const uint8_t> wire() const { return {header_ + sizeof(RrsetHeader), h_.wire_size}; }
  uint32_t ttl() const {
    const uint8_t* p = header_ + sizeof(RrsetHeader) + 6;
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
  }
  const uint8_t* next() const { return header_ + sizeof(RrsetHeader) + h_.wire_size; }

  // Calls fn(record) for each record; `record` spans the 12 fixed bytes and the RDATA.
  template <class Fn>
  void ForEachRecord(Fn&& fn) const {
    const uint8_t* p = header_ + sizeof(RrsetHeader);
    for (uint16_t i = 0; i < h_.count; ++i) {
      size_t rdlength = (size_t{p[10]} << 8) | p[11];
      fn(std::span<const uint8_t>(p, kRecordFixedSize + rdlength));
      p += kRecordFixedSize + rdlength;
    }
  }

 private:
  const uint8_t* header_ = nullptr;
  RrsetHeader h_{};
};

// The RRset of `type` in `data`, or an invalid view.
inline RrsetView FindRrset(const NodeData* data, dns::RrType type) {
  const uint8_t* p = data->rrsets();
  for (uint16_t i = 0; i < data->rrset_count; ++i) {
    RrsetView view(p);
    if (view.type() == type) return view;
    p = view.next();
  }
  return RrsetView();
}

template <class Fn>
void ForEachRrset(const NodeData* data, Fn&& fn) {
  const uint8_t* p = data->rrsets();
  for (uint16_t i = 0; i < data->rrset_count; ++i) {
    RrsetView view(p);
    fn(view);
    p = view.next();
  }
}

// Query counting (Node::CountQuery, Zone::CountQuery): windows of this many seconds, the
// current one and the one before it, so that a recent rate needs no timer and no walk.
constexpr uint32_t kQueryWindowSeconds = 10;
inline uint32_t QueryWindow(uint64_t unix_seconds) {
  return static_cast<uint32_t>(unix_seconds / kQueryWindowSeconds);
}
// Queries per second over the window of `now` so far and the one before it, from the counts
// of `counted_window` (the newest window counted in) and the window before that one.
double QueryRate(uint32_t counted_window, uint32_t count, uint32_t count_before, double now);

struct Node {
  std::atomic<NodeData*> data{nullptr};
  // Approximate per-name query counts (abuse/: the takedown preview's rates), written by
  // the query path with relaxed loads and stores, never a read-modify-write: concurrent
  // workers may lose counts, which an estimate tolerates. 16 bits each: a window's count
  // saturates at 65535 (6,553 queries a second).
  mutable std::atomic<uint16_t> query_window{0};   // QueryWindow() mod 2^16 that `queries` counts
  mutable std::atomic<uint16_t> queries{0};
  mutable std::atomic<uint16_t> queries_before{0};  // in the window before it
  std::atomic<uint8_t> state{0};
  uint8_t name_size = 0;  // bytes of the relative name (labels below the origin, no root)
  // Followed by the relative name.

  const uint8_t* name() const { return reinterpret_cast<const uint8_t*>(this + 1); }
  uint8_t* mutable_name() { return reinterpret_cast<uint8_t*>(this + 1); }
  static size_t AllocSize(size_t name_size) { return sizeof(Node) + name_size; }

  // The content visible at zone version `version`, or null if the name has none.
  const NodeData* DataAt(uint64_t version) const {
    const NodeData* d = data.load(std::memory_order_acquire);
    while (d != nullptr && d->version > version) d = d->older.load(std::memory_order_acquire);
    return d;
  }

  // Counts one query in `window` (QueryWindow of now).
  void CountQuery(uint32_t window) const {
    const auto current = static_cast<uint16_t>(window);
    const uint16_t counted = query_window.load(std::memory_order_relaxed);
    const uint16_t count = queries.load(std::memory_order_relaxed);
    if (counted == current) {
      if (count != UINT16_MAX) queries.store(count + 1, std::memory_order_relaxed);
      return;
    }
    queries_before.store(counted == static_cast<uint16_t>(current - 1) ? count : 0, std::memory_order_relaxed);
    queries.store(1, std::memory_order_relaxed);
    query_window.store(current, std::memory_order_relaxed);
  }
  // Queries per second recently (QueryRate), at unix time `now`.
  double RecentQueryRate(double now) const;
};
static_assert(sizeof(Node) == 16, "a node is 16 bytes before its name");

// Checks that `rrsets` fit the packed form: every RRset non-empty with at most 64 KiB of
// records (the most one message can carry anyway).
Status CheckRrsetsFit(const std::vector<Rrset>& rrsets);

// Packs `rrsets` (normalised: sorted by type, records canonical and unique) into a new
// NodeData allocated from `arena`. Returns null if an RRset does not fit the packed form
// (more than 65535 bytes of records).
NodeData* EncodeNodeData(Arena& arena, const std::vector<Rrset>& rrsets, uint32_t children,
                         uint64_t version);
// A copy of `data` with another child count and version.
NodeData* CopyNodeData(Arena& arena, const NodeData* data, uint32_t children, uint64_t version);
size_t NodeDataSize(const NodeData* data);
void FreeNodeData(Arena& arena, NodeData* data);

// Unpacks a NodeData back into value RRsets (for the writer, exports and tests).
std::vector<Rrset> DecodeNodeData(const NodeData* data);

}  // namespace tether::zone
