#include "update/zone_view.h"

#include <algorithm>

#include "store/replay.h"

namespace tether::update {

const std::vector<zone::Rrset>& ZoneView::Get(const dns::Name& name) {
  char buffer[dns::Name::kMaxWire];
  return GetKeyed(name.LowercaseKey(buffer), name);
}

const std::vector<zone::Rrset>& ZoneView::GetKeyed(std::string_view key, const dns::Name& name) {
  auto it = names_.find(key);
  if (it != names_.end()) return it->second.rrsets;
  // A savepoint reads through to its parent (which caches), without a copy of its own.
  if (parent_ != nullptr) return parent_->GetKeyed(key, name);
  std::vector<zone::Rrset> read = zone_->Get(name);
  // A name that is not there is not cached: reading it again is as cheap as the lookup, and
  // a takedown reads two such names for every host it lists.
  static const std::vector<zone::Rrset> kNothing;
  if (read.empty()) return kNothing;
  Entry& entry = names_.emplace(std::string(key), Entry()).first->second;
  entry.rrsets = std::move(read);
  return entry.rrsets;
}

const zone::Rrset* ZoneView::Find(const dns::Name& name, dns::RrType type) {
  for (const auto& rrset : Get(name)) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

void ZoneView::Set(const dns::Name& name, std::vector<zone::Rrset> rrsets) {
  zone::NormalizeRrsets(&rrsets);
  char buffer[dns::Name::kMaxWire];
  Replace(name.LowercaseKey(buffer), std::move(rrsets));
}

void ZoneView::Replace(std::string_view key, std::vector<zone::Rrset> rrsets) {
  auto it = names_.find(key);
  if (it == names_.end()) {
    it = names_.emplace(std::string(key), Entry{}).first;
  } else if (!it->second.dirty && parent_ == nullptr) {
    // The first change of a name read before: its published content is kept for
    // CollectChanges, which then need not read it again.
    it->second.original = std::move(it->second.rrsets);
  }
  Entry& entry = it->second;
  entry.rrsets = std::move(rrsets);
  if (!entry.dirty) {
    entry.dirty = true;
    dirty_.push_back(&*it);
  }
}

void ZoneView::MergeIntoParent() {
  for (Names::value_type* name : dirty_) {
    parent_->Replace(name->first, std::move(name->second.rrsets));
  }
  names_.clear();
  dirty_.clear();
}

ZoneView::Changes ZoneView::CollectChanges() {
  Changes changes;
  std::sort(
      dirty_.begin(), dirty_.end(),
      [](const Names::value_type* a, const Names::value_type* b) { return a->first < b->first; });
  for (Names::value_type* name : dirty_) {
    const std::string& key = name->first;
    Entry& entry = name->second;
    dns::Name owner = dns::Name::FromValidWire(
        {reinterpret_cast<const uint8_t*>(key.data()), key.size()});
    const bool kept = !entry.original.empty();
    const std::vector<zone::Rrset> read = kept ? std::vector<zone::Rrset>() : zone_->Get(owner);
    const std::vector<zone::Rrset>& before = kept ? entry.original : read;
    if (before == entry.rrsets) continue;
    // The store journals the SOA itself, with the serial it allocates.
    store::DiffName(owner, before, entry.rrsets, &changes.removed, &changes.added);
    changes.names.push_back({std::move(owner), std::move(entry.rrsets)});
  }
  names_.clear();
  dirty_.clear();
  return changes;
}

}  // namespace tether::update
