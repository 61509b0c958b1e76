// Rrset: a value-type RRset (RFC 2181 5) used to build and change zones: one type, one TTL,
// and the canonical wire RDATA of each record, without duplicates. The in-memory zone
// stores RRsets in its own packed form (node.h). Values; not synchronised.
#pragma once

#include <cstdint>
#include <vector>

#include "dns/rr_type.h"

namespace tether::zone {

struct Rrset {
  dns::RrType type = dns::RrType::kA;
  uint32_t ttl = 0;
  std::vector<std::vector<uint8_t>> rdatas;

  bool operator==(const Rrset& other) const = default;
};

// Sorts the records of every RRset canonically (RFC 4034 6.3), drops duplicate records and
// sorts the RRsets by type. Returns false if two RRsets have the same type.
bool NormalizeRrsets(std::vector<Rrset>* rrsets);

}  // namespace tether::zone
