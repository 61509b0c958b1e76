// MaxMindAsnLookup: origin ASNs from a MaxMind DB file (GeoLite2-ASN, or any .mmdb whose
// records carry "autonomous_system_number"), read through libmaxminddb. The library is
// optional: when tether is built without it (CMake did not find libmaxminddb), Open
// returns kFailedPrecondition and the flux score estimates n_ASN (abuse/flux.h).
//
// Ownership: owns the opened database (memory-mapped) until destroyed.
// Thread-safety: Lookup is safe from any number of threads (libmaxminddb reads only).
#pragma once

#include <memory>
#include <string>

#include "abuse/asn_lookup.h"
#include "base/result.h"

namespace tether::abuse {

class MaxMindAsnLookup : public AsnLookup {
 public:
  static bool Available();  // built with libmaxminddb
  static Result<std::unique_ptr<MaxMindAsnLookup>> Open(const std::string& path);

  ~MaxMindAsnLookup() override;
  MaxMindAsnLookup(const MaxMindAsnLookup&) = delete;
  MaxMindAsnLookup& operator=(const MaxMindAsnLookup&) = delete;

  std::optional<uint32_t> Lookup(const IpAddress& address) const override;

 private:
  struct Db;
  explicit MaxMindAsnLookup(std::unique_ptr<Db> db);
  std::unique_ptr<Db> db_;
};

}  // namespace tether::abuse
