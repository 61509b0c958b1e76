// Opening the sockets of one DNS endpoint: `udp_sockets` UDP sockets with SO_REUSEPORT and
// one TCP listening socket, all on the same port. With port 0 the kernel picks a free UDP
// port and the TCP socket is bound to the same number (retrying with another port if that
// one is taken for TCP).
//
// With `update_socket`, one more UDP socket joins the group and a classic BPF program
// (SO_ATTACH_REUSEPORT_CBPF) steers every UPDATE message (QR=0, opcode 5) to it and every
// other datagram to the query sockets, so the query threads never receive an update. If
// the kernel refuses the program, there is no update socket and updates reach the query
// sockets as before.
#pragma once

#include <vector>

#include "base/result.h"
#include "server/endpoint.h"

namespace tether::server {

struct EndpointSockets {
  Endpoint bound;           // with the actual port
  std::vector<int> udp;     // query sockets; owned by the caller
  int update_udp = -1;      // the socket UPDATE messages are steered to; owned by the caller
  int tcp = -1;             // listening; owned by the caller
  bool wildcard = false;    // bound to 0.0.0.0 or ::
};

Result<EndpointSockets> OpenEndpoint(const Endpoint& endpoint, int udp_sockets, bool update_socket);

}  // namespace tether::server
