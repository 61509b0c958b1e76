#include "server/listeners.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tether::server {

namespace {

bool IsWildcard(const Endpoint& endpoint) {
  if (endpoint.family() == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(&endpoint.address)->sin_addr.s_addr == htonl(INADDR_ANY);
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&endpoint.address);
  return IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr);
}

Result<int> OpenSocket(const Endpoint& endpoint, int type) {
  int fd = socket(endpoint.family(), type | SOCK_CLOEXEC, 0);
  if (fd < 0) return IoError("socket: {}", std::strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (type == SOCK_DGRAM) {
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    int buffer = 4 << 20;  // absorb bursts; the kernel caps it at net.core.rmem_max
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
    if (IsWildcard(endpoint)) {
      if (endpoint.family() == AF_INET) {
        setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
      } else {
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
      }
    }
  }
  if (endpoint.family() == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.length) != 0) {
    int error = errno;
    close(fd);
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("bind {} ({}): {}", endpoint.ToString(),
                                 type == SOCK_DGRAM ? "udp" : "tcp", std::strerror(error)));
  }
  if (type == SOCK_STREAM && listen(fd, 1024) != 0) {
    int error = errno;
    close(fd);
    return IoError("listen {}: {}", endpoint.ToString(), std::strerror(error));
  }
  return fd;
}

void CloseAll(EndpointSockets& sockets) {
  for (int fd : sockets.udp) close(fd);
  sockets.udp.clear();
  if (sockets.tcp >= 0) close(sockets.tcp);
  sockets.tcp = -1;
}

}  // namespace

Result<EndpointSockets> OpenEndpoint(const Endpoint& endpoint, int udp_sockets) {
  const bool pick_port = endpoint.port() == 0;
  Error last_error;
  for (int attempt = 0; attempt < (pick_port ? 32 : 1); ++attempt) {
    EndpointSockets sockets;
    sockets.bound = endpoint;
    sockets.wildcard = IsWildcard(endpoint);
    auto first = OpenSocket(sockets.bound, SOCK_DGRAM);
    if (!first) return tl::unexpected(first.error());
    sockets.udp.push_back(*first);
    if (pick_port) {
      sockaddr_storage local{};
      socklen_t length = sizeof(local);
      getsockname(*first, reinterpret_cast<sockaddr*>(&local), &length);
      sockets.bound = Endpoint::FromSockaddr(reinterpret_cast<sockaddr*>(&local), length);
    }
    auto tcp = OpenSocket(sockets.bound, SOCK_STREAM);
    if (!tcp) {
      last_error = tcp.error();
      CloseAll(sockets);
      continue;  // the port is free for UDP but not TCP: try another
    }
    sockets.tcp = *tcp;
    bool ok = true;
    for (int i = 1; i < udp_sockets && ok; ++i) {
      auto udp = OpenSocket(sockets.bound, SOCK_DGRAM);
      if (!udp) {
        last_error = udp.error();
        ok = false;
      } else {
        sockets.udp.push_back(*udp);
      }
    }
    if (ok) return sockets;
    CloseAll(sockets);
  }
  return tl::unexpected(last_error);
}

}  // namespace tether::server
