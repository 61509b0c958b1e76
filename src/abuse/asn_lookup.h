// AsnLookup: the origin AS number of an address, for the flux score's n_ASN
// (abuse/flux.h). Implementations: MaxMindAsnLookup (abuse/maxmind_asn.h, a GeoLite2-ASN
// or compatible MaxMind DB file) when tether is built with libmaxminddb, and test fakes.
//
// Thread-safety: Lookup is const and must be safe to call from several threads at once.
#pragma once

#include <cstdint>
#include <optional>

#include "abuse/history_value.h"

namespace tether::abuse {

class AsnLookup {
 public:
  virtual ~AsnLookup() = default;
  // nullopt: the address is not in the database (private, unannounced, ...).
  virtual std::optional<uint32_t> Lookup(const IpAddress& address) const = 0;
};

}  // namespace tether::abuse
