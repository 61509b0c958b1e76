#include "xfr/transfer_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace tether::xfr {

namespace {

std::string Key(const dns::Name& name) {
  dns::Name lower = name.Lowercased();
  return std::string(reinterpret_cast<const char*>(lower.wire().data()), lower.size());
}

// The 16 bytes of an address as IPv6 (IPv4 as ::ffff:a.b.c.d); false for other families.
bool AsIpv6(const sockaddr* address, uint8_t out[16]) {
  if (address->sa_family == AF_INET6) {
    std::memcpy(out, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, 16);
    return true;
  }
  if (address->sa_family == AF_INET) {
    std::memset(out, 0, 10);
    out[10] = out[11] = 0xFF;
    std::memcpy(out + 12, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, 4);
    return true;
  }
  return false;
}

}  // namespace

Result<PeerAddress> ParsePeerAddress(std::string_view text) {
  std::string host(text);
  uint16_t port = 53;
  auto parse_port = [&](std::string_view digits) -> bool {
    unsigned value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 65535) {
      return false;
    }
    port = static_cast<uint16_t>(value);
    return true;
  };
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string::npos) return InvalidArgument("bad address '{}'", text);
    std::string rest = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!rest.empty() && (rest.front() != ':' || !parse_port(std::string_view(rest).substr(1)))) {
      return InvalidArgument("bad port in '{}'", text);
    }
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    const size_t colon = host.find(':');
    if (!parse_port(std::string_view(host).substr(colon + 1))) {
      return InvalidArgument("bad port in '{}'", text);
    }
    host.resize(colon);
  }
  PeerAddress peer;
  char buffer[INET6_ADDRSTRLEN] = {};
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&peer.address, &v4, sizeof(v4));
    peer.length = sizeof(v4);
    inet_ntop(AF_INET, &v4.sin_addr, buffer, sizeof(buffer));
    peer.text = std::string(buffer) + ":" + std::to_string(port);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&peer.address, &v6, sizeof(v6));
    peer.length = sizeof(v6);
    inet_ntop(AF_INET6, &v6.sin6_addr, buffer, sizeof(buffer));
    peer.text = "[" + std::string(buffer) + "]:" + std::to_string(port);
  } else {
    return InvalidArgument("bad address '{}' (expected ADDR[:PORT], IPv6 as [ADDR]:PORT)", text);
  }
  return peer;
}

bool SameAddress(const sockaddr* a, const sockaddr* b) {
  uint8_t x[16], y[16];
  return AsIpv6(a, x) && AsIpv6(b, y) && std::memcmp(x, y, 16) == 0;
}

bool MayTransfer(const ZonePolicy& policy, const sockaddr* peer, const dns::Name* key) {
  for (const SecondaryTarget& secondary : policy.secondaries) {
    if (!SameAddress(peer, reinterpret_cast<const sockaddr*>(&secondary.address.address))) continue;
    if (!secondary.key || (key != nullptr && key->EqualsIgnoreCase(*secondary.key))) return true;
  }
  if (key != nullptr) {
    for (const dns::Name& allowed : policy.keys) {
      if (key->EqualsIgnoreCase(allowed)) return true;
    }
  }
  return std::any_of(policy.networks.begin(), policy.networks.end(),
                     [&](const Cidr& cidr) { return cidr.Contains(peer); });
}

ZonePolicy PolicyFromSettings(const store::TransferSettings& settings) {
  ZonePolicy policy;
  for (const auto& secondary : settings.secondaries) {
    auto address = ParsePeerAddress(secondary.address);
    if (!address) continue;
    std::optional<dns::Name> key;
    if (secondary.key) key = secondary.key->Lowercased();
    policy.secondaries.push_back({std::move(*address), std::move(key)});
  }
  for (const auto& key : settings.keys) policy.keys.push_back(key.Lowercased());
  for (const auto& text : settings.cidrs) {
    if (auto cidr = Cidr::Parse(text)) policy.networks.push_back(*cidr);
  }
  return policy;
}

void TransferPolicies::Set(const dns::Name& origin, ZonePolicy policy) {
  zones_[Key(origin)] = {origin.Lowercased(), std::move(policy)};
}

const ZonePolicy* TransferPolicies::Find(const dns::Name& origin) const {
  auto it = zones_.find(Key(origin));
  return it == zones_.end() ? nullptr : &it->second.second;
}

}  // namespace tether::xfr
