// The dyndns2 and DuckDNS parameter parsers on arbitrary query strings: never crash, and
// what they accept stays within the protocol's limits.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ddns/dyndns2.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parse = tether::ddns::ParseDyndns2(text);
  if (parse.error == tether::ddns::Dyndns2Error::kNone) {
    if (parse.request.hostnames.empty() || parse.request.hostnames.size() > tether::ddns::kMaxHostnames) {
      std::abort();
    }
    if (parse.request.ipv6.kind == tether::ddns::AddressChange::Kind::kPrefix) {
      (void)tether::ddns::ReplacePrefix(parse.request.ipv6.address, parse.request.ipv6.address,
                                        parse.request.ipv6.prefix_length);
    }
  }
  auto duck = tether::ddns::ParseDuck(text);
  if (!duck.bad && (duck.domains.empty() || duck.token.empty())) std::abort();
  (void)tether::ddns::LooksLikeSuccess(text);
  return 0;
}
