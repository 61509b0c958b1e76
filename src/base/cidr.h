// Cidr: an IPv4 or IPv6 network such as "192.0.2.0/24" or "2001:db8::/32" (a bare address
// is a /32 or /128), and whether an address belongs to it. Values; thread-safe.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tether {

class Cidr {
 public:
  static Result<Cidr> Parse(std::string_view text);

  bool Contains(const sockaddr* address) const;
  std::string ToString() const;  // normalised: host bits cleared

  bool operator==(const Cidr& other) const = default;

 private:
  int family_ = 0;      // AF_INET or AF_INET6
  uint8_t bytes_[16] = {};
  int prefix_ = 0;
};

}  // namespace tether
