#include "update/access.h"

#include <algorithm>

#include "base/log.h"

namespace tether::update {

std::string AccessSnapshot::Key(const dns::Name& name) {
  dns::Name lower = name.Lowercased();
  return std::string(reinterpret_cast<const char*>(lower.wire().data()), lower.size());
}

AccessSnapshot::AccessSnapshot(const std::vector<store::TsigKeyInfo>& keys,
                               const std::vector<store::ZoneInfo>& zones) {
  for (const auto& info : keys) {
    auto algorithm = dns::TsigAlgorithmFromString(info.algorithm);
    if (!algorithm) {
      spdlog::warn("key {}: unknown algorithm {}, ignored", info.name.ToText(), info.algorithm);
      continue;
    }
    KeyEntry entry{dns::TsigKey{info.name.Lowercased(), *algorithm, info.secret}, info.grants};
    keys_.emplace(Key(info.name), std::move(entry));
  }
  for (const auto& zone : zones) {
    std::vector<Cidr> cidrs;
    for (const auto& text : zone.allow_update) {
      if (auto cidr = Cidr::Parse(text)) cidrs.push_back(*cidr);
    }
    if (!cidrs.empty()) allow_update_.emplace(Key(zone.origin), std::move(cidrs));
  }
}

const KeyEntry* AccessSnapshot::FindKeyEntry(const dns::Name& name) const {
  auto it = keys_.find(Key(name));
  return it == keys_.end() ? nullptr : &it->second;
}

const dns::TsigKey* AccessSnapshot::FindKey(const dns::Name& name) const {
  const KeyEntry* entry = FindKeyEntry(name);
  return entry == nullptr ? nullptr : &entry->key;
}

bool AccessSnapshot::AllowsUnsigned(const dns::Name& zone, const sockaddr* peer) const {
  auto it = allow_update_.find(Key(zone));
  if (it == allow_update_.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const Cidr& cidr) { return cidr.Contains(peer); });
}

bool AccessSnapshot::KeyHasZone(const KeyEntry& key, const dns::Name& zone) const {
  return std::any_of(key.grants.begin(), key.grants.end(),
                     [&](const store::KeyGrant& grant) { return grant.zone.EqualsIgnoreCase(zone); });
}

bool AccessSnapshot::KeyMayChange(const KeyEntry& key, const dns::Name& zone, const dns::Name& name,
                                  dns::RrType type) {
  for (const auto& grant : key.grants) {
    if (!grant.zone.EqualsIgnoreCase(zone)) continue;
    // A type-ANY deletion needs a grant without a type restriction.
    if (!grant.types.empty() &&
        (type == dns::RrType::kAny ||
         std::find(grant.types.begin(), grant.types.end(), type) == grant.types.end())) {
      continue;
    }
    bool name_ok = false;
    switch (grant.scope) {
      case store::GrantScope::kZone:
        // Every name, but never the apex SOA and NS (the zone's own delegation).
        name_ok = !(name.EqualsIgnoreCase(zone) &&
                    (type == dns::RrType::kSoa || type == dns::RrType::kNs || type == dns::RrType::kAny));
        break;
      case store::GrantScope::kName:
        name_ok = name.EqualsIgnoreCase(grant.name);
        break;
      case store::GrantScope::kSubtree:
        name_ok = name.IsSubdomainOf(grant.name);
        break;
      case store::GrantScope::kAcme: {
        auto challenge = grant.name.Prepend("_acme-challenge");
        name_ok = challenge && name.EqualsIgnoreCase(*challenge) && type == dns::RrType::kTxt;
        break;
      }
    }
    if (name_ok) return true;
  }
  return false;
}

}  // namespace tether::update
