#include "api/client_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace tether::api {

namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool EqualsNoCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Splits `text` at `separator`, ignoring separators inside quoted strings (RFC 7239 allows
// quoted values, which may contain ',' and ';').
template <class Fn>
void SplitOutsideQuotes(std::string_view text, char separator, Fn&& fn) {
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') {
      quoted = !quoted;
    } else if (text[i] == '\\' && quoted) {
      ++i;
    } else if (text[i] == separator && !quoted) {
      fn(text.substr(start, i - start));
      start = i + 1;
    }
  }
  fn(text.substr(start));
}

// The hops of the chain, left (the original client) to right (the last proxy).
std::vector<std::string_view> Hops(
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::vector<std::string_view> hops;
  for (const auto& [name, value] : headers) {
    if (name != "x-forwarded-for") continue;
    SplitOutsideQuotes(value, ',', [&](std::string_view hop) { hops.push_back(Trim(hop)); });
  }
  if (!hops.empty()) return hops;
  for (const auto& [name, value] : headers) {
    if (name != "forwarded") continue;
    SplitOutsideQuotes(value, ',', [&](std::string_view element) {
      std::string_view for_value;
      bool found = false;
      SplitOutsideQuotes(element, ';', [&](std::string_view pair) {
        pair = Trim(pair);
        size_t equals = pair.find('=');
        if (equals == std::string_view::npos || found) return;
        if (EqualsNoCase(Trim(pair.substr(0, equals)), "for")) {
          for_value = Trim(pair.substr(equals + 1));
          found = true;
        }
      });
      // An element without for= is still a hop we know nothing about: it ends the walk.
      hops.push_back(found ? for_value : std::string_view("unknown"));
    });
  }
  return hops;
}

}  // namespace

std::string AddressText(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text,
              sizeof(text));
  } else if (address.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, text,
              sizeof(text));
  }
  return text;
}

std::optional<sockaddr_storage> ParseForwardedHop(std::string_view text) {
  text = Trim(text);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  std::string_view host = text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
  } else if (size_t colon = text.find(':'); colon != std::string_view::npos &&
                                            text.find(':', colon + 1) == std::string_view::npos) {
    host = text.substr(0, colon);  // IPv4 with a port
  }
  char buffer[INET6_ADDRSTRLEN + 1];
  if (host.empty() || host.size() >= sizeof(buffer)) return std::nullopt;
  std::memcpy(buffer, host.data(), host.size());
  buffer[host.size()] = '\0';
  sockaddr_storage address{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (inet_pton(AF_INET, buffer, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
  } else if (inet_pton(AF_INET6, buffer, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
  } else {
    return std::nullopt;
  }
  return address;
}

bool IsTrusted(const sockaddr_storage& address, const std::vector<Cidr>& trusted) {
  for (const Cidr& cidr : trusted) {
    if (cidr.Contains(reinterpret_cast<const sockaddr*>(&address))) return true;
  }
  return false;
}

std::string ClientAddress(const sockaddr_storage& peer,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::vector<Cidr>& trusted) {
  sockaddr_storage client = peer;
  if (IsTrusted(peer, trusted)) {
    std::vector<std::string_view> hops = Hops(headers);
    for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
      std::optional<sockaddr_storage> address = ParseForwardedHop(*hop);
      if (!address) break;
      client = *address;
      if (!IsTrusted(client, trusted)) break;
    }
  }
  return AddressText(client);
}

}  // namespace tether::api
