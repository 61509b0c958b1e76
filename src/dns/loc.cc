#include "dns/loc.h"

#include <cstdio>
#include <string_view>

#include "dns/rdata_codec.h"
#include "dns/wire/reader.h"

namespace tether::dns {
namespace {

constexpr uint32_t kEquator = 0x80000000u;        // RFC 1876 2: 2^31 is 0 degrees
constexpr int64_t kMaxLatitude = 90LL * 3600000;  // in thousandths of a second of arc
constexpr int64_t kMaxLongitude = 180LL * 3600000;
constexpr int64_t kAltitudeBase = 10000000;  // 100000 m below the WGS 84 spheroid
constexpr uint64_t kPowersOfTen[] = {1,      10,      100,      1000,      10000,
                                     100000, 1000000, 10000000, 100000000, 1000000000};

bool ValidPrecision(uint8_t value) { return (value >> 4) <= 9 && (value & 0xF) <= 9; }

// "123", "123.4", "123.45" (up to `decimals` digits after the point, integer part at most
// `max`), optionally followed by 'm' when `meters`; the value is returned in units of
// 10^-decimals.
bool ParseFixed(std::string_view text, int decimals, bool meters, uint64_t max, uint64_t* out) {
  if (meters && !text.empty() && (text.back() == 'm' || text.back() == 'M')) text.remove_suffix(1);
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (dot != std::string_view::npos && fraction.empty()) return false;
  if (fraction.size() > static_cast<size_t>(decimals)) return false;
  uint64_t integer = 0;
  uint64_t fractional = 0;
  if (!rdata_codec::ParseDecimal(whole, max, &integer)) return false;
  if (!fraction.empty() && !rdata_codec::ParseDecimal(fraction, 999, &fractional)) return false;
  fractional *= kPowersOfTen[static_cast<size_t>(decimals) - fraction.size()];
  // `max` bounds the integer part only: 59.999 seconds is a valid angle part.
  *out = integer * kPowersOfTen[decimals] + fractional;
  return true;
}

// RFC 1876 A: a size or precision in centimetres as mantissa * 10^exponent, truncated
// (as BIND and the RFC's reference code do).
bool ParsePrecision(std::string_view text, uint8_t* out) {
  uint64_t cm = 0;
  if (!ParseFixed(text, 2, true, 90000000, &cm)) return false;
  size_t exponent = 0;
  while (exponent < 9 && cm >= kPowersOfTen[exponent + 1]) ++exponent;
  *out = static_cast<uint8_t>((cm / kPowersOfTen[exponent]) << 4 | exponent);
  return true;
}

void AppendPrecision(uint8_t value, std::string* out) {
  uint64_t mantissa = value >> 4;
  size_t exponent = value & 0xF;
  char buf[32];
  if (exponent >= 2) {
    std::snprintf(buf, sizeof(buf), "%llum",
                  static_cast<unsigned long long>(mantissa) * kPowersOfTen[exponent - 2]);
  } else {
    std::snprintf(buf, sizeof(buf), "0.%02llum",
                  static_cast<unsigned long long>(mantissa) * kPowersOfTen[exponent]);
  }
  out->append(buf);
}

// The hemisphere letter `text` names (either case), or 0.
char Hemisphere(std::string_view text, char positive, char negative) {
  if (text.size() != 1) return 0;
  char upper = static_cast<char>(text[0] & ~0x20);
  return upper == positive || upper == negative ? upper : 0;
}

class LocParser {
 public:
  explicit LocParser(std::span<const TextToken> tokens) : tokens_(tokens) {}

  // Degrees [minutes [seconds]] then one of the two hemisphere letters; returns the signed
  // angle in thousandths of a second.
  bool Angle(uint64_t max_degrees, char positive, char negative, int64_t* out) {
    uint64_t parts[3] = {0, 0, 0};
    size_t count = 0;
    while (next_ < tokens_.size()) {
      std::string_view text = tokens_[next_].text;
      if (Hemisphere(text, positive, negative) != 0) break;
      if (count == 3) return false;
      bool ok = count == 2
                    ? ParseFixed(text, 3, false, 59, &parts[2])
                    : rdata_codec::ParseDecimal(text, count == 0 ? max_degrees : 59, &parts[count]);
      if (!ok) return false;
      ++count;
      ++next_;
    }
    if (count == 0 || next_ >= tokens_.size()) return false;
    bool is_negative = Hemisphere(tokens_[next_++].text, positive, negative) == negative;
    auto value = static_cast<int64_t>(parts[0] * 3600000 + parts[1] * 60000 + parts[2]);
    if (value > static_cast<int64_t>(max_degrees) * 3600000) return false;
    *out = is_negative ? -value : value;
    return true;
  }

  bool Altitude(int64_t* out) {
    if (next_ >= tokens_.size()) return false;
    std::string_view text = tokens_[next_++].text;
    bool negative = !text.empty() && text[0] == '-';
    if (negative) text.remove_prefix(1);
    uint64_t cm = 0;
    if (!ParseFixed(text, 2, true, 42849672, &cm)) return false;
    *out = negative ? -static_cast<int64_t>(cm) : static_cast<int64_t>(cm);
    return *out >= -kAltitudeBase && *out + kAltitudeBase <= 0xFFFFFFFFLL;
  }

  // An optional precision; keeps `value` (the default) when no token is left.
  bool Precision(uint8_t* value) {
    if (next_ >= tokens_.size()) return true;
    return ParsePrecision(tokens_[next_++].text, value);
  }

  bool done() const { return next_ == tokens_.size(); }

 private:
  std::span<const TextToken> tokens_;
  size_t next_ = 0;
};

void PutU32(uint32_t v, std::vector<uint8_t>* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<uint8_t>(v >> shift));
}

void AppendAngle(uint32_t wire, char positive, char negative, std::string* out) {
  int64_t value = static_cast<int64_t>(wire) - kEquator;
  char hemisphere = value < 0 ? negative : positive;
  if (value < 0) value = -value;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%lld %lld %lld.%03lld %c",
                static_cast<long long>(value / 3600000), static_cast<long long>(value / 60000 % 60),
                static_cast<long long>(value / 1000 % 60), static_cast<long long>(value % 1000),
                hemisphere);
  out->append(buf);
}

}  // namespace

bool ValidLoc(std::span<const uint8_t> rdata) {
  if (!rdata.empty() && rdata[0] != 0) return true;  // unknown version: opaque
  Reader reader(rdata);
  reader.U8();
  uint8_t size = reader.U8();
  uint8_t horizontal = reader.U8();
  uint8_t vertical = reader.U8();
  int64_t latitude = static_cast<int64_t>(reader.U32()) - kEquator;
  int64_t longitude = static_cast<int64_t>(reader.U32()) - kEquator;
  reader.U32();
  return reader.ok() && reader.empty() && ValidPrecision(size) && ValidPrecision(horizontal) &&
         ValidPrecision(vertical) && latitude >= -kMaxLatitude && latitude <= kMaxLatitude &&
         longitude >= -kMaxLongitude && longitude <= kMaxLongitude;
}

Status ParseLoc(std::span<const TextToken> tokens, std::vector<uint8_t>* out) {
  LocParser parser(tokens);
  int64_t latitude = 0;
  int64_t longitude = 0;
  int64_t altitude = 0;
  uint8_t size = 0x12;        // 1 m
  uint8_t horizontal = 0x16;  // 10000 m
  uint8_t vertical = 0x13;    // 10 m
  if (!parser.Angle(90, 'N', 'S', &latitude)) return InvalidArgument("bad latitude in LOC record");
  if (!parser.Angle(180, 'E', 'W', &longitude)) {
    return InvalidArgument("bad longitude in LOC record");
  }
  if (!parser.Altitude(&altitude)) return InvalidArgument("bad altitude in LOC record");
  if (!parser.Precision(&size) || !parser.Precision(&horizontal) || !parser.Precision(&vertical)) {
    return InvalidArgument("bad size or precision in LOC record");
  }
  if (!parser.done()) return InvalidArgument("trailing data in LOC record");
  out->push_back(0);  // version
  out->push_back(size);
  out->push_back(horizontal);
  out->push_back(vertical);
  PutU32(static_cast<uint32_t>(kEquator + latitude), out);
  PutU32(static_cast<uint32_t>(kEquator + longitude), out);
  PutU32(static_cast<uint32_t>(altitude + kAltitudeBase), out);
  return Ok();
}

// Zero has one presentation ("0.00m") but ten encodings; only 0x00 survives a round trip.
bool CanonicalZero(uint8_t precision) { return (precision >> 4) != 0 || precision == 0; }

bool AppendLoc(std::span<const uint8_t> rdata, std::string* out) {
  if (rdata.size() != 16 || rdata[0] != 0) return false;
  if (!CanonicalZero(rdata[1]) || !CanonicalZero(rdata[2]) || !CanonicalZero(rdata[3])) {
    return false;  // printed in the RFC 3597 form instead
  }
  Reader reader(rdata);
  reader.U8();
  uint8_t size = reader.U8();
  uint8_t horizontal = reader.U8();
  uint8_t vertical = reader.U8();
  AppendAngle(reader.U32(), 'N', 'S', out);
  out->push_back(' ');
  AppendAngle(reader.U32(), 'E', 'W', out);
  int64_t altitude = static_cast<int64_t>(reader.U32()) - kAltitudeBase;
  char buf[64];
  std::snprintf(buf, sizeof(buf), " %s%lld.%02lldm ", altitude < 0 ? "-" : "",
                static_cast<long long>((altitude < 0 ? -altitude : altitude) / 100),
                static_cast<long long>((altitude < 0 ? -altitude : altitude) % 100));
  out->append(buf);
  AppendPrecision(size, out);
  out->push_back(' ');
  AppendPrecision(horizontal, out);
  out->push_back(' ');
  AppendPrecision(vertical, out);
  return true;
}

}  // namespace tether::dns
