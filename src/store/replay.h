// Replay: the net effect of consecutive journal entries on the names they touch, kept per
// owner key so that it can be applied to those names' stored RRsets later (the SQLite
// store's fold, and LoadZone for entries not folded yet).
//
// The entries are RR-level diffs (store.h, JournalEntry), applied in order, `removed` before
// `added` (RFC 1995 4): a removed RR leaves its RRset; an added RR joins its RRset and sets
// the RRset's TTL; an added SOA replaces the SOA RRset (a zone has one SOA); an RRset left
// empty disappears, and a name left without RRsets is deleted.
//
// Each diff only sets RRs present or absent (and TTLs), so applying a run of entries is
// idempotent: content that already reflects some or all of them comes out the same as the
// content before them. The fold relies on this (sqlite/writer.h).
//
// Values; not synchronised.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "store/store.h"
#include "zone/rrset.h"

namespace tether::store {

// The net change of one name over the entries added so far.
struct NameDelta {
  struct RdataOp {
    std::vector<uint8_t> rdata;
    bool present = false;  // the last entry touching this RDATA added it
  };
  struct TypeDelta {
    dns::RrType type = dns::RrType::kA;
    bool replace = false;         // an SOA was added: the RRset starts empty
    std::optional<uint32_t> ttl;  // the TTL of the last RR added
    std::vector<RdataOp> ops;     // the last operation on each RDATA
  };
  std::vector<TypeDelta> types;

  // Changes `rrsets` (normalised, zone::NormalizeRrsets) by this delta; the result is
  // normalised too.
  void ApplyTo(std::vector<zone::Rrset>* rrsets) const;
};

// The inverse of a delta: appends to `removed` and `added` the RRs that take `before` to
// `after` (both normalised RRsets of `owner`), per type, as Commit wants a diff
// (ZoneChange): a changed TTL removes and re-adds the whole RRset, and SOA RRsets are left
// out (the store journals the SOA itself).
void DiffName(const dns::Name& owner, const std::vector<zone::Rrset>& before,
              const std::vector<zone::Rrset>& after, std::vector<JournalRr>* removed,
              std::vector<JournalRr>* added);

class Replay {
 public:
  // REQUIRES: `origin` is lowercase.
  explicit Replay(dns::Name origin) : origin_(std::move(origin)) {}

  // Adds one entry (its SOA records included). Fails, adding nothing, if an RR is outside
  // the zone. Owners are compared without regard to case.
  Status Add(const std::vector<JournalRr>& removed, const std::vector<JournalRr>& added);

  bool empty() const { return names_.empty(); }
  size_t size() const { return names_.size(); }
  // Hands over every delta, sorted by owner key (byte order: SQLite's order of the
  // names.owner BLOBs), and leaves the replay empty.
  std::vector<std::pair<std::string, NameDelta>> TakeSorted();

 private:
  NameDelta::TypeDelta& At(const dns::Name& owner, dns::RrType type);

  dns::Name origin_;
  std::unordered_map<std::string, NameDelta> names_;
};

}  // namespace tether::store
