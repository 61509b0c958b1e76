// Endpoint: an address and port as operators write them: "127.0.0.1:5353", "[::1]:5353",
// "0.0.0.0:53", "[::]:53". Port 0 means "pick a free port". Values; thread-safe.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tether::server {

struct Endpoint {
  sockaddr_storage address{};
  socklen_t length = 0;

  int family() const { return address.ss_family; }
  uint16_t port() const;
  void set_port(uint16_t port);
  // "127.0.0.1:5353" or "[::1]:5353".
  std::string ToString() const;

  static Result<Endpoint> Parse(std::string_view text);
  static Endpoint FromSockaddr(const sockaddr* address, socklen_t length);
};

}  // namespace tether::server
