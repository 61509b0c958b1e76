// Opening the sockets of one DNS endpoint: `udp_sockets` UDP sockets with SO_REUSEPORT and
// one TCP listening socket, all on the same port. With port 0 the kernel picks a free UDP
// port and the TCP socket is bound to the same number (retrying with another port if that
// one is taken for TCP).
#pragma once

#include <vector>

#include "base/result.h"
#include "server/endpoint.h"

namespace tether::server {

struct EndpointSockets {
  Endpoint bound;           // with the actual port
  std::vector<int> udp;     // owned by the caller
  int tcp = -1;             // listening; owned by the caller
  bool wildcard = false;    // bound to 0.0.0.0 or ::
};

Result<EndpointSockets> OpenEndpoint(const Endpoint& endpoint, int udp_sockets);

}  // namespace tether::server
