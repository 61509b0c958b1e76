#include "server/endpoint.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace tether::server {

uint16_t Endpoint::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
}

void Endpoint::set_port(uint16_t port) {
  if (family() == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&address)->sin_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in6*>(&address)->sin6_port = htons(port);
  }
}

std::string Endpoint::ToString() const {
  char host[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, host, sizeof(host));
    return std::string(host) + ":" + std::to_string(port());
  }
  inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, host, sizeof(host));
  return "[" + std::string(host) + "]:" + std::to_string(port());
}

Result<Endpoint> Endpoint::Parse(std::string_view text) {
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return InvalidArgument("bad endpoint '{}': expected [IPv6]:PORT", text);
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return InvalidArgument("bad endpoint '{}': expected ADDR:PORT", text);
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535 || port_text.empty()) {
    return InvalidArgument("bad port in endpoint '{}'", text);
  }
  Endpoint endpoint;
  std::string host_string(host);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&endpoint.address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&endpoint.address);
  if (inet_pton(AF_INET, host_string.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    endpoint.length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host_string.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    endpoint.length = sizeof(sockaddr_in6);
  } else {
    return InvalidArgument("bad address in endpoint '{}' (IPv6 is written [::1]:PORT)", text);
  }
  endpoint.set_port(static_cast<uint16_t>(port));
  return endpoint;
}

Endpoint Endpoint::FromSockaddr(const sockaddr* address, socklen_t length) {
  Endpoint endpoint;
  std::memcpy(&endpoint.address, address, std::min<size_t>(length, sizeof(endpoint.address)));
  endpoint.length = length;
  return endpoint;
}

}  // namespace tether::server
