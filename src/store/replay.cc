#include "store/replay.h"

#include <algorithm>

#include "store/blob_codec.h"

namespace tether::store {

namespace {

bool IsLowercase(const dns::Name& name) {
  return std::none_of(name.wire().begin(), name.wire().end(),
                      [](uint8_t c) { return c >= 'A' && c <= 'Z'; });
}

void SetOp(NameDelta::TypeDelta& delta, const std::vector<uint8_t>& rdata, bool present) {
  for (auto& op : delta.ops) {
    if (op.rdata == rdata) {
      op.present = present;
      return;
    }
  }
  delta.ops.push_back({rdata, present});
}

const zone::Rrset* FindType(const std::vector<zone::Rrset>& rrsets, dns::RrType type) {
  for (const auto& rrset : rrsets) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

// The RRs of `from` that `to` lacks (all of them if `to` is absent or has another TTL).
void AppendMissing(const dns::Name& owner, const std::vector<zone::Rrset>& from,
                   const std::vector<zone::Rrset>& to, std::vector<JournalRr>* out) {
  for (const auto& rrset : from) {
    if (rrset.type == dns::RrType::kSoa) continue;
    const zone::Rrset* other = FindType(to, rrset.type);
    const bool all = other == nullptr || other->ttl != rrset.ttl;
    for (const auto& rdata : rrset.rdatas) {
      if (all || !std::binary_search(other->rdatas.begin(), other->rdatas.end(), rdata)) {
        out->push_back({owner, rrset.type, rrset.ttl, rdata});
      }
    }
  }
}

}  // namespace

void DiffName(const dns::Name& owner, const std::vector<zone::Rrset>& before,
              const std::vector<zone::Rrset>& after, std::vector<JournalRr>* removed,
              std::vector<JournalRr>* added) {
  AppendMissing(owner, before, after, removed);
  AppendMissing(owner, after, before, added);
}

void NameDelta::ApplyTo(std::vector<zone::Rrset>* rrsets) const {
  for (const TypeDelta& delta : types) {
    auto at = std::lower_bound(
        rrsets->begin(), rrsets->end(), delta.type,
        [](const zone::Rrset& rrset, dns::RrType type) { return ToU16(rrset.type) < ToU16(type); });
    if (at == rrsets->end() || at->type != delta.type) {
      at = rrsets->insert(at, zone::Rrset{delta.type, 0, {}});
    }
    auto& rdatas = at->rdatas;
    if (delta.replace) rdatas.clear();
    for (const RdataOp& op : delta.ops) {
      // Kept sorted as NormalizeRrsets sorts them, so the result needs no sort.
      auto found = std::lower_bound(rdatas.begin(), rdatas.end(), op.rdata);
      const bool there = found != rdatas.end() && *found == op.rdata;
      if (op.present && !there) rdatas.insert(found, op.rdata);
      if (!op.present && there) rdatas.erase(found);
    }
    if (delta.ttl) at->ttl = *delta.ttl;
    if (rdatas.empty()) rrsets->erase(at);
  }
}

NameDelta::TypeDelta& Replay::At(const dns::Name& owner, dns::RrType type) {
  const dns::Name* lower = &owner;
  dns::Name lowered;
  if (!IsLowercase(owner)) {
    lowered = owner.Lowercased();
    lower = &lowered;
  }
  const auto key = OwnerKey(*lower, origin_);
  NameDelta& name = names_[std::string(key.begin(), key.end())];
  for (auto& delta : name.types) {
    if (delta.type == type) return delta;
  }
  NameDelta::TypeDelta& delta = name.types.emplace_back();
  delta.type = type;
  return delta;
}

Status Replay::Add(const std::vector<JournalRr>& removed, const std::vector<JournalRr>& added) {
  for (const auto* part : {&removed, &added}) {
    for (const JournalRr& rr : *part) {
      if (!rr.owner.IsSubdomainOf(origin_)) {
        return InvalidArgument("journal record {} is outside zone {}", rr.owner.ToText(),
                               origin_.ToText());
      }
    }
  }
  for (const JournalRr& rr : removed) SetOp(At(rr.owner, rr.type), rr.rdata, false);
  for (const JournalRr& rr : added) {
    NameDelta::TypeDelta& delta = At(rr.owner, rr.type);
    if (rr.type == dns::RrType::kSoa) {
      delta.replace = true;
      delta.ops.clear();
    }
    SetOp(delta, rr.rdata, true);
    delta.ttl = rr.ttl;
  }
  return Ok();
}

std::vector<std::pair<std::string, NameDelta>> Replay::TakeSorted() {
  std::vector<std::pair<std::string, NameDelta>> sorted;
  sorted.reserve(names_.size());
  for (auto& [key, delta] : names_) sorted.emplace_back(key, std::move(delta));
  names_.clear();
  // std::string compares as unsigned bytes (char_traits<char>), as SQLite compares BLOBs.
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return sorted;
}

}  // namespace tether::store
