// The dyndns2 update protocol as deployed routers and clients speak it (Dyn's /nic/update,
// No-IP's /v3/update, ddclient, inadyn, FritzBox, OpenWrt ddns-scripts) and the DuckDNS
// token URL: parsing a request's parameters into what it asks for, and the exact response
// words those clients parse. No I/O and no state; thread-safe.
#pragma once

#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tether::ddns {

// Decodes application/x-www-form-urlencoded text ("a=1&b=%20x+y") into (name, value)
// pairs in order; names are lower-cased. Malformed escapes are kept literally.
std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view text);
std::string PercentDecode(std::string_view text, bool plus_is_space);

// What a request asks for one address family.
struct AddressChange {
  enum class Kind {
    kUnset,     // parameter absent: use the client's address of that family, if any
    kSet,       // set to `address`
    kPrefix,    // IPv6 prefix/len: replace only the prefix, keep each host's interface id
    kPreserve,  // "preserve": leave the family as it is
    kDelete,    // empty value: remove the family's records
  };
  Kind kind = Kind::kUnset;
  std::array<uint8_t, 16> address{};  // 4 bytes used for IPv4
  int prefix_length = 0;              // kPrefix only
};

enum class Toggle { kUnchanged, kOn, kOff };

// A parsed /nic/update or /v3/update request.
struct Dyndns2Request {
  std::vector<std::string> hostnames;  // as given (validated later against the zones)
  AddressChange ipv4;
  AddressChange ipv6;
  Toggle offline = Toggle::kUnchanged;   // offline=YES|NO
  Toggle wildcard = Toggle::kUnchanged;  // wildcard=ON|OFF|NOCHG
  std::optional<std::string> mx;         // mx=NAME ("" removes it)
  bool backup_mx = false;                // backmx=YES
  // Credentials found in the query (username/password parameters).
  std::optional<std::string> username;
  std::optional<std::string> password;
};

enum class Dyndns2Error {
  kNone,
  kNotFqdn,   // a hostname is missing or not a name
  kNumHost,   // more than 20 hostnames
  kBadAddress,  // an address parameter that is neither empty, preserve, nor an address
};

struct Dyndns2Parse {
  Dyndns2Request request;
  Dyndns2Error error = Dyndns2Error::kNone;
};

constexpr size_t kMaxHostnames = 20;

// Parses the parameters (query string, and a form body for POST: pass both joined by '&').
// Accepts myip (IPv4, IPv6 or "v4,v6"), myipv4, myipv6, ip, ipv6 and IPv6 prefixes
// ("2001:db8:1:2::/64"), offline, wildcard, mx, backmx, system (ignored), username, password.
Dyndns2Parse ParseDyndns2(std::string_view parameters);

// Parses an IPv4 or IPv6 address (no prefix). Returns the family (AF_INET/AF_INET6) or 0.
int ParseAddress(std::string_view text, std::array<uint8_t, 16>* out);
std::string FormatAddress(int family, const std::array<uint8_t, 16>& address);

// Replaces the first `prefix_length` bits of `host` with those of `prefix` (RFC 4291 2.5.4:
// a delegated prefix changed, each host keeps its interface identifier).
std::array<uint8_t, 16> ReplacePrefix(const std::array<uint8_t, 16>& host,
                                      const std::array<uint8_t, 16>& prefix, int prefix_length);

// A parsed DuckDNS-style /update request.
struct DuckRequest {
  std::vector<std::string> domains;
  std::string token;
  AddressChange ipv4;
  AddressChange ipv6;
  std::optional<std::string> txt;  // txt=VALUE sets the TXT record
  bool clear = false;              // clear=true removes the TXT record
  bool verbose = false;
  bool bad = false;  // malformed: answer KO
};
DuckRequest ParseDuck(std::string_view parameters);

// True if `body` contains a word dyndns2 clients read as success (ok, good, nochg, true,
// updated, success, in any case). Error bodies must never do: inadyn, for one, greps for
// them.
bool LooksLikeSuccess(std::string_view body);

}  // namespace tether::ddns
