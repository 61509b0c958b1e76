#include "zone/master_fields.h"

#include <strings.h>
#include <charconv>

namespace tether::zone {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<uint32_t> ParseTtl(std::string_view text) {
  // BIND's longest valid TTL text is well under this; the cap also bounds the work.
  if (text.empty() || text.size() > 64) return std::nullopt;
  uint64_t total = 0;
  size_t pos = 0;
  bool had_unit = false;
  while (pos < text.size()) {
    uint64_t number = 0;
    const size_t digits_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      number = number * 10 + static_cast<uint64_t>(text[pos] - '0');
      if (number > 0xffffffffu) return std::nullopt;
      ++pos;
    }
    if (pos == digits_start) return std::nullopt;
    if (pos == text.size()) {
      if (had_unit) return std::nullopt;  // "1h30": BIND rejects a trailing bare number
      return static_cast<uint32_t>(number);
    }
    uint64_t unit = 0;
    switch (text[pos]) {
      case 'w':
      case 'W':
        unit = 7 * 24 * 3600;
        break;
      case 'd':
      case 'D':
        unit = 24 * 3600;
        break;
      case 'h':
      case 'H':
        unit = 3600;
        break;
      case 'm':
      case 'M':
        unit = 60;
        break;
      case 's':
      case 'S':
        unit = 1;
        break;
      default:
        return std::nullopt;
    }
    ++pos;
    had_unit = true;
    total += number * unit;
    if (total > 0xffffffffu) return std::nullopt;
  }
  return static_cast<uint32_t>(total);
}

std::optional<uint16_t> ParseClass(std::string_view text) {
  if (EqualsIgnoreCase(text, "IN")) return 1;
  if (EqualsIgnoreCase(text, "CH") || EqualsIgnoreCase(text, "CHAOS")) return 3;
  if (EqualsIgnoreCase(text, "HS")) return 4;
  // RFC 3597 5: "CLASS" followed by a decimal number without leading sign.
  if (text.size() > 5 && strncasecmp(text.data(), "CLASS", 5) == 0) {
    std::string_view digits = text.substr(5);
    if (digits[0] < '0' || digits[0] > '9') return std::nullopt;
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size() || value > 65535) {
      return std::nullopt;
    }
    return static_cast<uint16_t>(value);
  }
  return std::nullopt;
}

}  // namespace tether::zone
