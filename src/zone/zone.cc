#include "zone/zone.h"

#include <new>
#include "base/hash.h"

#include "base/check.h"
#include "base/qsbr.h"

namespace tether::zone {

// The state of one node within a batch being built.
struct Zone::Pending {
  NodeData* base = nullptr;  // the published head (null for a new node)
  bool replaced = false;     // content replaced by the batch
  std::vector<Rrset> rrsets;
  uint32_t children = 0;

  bool HasData() const { return replaced ? !rrsets.empty() : (base != nullptr && base->rrset_count > 0); }
  bool Exists() const { return HasData() || children > 0; }
};

struct Zone::Batch {
  // Node -> index into `pending`, open addressing: a batch may touch millions of nodes (a
  // zone load), so this is kept flat.
  std::vector<Node*> keys;
  std::vector<uint32_t> index;
  size_t mask = 0;
  std::vector<Pending> pending;
  std::vector<Node*> order;  // touched nodes in first-touch order (parallel to `pending`)

  explicit Batch(size_t expected) {
    size_t capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    keys.assign(capacity, nullptr);
    index.assign(capacity, 0);
    mask = capacity - 1;
    pending.reserve(expected);
    order.reserve(expected);
  }

  Pending& Touch(Node* node) {
    size_t slot = HashMix(reinterpret_cast<uintptr_t>(node), 0x9E3779B97F4A7C15ull) & mask;
    while (keys[slot] != nullptr) {
      if (keys[slot] == node) return pending[index[slot]];
      slot = (slot + 1) & mask;
    }
    if ((order.size() + 1) * 2 > keys.size()) {
      Rehash();
      return Touch(node);
    }
    keys[slot] = node;
    index[slot] = static_cast<uint32_t>(pending.size());
    Pending& entry = pending.emplace_back();
    entry.base = node->data.load(std::memory_order_relaxed);
    if (entry.base != nullptr) entry.children = entry.base->children;
    order.push_back(node);
    return entry;
  }

 private:
  void Rehash() {
    size_t capacity = keys.size() * 2;
    keys.assign(capacity, nullptr);
    index.assign(capacity, 0);
    mask = capacity - 1;
    for (uint32_t i = 0; i < order.size(); ++i) {
      size_t slot = HashMix(reinterpret_cast<uintptr_t>(order[i]), 0x9E3779B97F4A7C15ull) & mask;
      while (keys[slot] != nullptr) slot = (slot + 1) & mask;
      keys[slot] = order[i];
      index[slot] = i;
    }
  }
};

namespace {
// Length of the first label of a relative name, including its length byte.
size_t FirstLabelSize(const uint8_t* name) { return size_t{name[0]} + 1; }
}  // namespace

Zone::Zone(dns::Name origin) : origin_(std::move(origin)) {
  MutexLock lock(writer_mu_);
  apex_ = NewNode(nullptr, 0);
}

Zone::~Zone() {
  // No reader can see this zone any more (it was unpublished and a grace period passed);
  // the arena releases every node and NodeData at once. Node and NodeData are trivially
  // destructible apart from their atomics, which need no cleanup.
}

Node* Zone::NewNode(const uint8_t* name, size_t size) NO_THREAD_SAFETY_ANALYSIS {
  void* block = arena_.Allocate(Node::AllocSize(size));
  auto* node = new (block) Node();
  node->name_size = static_cast<uint8_t>(size);
  if (size > 0) std::memcpy(node->mutable_name(), name, size);
  return node;
}

void Zone::FreeNode(Node* node) NO_THREAD_SAFETY_ANALYSIS {
  NodeData* data = node->data.load(std::memory_order_relaxed);
  while (data != nullptr) {
    NodeData* older = data->older.load(std::memory_order_relaxed);
    FreeNodeData(arena_, data);
    data = older;
  }
  size_t size = Node::AllocSize(node->name_size);
  node->~Node();
  arena_.Free(node, size);
}

Node* Zone::FindOrCreate(const uint8_t* name, size_t size) {
  if (size == 0) return apex_;
  uint64_t hash = NodeTable::Hash(name, size);
  if (const Node* found = table_.Find(name, size, hash)) return const_cast<Node*>(found);
  Node* node = NewNode(name, size);
  table_.Insert(node, hash);  // visible to readers, but without data: it does not exist yet
  return node;
}

// A node's existence changed: adjust its parent's child count, and so on upwards.
void Zone::AdjustParents(Batch& batch, const uint8_t* name, size_t size, bool now_exists) {
  while (size > 0) {
    size_t strip = FirstLabelSize(name);
    name += strip;
    size -= strip;
    Pending& parent = batch.Touch(FindOrCreate(name, size));
    bool before = parent.Exists();
    if (now_exists) {
      ++parent.children;
    } else {
      --parent.children;
    }
    if (size == 0 || parent.Exists() == before) break;
  }
}

Status Zone::Apply(std::vector<NameUpdate> updates) {
  // Validate everything first: a batch is applied wholly or not at all.
  for (auto& update : updates) {
    if (!update.name.IsSubdomainOf(origin_)) {
      return InvalidArgument("{} is outside zone {}", update.name.ToText(), origin_.ToText());
    }
    if (!NormalizeRrsets(&update.rrsets)) {
      return InvalidArgument("duplicate RRset types at {}", update.name.ToText());
    }
    if (auto fits = CheckRrsetsFit(update.rrsets); !fits) {
      return InvalidArgument("{}: {}", update.name.ToText(), fits.error().message);
    }
  }

  MutexLock lock(writer_mu_);
  MaintainLocked();
  const uint64_t new_version = version_.load(std::memory_order_relaxed) + 1;
  Batch batch(updates.size() + 1);
  if (updates.size() > 1024) table_.Reserve(updates.size());

  for (auto& update : updates) {
    size_t rel_size = update.name.size() - origin_.size();
    const uint8_t* rel = update.name.wire().data();
    dns::Name lower;
    if (rel_size > 0) {
      lower = update.name.Lowercased();
      rel = lower.wire().data();
    }
    Pending& pending = batch.Touch(FindOrCreate(rel, rel_size));
    bool before = pending.Exists();
    pending.replaced = true;
    pending.rrsets = std::move(update.rrsets);
    if (rel_size > 0 && pending.Exists() != before) AdjustParents(batch, rel, rel_size, pending.Exists());
  }

  // Build and install the new heads; readers at the old version skip them.
  Deferred deferred;
  for (size_t i = 0; i < batch.order.size(); ++i) {
    Node* node = batch.order[i];
    Pending& pending = batch.pending[i];
    NodeData* data = pending.replaced
                         ? EncodeNodeData(arena_, pending.rrsets, pending.children, new_version)
                     : pending.base != nullptr
                         ? CopyNodeData(arena_, pending.base, pending.children, new_version)
                         : EncodeNodeData(arena_, {}, pending.children, new_version);
    TETHER_CHECK(data != nullptr);  // sizes were validated above
    data->older.store(pending.base, std::memory_order_relaxed);
    node->data.store(data, std::memory_order_release);
    if (pending.base != nullptr) deferred.trim.push_back(data);
    if (!data->Exists() && node != apex_) deferred.remove.push_back(node);
  }
  version_.store(new_version, std::memory_order_release);

  deferred.ticket = Qsbr::Global().Ticket();
  deferred_.push_back(std::move(deferred));
  return Ok();
}

void Zone::MaintainLocked() {
  table_.Maintain();
  size_t done = 0;
  std::vector<Deferred> follow_up;
  for (auto& entry : deferred_) {
    if (!Qsbr::Global().Passed(entry.ticket)) break;  // tickets are in increasing order
    ++done;
    for (NodeData* head : entry.trim) {
      NodeData* older = head->older.exchange(nullptr, std::memory_order_relaxed);
      if (older != nullptr) FreeNodeData(arena_, older);
    }
    Deferred removal;
    for (Node* node : entry.remove) {
      // Only if no later batch gave the name data or children again.
      NodeData* head = node->data.load(std::memory_order_relaxed);
      if (head != nullptr && !head->Exists() && head->older.load(std::memory_order_relaxed) == nullptr) {
        table_.Remove(node, NodeTable::Hash(node->name(), node->name_size));
        removal.free.push_back(node);
      }
    }
    for (Node* node : entry.free) FreeNode(node);
    if (!removal.free.empty()) follow_up.push_back(std::move(removal));
  }
  deferred_.erase(deferred_.begin(), deferred_.begin() + static_cast<std::ptrdiff_t>(done));
  for (auto& removal : follow_up) {
    // Readers that found the node before it left the table may still hold it.
    removal.ticket = Qsbr::Global().Ticket();
    deferred_.push_back(std::move(removal));
  }
}

void Zone::Maintain() {
  MutexLock lock(writer_mu_);
  MaintainLocked();
}

std::vector<Rrset> Zone::Get(const dns::Name& name) {
  return WithNode(name, [](const Node* node) {
    return node != nullptr ? DecodeNodeData(node->data.load(std::memory_order_acquire)) : std::vector<Rrset>();
  });
}

double Zone::RecentQueryRate(double now) const {
  double rate = 0;
  for (const QueryStripe& stripe : query_stripes_) {
    rate += QueryRate(stripe.window.load(std::memory_order_relaxed), stripe.count.load(std::memory_order_relaxed),
                      stripe.before.load(std::memory_order_relaxed), now);
  }
  return rate;
}

bool Zone::SetNameState(const dns::Name& name, uint8_t bits, bool on) {
  return WithNode(name, [&](const Node* node) {
    if (node == nullptr) return false;
    const uint8_t state = node->state.load(std::memory_order_relaxed);
    const_cast<Node*>(node)->state.store(on ? uint8_t(state | bits) : uint8_t(state & ~bits),
                                         std::memory_order_relaxed);
    return true;
  });
}

double Zone::RecentQueryRate(const dns::Name& name, double now) {
  return WithNode(name, [&](const Node* node) { return node != nullptr ? node->RecentQueryRate(now) : 0.0; });
}

ZoneStats Zone::Stats() {
  MutexLock lock(writer_mu_);
  ZoneStats stats;
  stats.version = version_.load(std::memory_order_relaxed);
  stats.nodes = table_.size() + 1;
  stats.arena_bytes = arena_.bytes_in_use();
  stats.reserved_bytes = arena_.bytes_reserved();
  stats.table_bytes = table_.memory_bytes();
  return stats;
}

void Zone::ForEachName(
    const std::function<void(const dns::Name&, const std::vector<Rrset>&)>& fn) {
  // A reader, not the writer: one QSBR read section over the version published now. The
  // writer goes on publishing; nothing this version reaches (its NodeData, nodes removed
  // meanwhile, a slot array replaced by a resize) is freed before the section ends.
  struct Reader {
    ReaderSlot* slot = Qsbr::Global().RegisterReader();
    ~Reader() { Qsbr::Global().UnregisterReader(slot); }
  } reader;
  ReadGuard guard(reader.slot);
  const uint64_t at = version();
  auto visit = [&](const Node* node) {
    // Nodes made after `at` have no data at it; nodes taken out of the table meanwhile had
    // none at it either (Maintain removes a node only once its empty head is that old).
    const NodeData* data = node->DataAt(at);
    if (data == nullptr || data->rrset_count == 0) return;
    std::vector<uint8_t> wire(node->name(), node->name() + node->name_size);
    wire.insert(wire.end(), origin_.wire().begin(), origin_.wire().end());
    fn(dns::Name::FromValidWire(wire), DecodeNodeData(data));
  };
  visit(apex_);
  table_.ForEach(visit);
}

}  // namespace tether::zone
