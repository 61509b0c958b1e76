#include "api/listen_socket.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tether::api {

Result<ListenSocket> OpenListenSocket(const server::Endpoint& endpoint) {
  int fd = socket(endpoint.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return IoError("socket for http {}: {}", endpoint.ToString(), std::strerror(errno));
  int one = 1;
  // A restarted server binds again while connections of the old one are in TIME_WAIT.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (endpoint.family() == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.length) != 0) {
    int error = errno;
    close(fd);
    return MakeError(ErrorCode::kUnavailable,
                     fmt::format("bind http {}: {}", endpoint.ToString(), std::strerror(error)));
  }
  // Routers reconnect in bursts (after an outage, many at once): a deep accept queue.
  if (listen(fd, 4096) != 0) {
    int error = errno;
    close(fd);
    return IoError("listen http {}: {}", endpoint.ToString(), std::strerror(error));
  }
  ListenSocket result;
  result.fd = fd;
  sockaddr_storage local{};
  socklen_t length = sizeof(local);
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
  result.bound = server::Endpoint::FromSockaddr(reinterpret_cast<sockaddr*>(&local), length);
  return result;
}

}  // namespace tether::api
