#include "update/zone_view.h"

#include <algorithm>

#include "store/replay.h"

namespace tether::update {

std::string ZoneView::Key(const dns::Name& name) {
  dns::Name lower = name.Lowercased();
  return std::string(reinterpret_cast<const char*>(lower.wire().data()), lower.size());
}

const std::vector<zone::Rrset>& ZoneView::Get(const dns::Name& name) {
  std::string key = Key(name);
  auto it = names_.find(key);
  if (it != names_.end()) return it->second;
  // A savepoint reads through to its parent (which caches), without a copy of its own.
  if (parent_ != nullptr) return parent_->Get(name);
  return names_.emplace(std::move(key), zone_->Get(name)).first->second;
}

const zone::Rrset* ZoneView::Find(const dns::Name& name, dns::RrType type) {
  for (const auto& rrset : Get(name)) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

void ZoneView::Set(const dns::Name& name, std::vector<zone::Rrset> rrsets) {
  zone::NormalizeRrsets(&rrsets);
  std::string key = Key(name);
  names_[key] = std::move(rrsets);
  dirty_[key] = true;
}

void ZoneView::MergeIntoParent() {
  for (auto& [key, dirty] : dirty_) {
    parent_->names_[key] = std::move(names_[key]);
    parent_->dirty_[key] = true;
  }
  names_.clear();
  dirty_.clear();
}

ZoneView::Changes ZoneView::CollectChanges() {
  Changes changes;
  for (auto& [key, dirty] : dirty_) {
    dns::Name owner = dns::Name::FromValidWire(
        {reinterpret_cast<const uint8_t*>(key.data()), key.size()});
    const std::vector<zone::Rrset> before = zone_->Get(owner);
    const std::vector<zone::Rrset>& after = names_[key];
    if (before == after) continue;
    // The store journals the SOA itself, with the serial it allocates.
    store::DiffName(owner, before, after, &changes.removed, &changes.added);
    changes.names.push_back({owner, after});
  }
  return changes;
}

}  // namespace tether::update
