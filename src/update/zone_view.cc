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
  if (it != names_.end()) return it->second;
  // A savepoint reads through to its parent (which caches), without a copy of its own.
  if (parent_ != nullptr) return parent_->GetKeyed(key, name);
  std::vector<zone::Rrset> read = zone_->Get(name);
  // A name that is not there is not cached: reading it again is as cheap as the lookup, and
  // a takedown reads two such names for every host it lists.
  static const std::vector<zone::Rrset> kNothing;
  if (read.empty()) return kNothing;
  return names_.emplace(std::string(key), std::move(read)).first->second;
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
  auto [it, inserted] = dirty_.emplace(key);
  auto name = names_.find(key);
  if (name == names_.end()) {
    names_.emplace(*it, std::move(rrsets));
    return;
  }
  // The first change of a name read before: its published content is kept for
  // CollectChanges, which then need not read it again.
  if (inserted && parent_ == nullptr) original_.emplace(*it, std::move(name->second));
  name->second = std::move(rrsets);
}

void ZoneView::MergeIntoParent() {
  for (const std::string& key : dirty_) parent_->Replace(key, std::move(names_.find(key)->second));
  names_.clear();
  dirty_.clear();
}

ZoneView::Changes ZoneView::CollectChanges() {
  Changes changes;
  for (const std::string& key : dirty_) {
    dns::Name owner = dns::Name::FromValidWire(
        {reinterpret_cast<const uint8_t*>(key.data()), key.size()});
    auto original = original_.find(key);
    const std::vector<zone::Rrset> read = original == original_.end() ? zone_->Get(owner) : std::vector<zone::Rrset>();
    const std::vector<zone::Rrset>& before = original == original_.end() ? read : original->second;
    const std::vector<zone::Rrset>& after = names_.find(key)->second;
    if (before == after) continue;
    // The store journals the SOA itself, with the serial it allocates.
    store::DiffName(owner, before, after, &changes.removed, &changes.added);
    changes.names.push_back({owner, after});
  }
  return changes;
}

}  // namespace tether::update
