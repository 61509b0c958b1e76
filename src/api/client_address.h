// Which address a request came from when reverse proxies sit in front of Tether: the TCP
// peer's, unless the peer is a trusted proxy, in which case the forwarded chain is walked
// from the right (the hop the trusted proxy itself saw) past every trusted hop. This is
// nginx's realip with `real_ip_recursive on`. Pure functions; thread-safe.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/cidr.h"

namespace tether::api {

// "192.0.2.1" or "2001:db8::1" (no brackets, no port); empty for other families.
std::string AddressText(const sockaddr_storage& address);

// One hop of X-Forwarded-For or one for= value of Forwarded, as proxies write them:
// "192.0.2.1", "192.0.2.1:4711", "2001:db8::1", "[2001:db8::1]:4711", optionally quoted.
// Returns nothing for "unknown", obfuscated identifiers ("_hidden") and anything else.
std::optional<sockaddr_storage> ParseForwardedHop(std::string_view text);

bool IsTrusted(const sockaddr_storage& address, const std::vector<Cidr>& trusted);

// The client address of a request from `peer` with `headers` (names lower-case). Uses
// X-Forwarded-For (all such headers, in order) if present, else the for= values of
// Forwarded (RFC 7239 4). A hop that cannot be parsed ends the walk: the nearest address
// to its right is the answer.
std::string ClientAddress(const sockaddr_storage& peer,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::vector<Cidr>& trusted);

}  // namespace tether::api
