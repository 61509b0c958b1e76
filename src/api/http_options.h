// Limits and policies of the HTTP(S) transport (api/http_server.h). Values; thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "base/cidr.h"

namespace tether::api {

struct HttpOptions {
  // The request line and header fields together; more is answered 431 and closed.
  size_t header_limit = size_t{8} * 1024;
  // The body after removing any chunked coding; more is answered 413 and closed. A declared
  // Content-Length above it is refused before the body is read (and before 100 Continue).
  size_t body_limit = size_t{64} * 1024;
  // Open connections over all endpoints; beyond it new ones are accepted and closed at once.
  int max_connections = 10000;
  // A kept-alive connection with no request in progress is closed after this long.
  std::chrono::milliseconds idle_timeout{30000};
  // A request must arrive completely within this long of its first bytes (and the first
  // request, or the TLS handshake, within this long of the accept): slow clients (slow-loris)
  // are closed.
  std::chrono::milliseconds read_timeout{10000};
  // Requests served on one connection before it is closed; 0 means no limit.
  unsigned max_requests_per_connection = 0;
  // When the TCP peer is in one of these networks (a reverse proxy or load balancer), the
  // request's client_address is the last hop of X-Forwarded-For that is not itself trusted
  // (or of the RFC 7239 Forwarded header's for= values when there is no X-Forwarded-For).
  // Only list proxies that append to X-Forwarded-For: a client could put anything there.
  std::vector<Cidr> trusted_proxies;
};

}  // namespace tether::api
