// Opening a TCP listening socket for an HTTP(S) endpoint. Port 0 picks a free port; the
// returned endpoint carries the actual one. IPv6 sockets are IPv6-only, as the DNS
// listeners are: "[::]:443" and "0.0.0.0:443" are separate endpoints. Thread-safe.
#pragma once

#include "base/result.h"
#include "server/endpoint.h"

namespace tether::api {

struct ListenSocket {
  int fd = -1;             // listening, non-blocking, close-on-exec; owned by the caller
  server::Endpoint bound;  // with the actual port
};

Result<ListenSocket> OpenListenSocket(const server::Endpoint& endpoint);

}  // namespace tether::api
