// The fields of a master-file record line that are not RDATA (RFC 1035 5.1): TTLs, with the
// BIND unit suffixes, and classes. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tether::zone {

// A TTL in seconds ("3600") or in BIND units, case-insensitive: w(eeks), d(ays), h(ours),
// m(inutes), s(econds), e.g. "1w2d3h4m5s" or "1h30m". As in BIND, a unitless number must
// stand alone ("1h30" is an error). Fails on anything else or above 2^32-1.
std::optional<uint32_t> ParseTtl(std::string_view text);

// True if `text` can only be meant as a TTL: it starts with a digit (no type or class
// mnemonic does).
inline bool LooksLikeTtl(std::string_view text) {
  return !text.empty() && text[0] >= '0' && text[0] <= '9';
}

// A class mnemonic allowed in master files (IN, CH, CHAOS, HS, case-insensitive) or the
// RFC 3597 "CLASSnnn" form. NONE and ANY are query-only classes (RFC 2136 2.5) and never
// name data.
std::optional<uint16_t> ParseClass(std::string_view text);

}  // namespace tether::zone
