#include "dns/rdata_codec.h"

#include <openssl/evp.h>

#include <arpa/inet.h>

#include <array>
#include <cstdio>
#include <cstring>

namespace tether::dns::rdata_codec {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";
constexpr char kBase32HexDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base32HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'v') return c - 'a' + 10;
  if (c >= 'A' && c <= 'V') return c - 'A' + 10;
  return -1;
}

// The value of each base64 digit (RFC 4648 4), -1 for any other byte.
constexpr std::array<int8_t, 256> kBase64Values = [] {
  std::array<int8_t, 256> values{};
  values.fill(-1);
  constexpr std::string_view kDigits =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < kDigits.size(); ++i) {
    values[static_cast<uint8_t>(kDigits[i])] = static_cast<int8_t>(i);
  }
  return values;
}();

int Base64Value(char c) { return kBase64Values[static_cast<uint8_t>(c)]; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

unsigned Digits(std::string_view text, size_t pos, size_t n) {
  unsigned value = 0;
  for (size_t i = pos; i < pos + n; ++i) value = value * 10 + static_cast<unsigned>(text[i] - '0');
  return value;
}

}  // namespace

void AppendHex(std::span<const uint8_t> bytes, std::string* out) {
  out->reserve(out->size() + bytes.size() * 2);
  for (uint8_t b : bytes) {
    out->push_back(kHexDigits[b >> 4]);
    out->push_back(kHexDigits[b & 0xF]);
  }
}

bool ParseHex(std::string_view text, std::vector<uint8_t>* out) {
  if (text.size() % 2 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = HexValue(text[i]);
    int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return true;
}

void AppendBase64(std::span<const uint8_t> bytes, std::string* out) {
  if (bytes.empty()) return;
  size_t start = out->size();
  size_t encoded = (bytes.size() + 2) / 3 * 4;
  out->resize(start + encoded + 1);  // EVP_EncodeBlock writes a terminating NUL
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out->data() + start), bytes.data(),
                          static_cast<int>(bytes.size()));
  out->resize(start + static_cast<size_t>(n));
}

bool ParseBase64(std::string_view text, std::vector<uint8_t>* out) {
  // EVP_DecodeBlock accepts '=' anywhere and always yields a multiple of 3 bytes, so the
  // alphabet and the padding are checked here, and a padded last quantum is decoded on its
  // own with 'A' for each '=' (its padding bytes dropped afterwards).
  if (text.size() % 4 != 0) return false;
  if (text.empty()) return true;
  size_t padding = 0;
  if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  for (size_t i = 0; i < text.size() - padding; ++i) {
    if (Base64Value(text[i]) < 0) return false;
  }
  const size_t whole = padding > 0 ? text.size() - 4 : text.size();
  const size_t start = out->size();
  out->resize(start + text.size() / 4 * 3 - padding);
  if (whole > 0) {
    const int n =
        EVP_DecodeBlock(out->data() + start, reinterpret_cast<const unsigned char*>(text.data()),
                        static_cast<int>(whole));
    if (n < 0 || static_cast<size_t>(n) != whole / 4 * 3) return false;
  }
  if (padding > 0) {
    // The padded last quantum (EVP_DecodeBlock refuses a length that is not a multiple of
    // four once it has dropped the padding): its 2 or 3 digits give 1 or 2 bytes.
    uint32_t bits = 0;
    for (size_t i = 0; i < 4 - padding; ++i) {
      bits = bits << 6 | static_cast<uint32_t>(Base64Value(text[whole + i]));
    }
    bits <<= 6 * padding;
    uint8_t* to = out->data() + start + whole / 4 * 3;
    to[0] = static_cast<uint8_t>(bits >> 16);
    if (padding == 1) to[1] = static_cast<uint8_t>(bits >> 8);
  }
  return true;
}

void AppendBase32Hex(std::span<const uint8_t> bytes, std::string* out) {
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out->push_back(kBase32HexDigits[(buffer >> bits) & 0x1F]);
    }
  }
  if (bits > 0) out->push_back(kBase32HexDigits[(buffer << (5 - bits)) & 0x1F]);
}

bool ParseBase32Hex(std::string_view text, std::vector<uint8_t>* out) {
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = Base32HexValue(c);
    if (value < 0) return false;
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<uint8_t>(buffer >> bits));
    }
  }
  // A whole character of leftover bits, or leftover bits that are not zero, means the text
  // is not the encoding of any byte string.
  return bits < 5 && (buffer & ((1u << bits) - 1)) == 0;
}

void AppendTime(uint32_t seconds, std::string* out) {
  int64_t days = seconds / 86400;
  uint32_t rem = seconds % 86400;
  // H. Hinnant's civil_from_days.
  days += 719468;
  const int64_t era = days / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld%02u%02u%02u%02u%02u", static_cast<long long>(year), month,
                day, rem / 3600, rem / 60 % 60, rem % 60);
  out->append(buf);
}

bool ParseTime(std::string_view text, uint32_t* out) {
  if (text.size() != 14) {
    uint64_t value = 0;
    if (!ParseDecimal(text, 0xFFFFFFFF, &value)) return false;
    *out = static_cast<uint32_t>(value);
    return true;
  }
  for (char c : text) {
    if (!IsDigit(c)) return false;
  }
  int64_t year = Digits(text, 0, 4);
  unsigned month = Digits(text, 4, 2);
  unsigned day = Digits(text, 6, 2);
  unsigned hour = Digits(text, 8, 2);
  unsigned minute = Digits(text, 10, 2);
  unsigned second = Digits(text, 12, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  int64_t seconds = DaysFromCivil(year, month, day) * 86400 + int64_t{hour} * 3600 +
                    int64_t{minute} * 60 + second;
  // RFC 4034 3.1.5: the field is serial arithmetic; dates past 2106 wrap.
  *out = static_cast<uint32_t>(static_cast<uint64_t>(seconds) & 0xFFFFFFFF);
  return true;
}

bool ParseDecimal(std::string_view text, uint64_t max, uint64_t* out) {
  if (text.empty() || text.size() > 20) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return false;
    auto digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

bool ParseTtl(std::string_view text, uint32_t* out) {
  if (text.empty()) return false;
  if (IsDigit(text.back())) {
    uint64_t value = 0;
    if (!ParseDecimal(text, 0xFFFFFFFF, &value)) return false;
    *out = static_cast<uint32_t>(value);
    return true;
  }
  uint64_t total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
    if (pos == start || pos == text.size()) return false;
    uint64_t value = 0;
    if (!ParseDecimal(text.substr(start, pos - start), 0xFFFFFFFF, &value)) return false;
    uint64_t unit = 0;
    switch (text[pos] | 0x20) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 604800;
        break;
      default:
        return false;
    }
    ++pos;
    total += value * unit;
    if (total > 0xFFFFFFFF) return false;
  }
  *out = static_cast<uint32_t>(total);
  return true;
}

namespace {
bool ParseAddress(int family, std::string_view text, uint8_t* out) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf) || text.find('\0') != std::string_view::npos) {
    return false;
  }
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  return inet_pton(family, buf, out) == 1;
}
}  // namespace

bool ParseIpv4(std::string_view text, uint8_t out[4]) { return ParseAddress(AF_INET, text, out); }
bool ParseIpv6(std::string_view text, uint8_t out[16]) { return ParseAddress(AF_INET6, text, out); }

void AppendIpv4(std::span<const uint8_t> bytes, std::string* out) {
  if (bytes.size() != 4) return;
  // By hand: glibc's inet_ntop formats IPv4 with sprintf, which shows in the HTTP update
  // path (every dyndns2 answer names an address).
  // Into a local buffer, appended once: a push_back per character cost four times as much.
  char text[16];
  size_t n = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (i > 0) text[n++] = '.';
    const unsigned octet = bytes[i];
    if (octet >= 100) text[n++] = static_cast<char>('0' + octet / 100);
    if (octet >= 10) text[n++] = static_cast<char>('0' + octet / 10 % 10);
    text[n++] = static_cast<char>('0' + octet % 10);
  }
  out->append(text, n);
}

void AppendIpv6(std::span<const uint8_t> bytes, std::string* out) {
  char buf[INET6_ADDRSTRLEN];
  if (bytes.size() == 16 && inet_ntop(AF_INET6, bytes.data(), buf, sizeof(buf)) != nullptr) {
    out->append(buf);
  }
}

bool Unescape(std::string_view text, std::string* out) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (i + 1 >= text.size()) return false;
    if (!IsDigit(text[i + 1])) {
      out->push_back(text[i + 1]);
      ++i;
      continue;
    }
    if (i + 3 >= text.size()) return false;
    if (!IsDigit(text[i + 2]) || !IsDigit(text[i + 3])) return false;
    unsigned value = Digits(text, i + 1, 3);
    if (value > 255) return false;
    out->push_back(static_cast<char>(value));
    i += 3;
  }
  return true;
}

void AppendEscaped(std::span<const uint8_t> bytes, std::string* out) {
  for (uint8_t c : bytes) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20 || c > 0x7e) {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\%03u", static_cast<unsigned>(c));
      out->append(buf);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
}

void AppendQuoted(std::span<const uint8_t> bytes, std::string* out) {
  out->push_back('"');
  AppendEscaped(bytes, out);
  out->push_back('"');
}

}  // namespace tether::dns::rdata_codec
