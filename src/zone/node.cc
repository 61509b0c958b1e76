#include "zone/node.h"

#include <algorithm>
#include <new>

#include "dns/rdata.h"

namespace tether::zone {

double QueryRate(uint32_t counted_window, uint32_t count, uint32_t count_before, double now) {
  const uint32_t window = QueryWindow(static_cast<uint64_t>(now));
  const double seconds = kQueryWindowSeconds + (now - double(window) * kQueryWindowSeconds);
  if (counted_window == window) return (count + count_before) / seconds;
  if (counted_window + 1 == window) return count / seconds;
  return 0;
}

double Node::RecentQueryRate(double now) const {
  // The node keeps 16 bits of its window: take the full window of `now` that has them.
  const uint32_t window = QueryWindow(static_cast<uint64_t>(now));
  const uint16_t low = query_window.load(std::memory_order_relaxed);
  const uint32_t counted = (window & ~uint32_t{0xffff}) | low;
  const uint32_t full = counted > window ? counted - 0x10000 : counted;
  return QueryRate(full, queries.load(std::memory_order_relaxed), queries_before.load(std::memory_order_relaxed),
                   now);
}

bool NormalizeRrsets(std::vector<Rrset>* rrsets) {
  for (auto& rrset : *rrsets) {
    // RFC 4034 6.3: canonical order compares RDATA as left-justified unsigned octets.
    auto& rdatas = rrset.rdatas;
    std::sort(rdatas.begin(), rdatas.end());
    rdatas.erase(std::unique(rdatas.begin(), rdatas.end()), rdatas.end());
  }
  std::sort(rrsets->begin(), rrsets->end(),
            [](const Rrset& a, const Rrset& b) { return dns::ToU16(a.type) < dns::ToU16(b.type); });
  for (size_t i = 1; i < rrsets->size(); ++i) {
    if ((*rrsets)[i].type == (*rrsets)[i - 1].type) return false;
  }
  return true;
}

namespace {

uint16_t FlagFor(dns::RrType type) {
  switch (type) {
    case dns::RrType::kNs:
      return kNodeHasNs;
    case dns::RrType::kCname:
      return kNodeHasCname;
    case dns::RrType::kDname:
      return kNodeHasDname;
    case dns::RrType::kSoa:
      return kNodeHasSoa;
    case dns::RrType::kDs:
      return kNodeHasDs;
    default:
      return 0;
  }
}

void PutU16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void PutU32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace

Status CheckRrsetsFit(const std::vector<Rrset>& rrsets) {
  if (rrsets.size() > 65535) return InvalidArgument("too many RRsets at one name");
  for (const auto& rrset : rrsets) {
    size_t wire = 0;
    for (const auto& rdata : rrset.rdatas) wire += kRecordFixedSize + rdata.size();
    if (rrset.rdatas.empty() || wire > 65535) {
      return InvalidArgument("RRset {} is empty or larger than 64 KiB", dns::RrTypeToString(rrset.type));
    }
  }
  return Ok();
}

NodeData* EncodeNodeData(Arena& arena, const std::vector<Rrset>& rrsets, uint32_t children,
                         uint64_t version) {
  size_t total = sizeof(NodeData);
  for (const auto& rrset : rrsets) {
    size_t wire = 0;
    for (const auto& rdata : rrset.rdatas) wire += kRecordFixedSize + rdata.size();
    if (wire > 65535 || rrset.rdatas.size() > 65535 || rrset.rdatas.empty()) return nullptr;
    total += sizeof(RrsetHeader) + wire;
  }
  if (rrsets.size() > 65535) return nullptr;
  void* block = arena.Allocate(total);
  auto* data = new (block) NodeData();
  data->version = version;
  data->children = children;
  data->rrset_count = static_cast<uint16_t>(rrsets.size());
  auto* p = reinterpret_cast<uint8_t*>(data + 1);
  for (const auto& rrset : rrsets) {
    RrsetHeader header{};
    header.type = dns::ToU16(rrset.type);
    header.count = static_cast<uint16_t>(rrset.rdatas.size());
    size_t wire = 0;
    for (const auto& rdata : rrset.rdatas) wire += kRecordFixedSize + rdata.size();
    header.wire_size = static_cast<uint16_t>(wire);
    std::memcpy(p, &header, sizeof(header));
    p += sizeof(header);
    for (const auto& rdata : rrset.rdatas) {
      PutU16(p, 0xC00C);  // the question name, always at offset 12
      PutU16(p + 2, header.type);
      PutU16(p + 4, dns::ToU16(dns::RrClass::kIn));
      PutU32(p + 6, rrset.ttl);
      PutU16(p + 10, static_cast<uint16_t>(rdata.size()));
      if (!rdata.empty()) std::memcpy(p + kRecordFixedSize, rdata.data(), rdata.size());
      p += kRecordFixedSize + rdata.size();
    }
    data->flags = static_cast<uint16_t>(data->flags | FlagFor(rrset.type));
  }
  return data;
}

size_t NodeDataSize(const NodeData* data) {
  const uint8_t* end = data->rrsets();
  for (uint16_t i = 0; i < data->rrset_count; ++i) end = RrsetView(end).next();
  return static_cast<size_t>(end - reinterpret_cast<const uint8_t*>(data));
}

NodeData* CopyNodeData(Arena& arena, const NodeData* data, uint32_t children, uint64_t version) {
  size_t size = NodeDataSize(data);
  void* block = arena.Allocate(size);
  auto* copy = new (block) NodeData();
  copy->version = version;
  copy->children = children;
  copy->flags = data->flags;
  copy->rrset_count = data->rrset_count;
  std::memcpy(reinterpret_cast<uint8_t*>(copy) + sizeof(NodeData), data->rrsets(),
              size - sizeof(NodeData));
  return copy;
}

void FreeNodeData(Arena& arena, NodeData* data) {
  size_t size = NodeDataSize(data);
  data->~NodeData();
  arena.Free(data, size);
}

std::vector<Rrset> DecodeNodeData(const NodeData* data) {
  std::vector<Rrset> out;
  if (data == nullptr) return out;
  ForEachRrset(data, [&](const RrsetView& view) {
    Rrset rrset;
    rrset.type = view.type();
    rrset.ttl = view.ttl();
    view.ForEachRecord([&](std::span<const uint8_t> record) {
      auto rdata = record.subspan(kRecordFixedSize);
      rrset.rdatas.emplace_back(rdata.begin(), rdata.end());
    });
    out.push_back(std::move(rrset));
  });
  return out;
}

}  // namespace tether::zone
