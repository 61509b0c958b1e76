// ZoneView: the working copy a zone's updater evaluates requests against. It reads names
// from the published zone and keeps every change in an overlay, so that later requests of
// a batch see the effects of earlier ones (RFC 2136 3.2: prerequisites are checked against
// the zone as the earlier updates left it). A child view over a parent view is a savepoint:
// a request applies to a child, which is merged into the batch view only if the request
// succeeds, so a failed request leaves no trace (RFC 2136 3.4: all or nothing).
//
// Thread-safety: none; used by the one updater thread that owns the zone's writes.
#pragma once

#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.h"
#include "store/store.h"
#include "zone/rrset.h"
#include "zone/zone.h"

namespace tether::update {

class ZoneView {
 public:
  // A view over the published content of `zone`.
  explicit ZoneView(zone::Zone& zone) : zone_(&zone) {}
  // A savepoint over `parent`.
  explicit ZoneView(ZoneView& parent) : zone_(parent.zone_), parent_(&parent) {}

  const dns::Name& origin() const { return zone_->origin(); }

  // The current RRsets of `name` (sorted by type). REQUIRES: `name` is inside the zone.
  // The reference is good until the next Set of `name` in this view or its parent.
  const std::vector<zone::Rrset>& Get(const dns::Name& name);
  // The RRset of `type` at `name`, or null.
  const zone::Rrset* Find(const dns::Name& name, dns::RrType type);
  // Replaces all data of `name` (normalised: sorted, duplicates dropped).
  void Set(const dns::Name& name, std::vector<zone::Rrset> rrsets);

  // Merges this savepoint into its parent. REQUIRES: a child view.
  void MergeIntoParent();

  // The names whose content now differs from the published zone, in key order (the
  // journal's), and the journal diff (RRs removed and added, per type: a changed TTL removes
  // and re-adds the whole RRset). The changed names' content is moved out, not copied: the
  // view is spent afterwards (read what is still needed of it first).
  struct Changes {
    std::vector<zone::NameUpdate> names;
    std::vector<store::JournalRr> removed;
    std::vector<store::JournalRr> added;
  };
  Changes CollectChanges();

 private:
  // Maps keyed by the lowercase wire name, looked up by a view of one (Name::LowercaseKey).
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
  };
  struct Entry {
    std::vector<zone::Rrset> rrsets;  // the content in this view
    // The base view's published content of a name read and then set: CollectChanges'
    // "before". Empty for a name set without a read (it is read from the zone then); a read
    // is cached only when it found something.
    std::vector<zone::Rrset> original;
    bool dirty = false;  // set in this view
  };
  using Names = std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>>;

  const std::vector<zone::Rrset>& GetKeyed(std::string_view key, const dns::Name& name);
  // Sets the content of the name `key` and marks it dirty.
  void Replace(std::string_view key, std::vector<zone::Rrset> rrsets);

  zone::Zone* zone_;
  ZoneView* parent_ = nullptr;
  // Name -> content, one entry per name. For the base view this is also a cache of reads (a
  // hash map: a batch may read tens of thousands of names, e.g. a takedown order's).
  Names names_;
  // The entries set in this view, in the order first set (the map's nodes do not move).
  std::vector<Names::value_type*> dirty_;
};

}  // namespace tether::update
