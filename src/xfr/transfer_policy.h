// Who may transfer which zone, and whom to NOTIFY: the per-zone settings of the store
// (store::TransferSettings) in the form the request path checks quickly, as one immutable
// snapshot replaced as a whole when an admin command changes them.
//
// The rules (docs/zone-transfers.md):
//   * a secondary (ADDR[:PORT] [--key NAME]) may transfer from ADDR (any source port);
//     if it has a key, only with requests signed by that key;
//   * an allowed key may transfer from any address, signed with that key;
//   * an allowed network may transfer, signed or not;
//   * everything else is refused (and a zone without settings is refused to everyone).
// Thread-safety: TransferPolicies is immutable; share it through shared_ptr.
#pragma once

#include <sys/socket.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/cidr.h"
#include "base/result.h"
#include "dns/name.h"
#include "store/store.h"

namespace tether::xfr {

// An address with a port: "192.0.2.1:53", "[2001:db8::1]:5353", or without ":PORT"
// (port 53). `text` is the normalised form ("192.0.2.1:53").
struct PeerAddress {
  sockaddr_storage address{};
  socklen_t length = 0;
  std::string text;
};
Result<PeerAddress> ParsePeerAddress(std::string_view text);
// True if `a` and `b` are the same IP address (ports ignored; IPv4-mapped IPv6 matches IPv4).
bool SameAddress(const sockaddr* a, const sockaddr* b);

struct SecondaryTarget {
  PeerAddress address;
  std::optional<dns::Name> key;  // lowercase
};

struct ZonePolicy {
  std::vector<SecondaryTarget> secondaries;
  std::vector<dns::Name> keys;  // lowercase
  std::vector<Cidr> networks;
};

// The decision for one request: `peer` its source, `key` the name of the key it was signed
// with and that verified (null: unsigned).
bool MayTransfer(const ZonePolicy& policy, const sockaddr* peer, const dns::Name* key);

// Builds a ZonePolicy from stored settings; entries that do not parse are skipped (the
// admin command checked them before storing).
ZonePolicy PolicyFromSettings(const store::TransferSettings& settings);

class TransferPolicies {
 public:
  TransferPolicies() = default;
  void Set(const dns::Name& origin, ZonePolicy policy);
  // Null if the zone has no settings.
  const ZonePolicy* Find(const dns::Name& origin) const;
  const std::unordered_map<std::string, std::pair<dns::Name, ZonePolicy>>& all() const {
    return zones_;
  }

 private:
  std::unordered_map<std::string, std::pair<dns::Name, ZonePolicy>> zones_;
};

}  // namespace tether::xfr
