#include "ddns/dyndns2.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace tether::ddns {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// Calls fn(part) for each `separator`-separated part of `text`, trimmed.
template <class Fn>
void ForEachPart(std::string_view text, char separator, Fn&& fn) {
  while (true) {
    size_t end = text.find(separator);
    fn(Trim(text.substr(0, end)));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

// One family-specific parameter: "" deletes, "preserve" keeps, else an address (or, for
// IPv6, a prefix) of exactly that family.
bool ParseFamilyValue(std::string_view value, int family, AddressChange* out) {
  value = Trim(value);
  if (value.empty()) {
    out->kind = AddressChange::Kind::kDelete;
    return true;
  }
  if (EqualsIgnoreCase(value, "preserve")) {
    out->kind = AddressChange::Kind::kPreserve;
    return true;
  }
  if (family == AF_INET6) {
    if (size_t slash = value.find('/'); slash != std::string_view::npos) {
      int length = -1;
      std::string_view digits = value.substr(slash + 1);
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
      if (ec != std::errc() || ptr != digits.data() + digits.size() || length < 0 || length > 128) return false;
      if (ParseAddress(value.substr(0, slash), &out->address) != AF_INET6) return false;
      out->kind = length == 128 ? AddressChange::Kind::kSet : AddressChange::Kind::kPrefix;
      out->prefix_length = length;
      return true;
    }
  }
  if (ParseAddress(value, &out->address) != family) return false;
  out->kind = AddressChange::Kind::kSet;
  return true;
}

// myip: one address of either family, or "v4,v6" (as FritzBox fills <ipaddr>,<ip6addr>),
// where an empty half deletes that family.
bool ParseMyIp(std::string_view value, Dyndns2Request* request) {
  value = Trim(value);
  if (value.empty()) return true;  // routers send an empty myip for "use my address"
  // At most two parts, split without a vector (this runs on every update request).
  const size_t comma = value.find(',');
  if (comma != std::string_view::npos && value.find(',', comma + 1) != std::string_view::npos) return false;
  const std::string_view halves[2] = {
      Trim(value.substr(0, comma)), comma == std::string_view::npos ? std::string_view() : Trim(value.substr(comma + 1))};
  const size_t part_count = comma == std::string_view::npos ? 1 : 2;
  int families_seen = 0;
  for (size_t i = 0; i < part_count; ++i) {
    const std::string_view part = halves[i];
    if (part.empty()) continue;
    if (EqualsIgnoreCase(part, "preserve")) return false;  // ambiguous: use myipv4/myipv6
    // Only IPv6 addresses have a colon: the family is known before the one parse.
    if (part.find(':') == std::string_view::npos) {
      if (!ParseFamilyValue(part, AF_INET, &request->ipv4)) return false;
      families_seen |= 1;
    } else {
      if (!ParseFamilyValue(part, AF_INET6, &request->ipv6)) return false;
      families_seen |= 2;
    }
  }
  if (part_count == 2 && families_seen != 3) {
    // One half empty: it stands for the other family, which is to be removed.
    if (families_seen == 1) request->ipv6.kind = AddressChange::Kind::kDelete;
    if (families_seen == 2) request->ipv4.kind = AddressChange::Kind::kDelete;
  }
  return true;
}

bool LooksLikeHostname(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.find('.') == std::string_view::npos) return false;
  for (char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!(alnum || c == '-' || c == '.' || c == '_' || c == '*')) return false;
  }
  return name.front() != '.' && name.find("..") == std::string_view::npos;
}

Toggle ParseToggle(std::string_view value, std::string_view on, std::string_view off) {
  if (EqualsIgnoreCase(value, on)) return Toggle::kOn;
  if (EqualsIgnoreCase(value, off)) return Toggle::kOff;
  return Toggle::kUnchanged;
}

}  // namespace

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    // Copy the run up to the next escape (or '+') at once.
    size_t special = 0;
    while (special < text.size() && text[special] != '%' && !(plus_is_space && text[special] == '+')) ++special;
    if (special == text.size()) special = std::string_view::npos;
    out.append(text.substr(0, special));
    if (special == std::string_view::npos) break;
    const char c = text[special];
    text.remove_prefix(special + 1);
    if (c == '%' && text.size() >= 2) {
      int high = HexValue(text[0]);
      int low = HexValue(text[1]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        text.remove_prefix(2);
        continue;
      }
    }
    out.push_back(c == '+' ? ' ' : c);
  }
  return out;
}

namespace {

bool NeedsDecoding(std::string_view text) {
  for (char c : text) {
    if (c == '%' || c == '+') return true;
  }
  return false;
}

// Calls fn(name, value) for each field of form-encoded `text`, decoded, the name in lower
// case. Fields that need no decoding (the usual case) are passed as views of `text`.
template <class Fn>
void ForEachField(std::string_view text, Fn&& fn) {
  std::string name_buffer;
  std::string value_buffer;
  while (!text.empty()) {
    size_t end = text.find('&');
    std::string_view pair = Trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (pair.empty()) continue;
    size_t equals = pair.find('=');
    std::string_view name = pair.substr(0, equals);
    std::string_view value = equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    const bool upper = std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (upper || NeedsDecoding(name)) {
      name_buffer = PercentDecode(name, true);
      for (char& c : name_buffer) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      name = name_buffer;
    }
    if (NeedsDecoding(value)) {
      value_buffer = PercentDecode(value, true);
      value = value_buffer;
    }
    fn(name, value);
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  ForEachField(text, [&](std::string_view name, std::string_view value) { out.emplace_back(name, value); });
  return out;
}

int ParseAddress(std::string_view text, std::array<uint8_t, 16>* out) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return 0;
  char buffer[INET6_ADDRSTRLEN];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  out->fill(0);
  if (inet_pton(AF_INET, buffer, out->data()) == 1) return AF_INET;
  if (inet_pton(AF_INET6, buffer, out->data()) == 1) return AF_INET6;
  return 0;
}

std::string FormatAddress(int family, const std::array<uint8_t, 16>& address) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, address.data(), text, sizeof(text));
  return text;
}

std::array<uint8_t, 16> ReplacePrefix(const std::array<uint8_t, 16>& host,
                                      const std::array<uint8_t, 16>& prefix, int prefix_length) {
  std::array<uint8_t, 16> out = host;
  for (int bit = 0; bit < prefix_length && bit < 128; ++bit) {
    auto mask = static_cast<uint8_t>(0x80 >> (bit % 8));
    size_t index = static_cast<size_t>(bit / 8);
    out[index] = static_cast<uint8_t>((out[index] & ~mask) | (prefix[index] & mask));
  }
  return out;
}

Dyndns2Parse ParseDyndns2(std::string_view parameters) {
  Dyndns2Parse parse;
  Dyndns2Request& request = parse.request;
  bool bad_address = false;
  bool saw_hostname = false;
  ForEachField(parameters, [&](std::string_view name, std::string_view value) {
    if (name == "hostname" || name == "host" || name == "domain") {
      saw_hostname = true;
      ForEachPart(value, ',', [&](std::string_view host) {
        if (!host.empty()) request.hostnames.emplace_back(host);
      });
    } else if (name == "myip") {
      bad_address |= !ParseMyIp(value, &request);
    } else if (name == "myipv4" || name == "ip") {
      bad_address |= !ParseFamilyValue(value, AF_INET, &request.ipv4);
    } else if (name == "myipv6" || name == "ipv6") {
      bad_address |= !ParseFamilyValue(value, AF_INET6, &request.ipv6);
    } else if (name == "offline") {
      request.offline = ParseToggle(value, "yes", "no");
    } else if (name == "wildcard") {
      request.wildcard = ParseToggle(value, "on", "off");
    } else if (name == "mx") {
      request.mx = std::string(value);
    } else if (name == "backmx") {
      request.backup_mx = EqualsIgnoreCase(value, "yes");
    } else if (name == "username" || name == "user") {
      request.username = std::string(value);
    } else if (name == "password" || name == "pass") {
      request.password = std::string(value);
    }
    // system= (dyndns, statdns, custom) and anything else: accepted and ignored.
  });
  if (request.hostnames.size() > kMaxHostnames) {
    parse.error = Dyndns2Error::kNumHost;
  } else if (!saw_hostname || request.hostnames.empty() ||
             !std::all_of(request.hostnames.begin(), request.hostnames.end(), LooksLikeHostname)) {
    parse.error = Dyndns2Error::kNotFqdn;
  } else if (bad_address) {
    parse.error = Dyndns2Error::kBadAddress;
  }
  return parse;
}

DuckRequest ParseDuck(std::string_view parameters) {
  DuckRequest request;
  ForEachField(parameters, [&](std::string_view name, std::string_view value) {
    if (name == "domains") {
      ForEachPart(value, ',', [&](std::string_view domain) {
        if (!domain.empty()) request.domains.emplace_back(domain);
      });
    } else if (name == "token") {
      request.token = std::string(value);
    } else if (name == "ip") {
      // DuckDNS: a blank ip means "detect it from the request".
      if (!Trim(value).empty() && !ParseFamilyValue(value, AF_INET, &request.ipv4)) {
        // DuckDNS also takes an IPv6 address in ip=.
        if (!ParseFamilyValue(value, AF_INET6, &request.ipv6)) request.bad = true;
      }
    } else if (name == "ipv6") {
      if (!Trim(value).empty() && !ParseFamilyValue(value, AF_INET6, &request.ipv6)) request.bad = true;
    } else if (name == "txt") {
      request.txt = std::string(value);
    } else if (name == "clear") {
      request.clear = EqualsIgnoreCase(value, "true");
    } else if (name == "verbose") {
      request.verbose = EqualsIgnoreCase(value, "true");
    }
  });
  if (request.domains.empty() || request.token.empty() || request.domains.size() > kMaxHostnames) request.bad = true;
  return request;
}

bool LooksLikeSuccess(std::string_view body) {
  std::string lower(body);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* word : {"ok", "good", "nochg", "true", "updated", "success"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace tether::ddns
