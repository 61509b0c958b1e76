#include "server/listeners.h"

#include <linux/filter.h>
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
  if (type == SOCK_STREAM) {
    // A restart binds again while old connections are in TIME_WAIT.
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  } else {
    // Only SO_REUSEPORT (the workers' group; the kernel keeps it to this user). Not
    // SO_REUSEADDR: on UDP it shares the port with any socket that sets it too, and a
    // client such as dig, which sets it, could then be given our port for its own source
    // port when we bound port 0, and receive its own queries.
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
  if (sockets.update_udp >= 0) close(sockets.update_udp);
  sockets.update_udp = -1;
  if (sockets.tcp >= 0) close(sockets.tcp);
  sockets.tcp = -1;
}

// The reuseport group is [update socket, query socket 1..n]. The program sees the UDP
// payload (the DNS message) and returns the index of the socket that gets it.
bool AttachSteering(int fd, uint32_t query_sockets) {
  sock_filter code[] = {
      // A = message[2] & 0xF8 (QR and opcode); UPDATE requests go to socket 0.
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 2),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xF8),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x28, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0),
      // Everything else: 1 + (receive hash, or the receiving CPU without one) % n.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<uint32_t>(SKF_AD_OFF + SKF_AD_RXHASH)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<uint32_t>(SKF_AD_OFF + SKF_AD_CPU)),
      BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, query_sockets),
      BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
      BPF_STMT(BPF_RET | BPF_A, 0),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof(code) / sizeof(code[0])), code};
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &program, sizeof(program)) == 0;
}

}  // namespace

Result<EndpointSockets> OpenEndpoint(const Endpoint& endpoint, int udp_sockets, bool update_socket) {
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
    if (update_socket) {
      // The first socket (index 0 of the group) becomes the update socket.
      sockets.update_udp = sockets.udp.front();
      sockets.udp.clear();
    }
    auto tcp = OpenSocket(sockets.bound, SOCK_STREAM);
    if (!tcp) {
      last_error = tcp.error();
      CloseAll(sockets);
      continue;  // the port is free for UDP but not TCP: try another
    }
    sockets.tcp = *tcp;
    bool ok = true;
    for (int i = update_socket ? 0 : 1; i < udp_sockets && ok; ++i) {
      auto udp = OpenSocket(sockets.bound, SOCK_DGRAM);
      if (!udp) {
        last_error = udp.error();
        ok = false;
      } else {
        sockets.udp.push_back(*udp);
      }
    }
    if (ok && update_socket && !AttachSteering(sockets.update_udp, static_cast<uint32_t>(udp_sockets))) {
      // No steering: updates reach the query sockets, which hand them over.
      close(sockets.update_udp);
      sockets.update_udp = -1;
    }
    if (ok) return sockets;
    CloseAll(sockets);
  }
  return tl::unexpected(last_error);
}

}  // namespace tether::server
