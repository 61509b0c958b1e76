// The presentation side of dns/rdata.h: master-file text -> canonical wire RDATA and back,
// in the form BIND's dig and Knot's kdig print. Walks the descriptors of
// rdata_descriptor.cc; SVCB/HTTPS parameters are in svcb.cc.
#include <algorithm>
#include <string>

#include "dns/loc.h"
#include "dns/rdata.h"
#include "dns/rdata_codec.h"
#include "dns/rdata_descriptor.h"
#include "dns/svcb.h"

namespace tether::dns {
namespace {

namespace codec = rdata_codec;

constexpr size_t kMaxRdata = 65535;

void PutU16(uint16_t v, std::vector<uint8_t>* out) {
  out->push_back(static_cast<uint8_t>(v >> 8));
  out->push_back(static_cast<uint8_t>(v));
}

void PutU32(uint32_t v, std::vector<uint8_t>* out) {
  PutU16(static_cast<uint16_t>(v >> 16), out);
  PutU16(static_cast<uint16_t>(v), out);
}

struct Mnemonic {
  uint16_t value;
  const char* name;
};

// RFC 4034 A.1 and the IANA "DNS Security Algorithm Numbers" registry.
constexpr Mnemonic kAlgorithms[] = {{1, "RSAMD5"},
                                    {2, "DH"},
                                    {3, "DSA"},
                                    {5, "RSASHA1"},
                                    {6, "DSA-NSEC3-SHA1"},
                                    {7, "RSASHA1-NSEC3-SHA1"},
                                    {8, "RSASHA256"},
                                    {10, "RSASHA512"},
                                    {12, "ECC-GOST"},
                                    {13, "ECDSAP256SHA256"},
                                    {14, "ECDSAP384SHA384"},
                                    {15, "ED25519"},
                                    {16, "ED448"},
                                    {252, "INDIRECT"},
                                    {253, "PRIVATEDNS"},
                                    {254, "PRIVATEOID"}};

// RFC 4398 2.1.
constexpr Mnemonic kCertTypes[] = {{1, "PKIX"},  {2, "SPKI"}, {3, "PGP"},    {4, "IPKIX"},
                                   {5, "ISPKI"}, {6, "IPGP"}, {7, "ACPKIX"}, {8, "IACPKIX"},
                                   {253, "URI"}, {254, "OID"}};

// A number up to `max`, or a mnemonic of `table` (either case).
bool ParseMnemonic(std::string_view text, std::span<const Mnemonic> table, uint64_t max,
                   uint64_t* out) {
  if (codec::ParseDecimal(text, max, out)) return true;
  for (const auto& entry : table) {
    std::string_view name = entry.name;
    if (name.size() == text.size() &&
        std::equal(name.begin(), name.end(), text.begin(),
                   [](char a, char b) { return a == (b >= 'a' && b <= 'z' ? b - 32 : b); })) {
      *out = entry.value;
      return true;
    }
  }
  return false;
}

// RFC 7043 3: six or eight hex pairs separated by '-'.
bool ParseEui(std::string_view text, size_t bytes, std::vector<uint8_t>* out) {
  if (text.size() != bytes * 3 - 1) return false;
  for (size_t i = 0; i < bytes; ++i) {
    if (i > 0 && text[i * 3 - 1] != '-') return false;
    if (!codec::ParseHex(text.substr(i * 3, 2), out)) return false;
  }
  return true;
}

// RFC 4034 4.1.2: one window per 256 types, trailing zero bytes dropped.
void PutTypeBitmap(std::vector<uint16_t> types, std::vector<uint8_t>* out) {
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  size_t i = 0;
  while (i < types.size()) {
    int window = types[i] >> 8;
    uint8_t bits[32] = {};
    size_t length = 0;
    for (; i < types.size() && types[i] >> 8 == window; ++i) {
      size_t low = types[i] & 0xFF;
      bits[low / 8] = static_cast<uint8_t>(bits[low / 8] | (0x80 >> (low % 8)));
      length = low / 8 + 1;
    }
    out->push_back(static_cast<uint8_t>(window));
    out->push_back(static_cast<uint8_t>(length));
    out->insert(out->end(), bits, bits + length);
  }
}

class TextParser {
 public:
  TextParser(RrType type, std::span<const TextToken> tokens, const Name& origin)
      : type_(type), type_name_(RrTypeToString(type)), tokens_(tokens), origin_(origin) {}

  Result<std::vector<uint8_t>> Parse(const Descriptor& descriptor) {
    for (const auto& field : descriptor.fields) RETURN_IF_ERROR(ParseField(field));
    if (next_ < tokens_.size()) {
      return InvalidArgument("trailing data '{}' in {} record", tokens_[next_].text, type_name_);
    }
    if (out_.size() > kMaxRdata) return InvalidArgument("{} record too long", type_name_);
    RETURN_IF_ERROR(ValidateRdata(type_, out_));  // the parser built what the walker accepts
    return std::move(out_);
  }

 private:
  Status ParseField(const FieldSpec& field) {
    using K = FieldKind;
    switch (field.kind) {
      case K::kCharStrings:
        if (next_ >= tokens_.size()) return Missing(field);
        while (next_ < tokens_.size()) RETURN_IF_ERROR(CharString(field, tokens_[next_++]));
        return Ok();
      case K::kHexToEnd:
      case K::kZonemdDigest:
      case K::kBase64ToEnd: {
        // These may be split over several tokens (BIND prints them in chunks).
        std::string joined;
        while (next_ < tokens_.size()) joined += tokens_[next_++].text;
        if (joined.empty()) return Missing(field);
        size_t before = out_.size();
        bool ok = field.kind == K::kBase64ToEnd ? codec::ParseBase64(joined, &out_)
                                                : codec::ParseHex(joined, &out_);
        if (field.kind == K::kZonemdDigest && out_.size() - before < 12) ok = false;
        return ok ? Ok() : Bad(field, joined);
      }
      case K::kTypeBitmap:
      case K::kTypeBitmapNonEmpty: {
        std::vector<uint16_t> types;
        for (; next_ < tokens_.size(); ++next_) {
          auto type = RrTypeFromString(tokens_[next_].text);
          if (!type) return Bad(field, tokens_[next_].text);
          types.push_back(ToU16(*type));
        }
        if (types.empty() && field.kind == K::kTypeBitmapNonEmpty) return Missing(field);
        PutTypeBitmap(std::move(types), &out_);
        return Ok();
      }
      case K::kSvcParams: {
        auto rest = tokens_.subspan(next_);
        next_ = tokens_.size();
        return ParseSvcParams(rest, type_name_.c_str(), &out_);
      }
      case K::kLoc: {
        auto rest = tokens_.subspan(next_);
        next_ = tokens_.size();
        return ParseLoc(rest, &out_);
      }
      default:
        break;
    }
    if (next_ >= tokens_.size()) return Missing(field);
    const TextToken& token = tokens_[next_++];
    return ParseSingle(field, token);
  }

  Status ParseSingle(const FieldSpec& field, const TextToken& token) {
    using K = FieldKind;
    std::string_view text = token.text;
    uint64_t number = 0;
    uint32_t u32 = 0;
    switch (field.kind) {
      case K::kCompressedName:
      case K::kDecompressedName:
      case K::kName: {
        auto name = Name::FromText(text, origin_);
        if (!name) return Bad(field, text);
        out_.insert(out_.end(), name->wire().begin(), name->wire().end());
        return Ok();
      }
      case K::kU8:
        if (!codec::ParseDecimal(text, 0xFF, &number)) return Bad(field, text);
        out_.push_back(static_cast<uint8_t>(number));
        return Ok();
      case K::kU16:
        if (!codec::ParseDecimal(text, 0xFFFF, &number)) return Bad(field, text);
        PutU16(static_cast<uint16_t>(number), &out_);
        return Ok();
      case K::kAlgorithm:
        if (!ParseMnemonic(text, kAlgorithms, 0xFF, &number)) return Bad(field, text);
        out_.push_back(static_cast<uint8_t>(number));
        return Ok();
      case K::kCertType:
        if (!ParseMnemonic(text, kCertTypes, 0xFFFF, &number)) return Bad(field, text);
        PutU16(static_cast<uint16_t>(number), &out_);
        return Ok();
      case K::kU32:
        if (!codec::ParseDecimal(text, 0xFFFFFFFF, &number)) return Bad(field, text);
        PutU32(static_cast<uint32_t>(number), &out_);
        return Ok();
      case K::kTtl:
        if (!codec::ParseTtl(text, &u32)) return Bad(field, text);
        PutU32(u32, &out_);
        return Ok();
      case K::kTime:
        if (!codec::ParseTime(text, &u32)) return Bad(field, text);
        PutU32(u32, &out_);
        return Ok();
      case K::kType: {
        auto type = RrTypeFromString(text);
        if (!type) return Bad(field, text);
        PutU16(ToU16(*type), &out_);
        return Ok();
      }
      case K::kIpv4:
      case K::kIpv6: {
        uint8_t address[16];
        bool v4 = field.kind == K::kIpv4;
        if (!(v4 ? codec::ParseIpv4(text, address) : codec::ParseIpv6(text, address))) {
          return Bad(field, text);
        }
        out_.insert(out_.end(), address, address + (v4 ? 4 : 16));
        return Ok();
      }
      case K::kEui48:
      case K::kEui64:
        if (!ParseEui(text, field.kind == K::kEui48 ? 6 : 8, &out_)) return Bad(field, text);
        return Ok();
      case K::kCharString:
        return CharString(field, token);
      case K::kStringToEnd: {
        std::string bytes;
        if (!codec::Unescape(text, &bytes)) return Bad(field, text);
        out_.insert(out_.end(), bytes.begin(), bytes.end());
        return Ok();
      }
      case K::kCaaTag:
        // RFC 8659 4.1: at least one byte, letters and digits only.
        if (text.empty() || text.size() > 255 || !std::all_of(text.begin(), text.end(), [](char c) {
              return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            })) {
          return Bad(field, text);
        }
        out_.push_back(static_cast<uint8_t>(text.size()));
        out_.insert(out_.end(), text.begin(), text.end());
        return Ok();
      case K::kSalt: {
        std::vector<uint8_t> salt;
        if (text != "-" && !codec::ParseHex(text, &salt)) return Bad(field, text);
        if (salt.size() > 255) return Bad(field, text);
        out_.push_back(static_cast<uint8_t>(salt.size()));
        out_.insert(out_.end(), salt.begin(), salt.end());
        return Ok();
      }
      case K::kHash: {
        std::vector<uint8_t> hash;
        if (!codec::ParseBase32Hex(text, &hash) || hash.empty() || hash.size() > 255) {
          return Bad(field, text);
        }
        out_.push_back(static_cast<uint8_t>(hash.size()));
        out_.insert(out_.end(), hash.begin(), hash.end());
        return Ok();
      }
      default:
        return Bad(field, text);  // multi-token kinds are handled by ParseField
    }
  }

  Status CharString(const FieldSpec& field, const TextToken& token) {
    std::string bytes;
    if (!codec::Unescape(token.text, &bytes)) return Bad(field, token.text);
    if (bytes.size() > 255) {
      return InvalidArgument("{} longer than 255 bytes in {} record", field.name, type_name_);
    }
    out_.push_back(static_cast<uint8_t>(bytes.size()));
    out_.insert(out_.end(), bytes.begin(), bytes.end());
    return Ok();
  }

  tl::unexpected<Error> Bad(const FieldSpec& field, std::string_view text) const {
    return InvalidArgument("bad {} '{}' in {} record", field.name, text, type_name_);
  }
  tl::unexpected<Error> Missing(const FieldSpec& field) const {
    return InvalidArgument("missing {} in {} record", field.name, type_name_);
  }

  RrType type_;
  std::string type_name_;
  std::span<const TextToken> tokens_;
  size_t next_ = 0;
  const Name& origin_;
  std::vector<uint8_t> out_;
};

// RFC 3597 5: "\# LEN HEX...", the hex possibly split over several tokens.
Result<std::vector<uint8_t>> ParseGeneric(RrType type, std::span<const TextToken> tokens) {
  std::string type_name = RrTypeToString(type);
  uint64_t length = 0;
  if (tokens.size() < 2 || !codec::ParseDecimal(tokens[1].text, kMaxRdata, &length)) {
    return InvalidArgument("bad RFC 3597 length in {} record", type_name);
  }
  std::string hex;
  for (const auto& token : tokens.subspan(2)) hex += token.text;
  std::vector<uint8_t> out;
  if (!codec::ParseHex(hex, &out))
    return InvalidArgument("bad RFC 3597 hex in {} record", type_name);
  if (out.size() != length) {
    return InvalidArgument("RFC 3597 length {} does not match {} bytes of data in {} record",
                           length, out.size(), type_name);
  }
  // A known type must still have its structure (RFC 3597 5).
  RETURN_IF_ERROR(ValidateRdata(type, out));
  return out;
}

// Appends the presentation of one field; false if the value cannot be presented in the
// type's own syntax (then the whole RDATA is printed in the RFC 3597 form).
bool AppendField(FieldKind kind, Reader& reader, std::string* out) {
  using K = FieldKind;
  switch (kind) {
    case K::kCompressedName:
    case K::kDecompressedName:
    case K::kName: {
      auto name = ReadUncompressedName(reader);
      if (!reader.ok()) return false;
      out->append(Name::FromValidWire(name).ToText());
      return true;
    }
    case K::kU8:
    case K::kAlgorithm:  // BIND and Knot print the number
      out->append(std::to_string(reader.U8()));
      return true;
    case K::kCertType: {
      // BIND prints the mnemonic (and accepts both).
      uint16_t value = reader.U16();
      const auto* it = std::find_if(std::begin(kCertTypes), std::end(kCertTypes),
                                    [&](const Mnemonic& m) { return m.value == value; });
      out->append(it != std::end(kCertTypes) ? it->name : std::to_string(value));
      return true;
    }
    case K::kU16:
      out->append(std::to_string(reader.U16()));
      return true;
    case K::kU32:
    case K::kTtl:
      out->append(std::to_string(reader.U32()));
      return true;
    case K::kType:
      out->append(RrTypeToString(static_cast<RrType>(reader.U16())));
      return true;
    case K::kTime:
      codec::AppendTime(reader.U32(), out);
      return true;
    case K::kIpv4:
      codec::AppendIpv4(reader.Bytes(4), out);
      return true;
    case K::kIpv6:
      codec::AppendIpv6(reader.Bytes(16), out);
      return true;
    case K::kEui48:
    case K::kEui64: {
      auto bytes = reader.Bytes(kind == K::kEui48 ? 6 : 8);
      for (size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0) out->push_back('-');
        static constexpr char kLowerHex[] = "0123456789abcdef";
        out->push_back(kLowerHex[bytes[i] >> 4]);
        out->push_back(kLowerHex[bytes[i] & 0xF]);
      }
      return true;
    }
    case K::kCharString:
      codec::AppendQuoted(reader.Bytes(reader.U8()), out);
      return true;
    case K::kCharStrings:
      for (bool first = true; !reader.empty() && reader.ok(); first = false) {
        if (!first) out->push_back(' ');
        codec::AppendQuoted(reader.Bytes(reader.U8()), out);
      }
      return true;
    case K::kStringToEnd:
      codec::AppendQuoted(reader.Rest(), out);
      return true;
    case K::kCaaTag: {
      auto tag = reader.Bytes(reader.U8());
      out->append(tag.begin(), tag.end());
      return true;
    }
    case K::kHexToEnd:
    case K::kZonemdDigest:
    case K::kBase64ToEnd: {
      auto bytes = reader.Rest();
      if (bytes.empty()) return false;  // BIND refuses an empty digest, key or signature
      if (kind != K::kBase64ToEnd) {
        codec::AppendHex(bytes, out);
      } else {
        codec::AppendBase64(bytes, out);
      }
      return true;
    }
    case K::kSalt: {
      auto salt = reader.Bytes(reader.U8());
      if (salt.empty()) {
        out->push_back('-');
      } else {
        codec::AppendHex(salt, out);
      }
      return true;
    }
    case K::kHash:
      codec::AppendBase32Hex(reader.Bytes(reader.U8()), out);
      return true;
    case K::kTypeBitmap:
    case K::kTypeBitmapNonEmpty: {
      bool first = true;
      while (!reader.empty() && reader.ok()) {
        uint8_t window = reader.U8();
        auto bits = reader.Bytes(reader.U8());
        for (size_t i = 0; i < bits.size() * 8; ++i) {
          if ((bits[i / 8] & (0x80 >> (i % 8))) == 0) continue;
          if (!first) out->push_back(' ');
          first = false;
          out->append(RrTypeToString(static_cast<RrType>((static_cast<size_t>(window) << 8) | i)));
        }
      }
      return true;
    }
    case K::kSvcParams:
      return AppendSvcParams(reader.Rest(), out);
    case K::kLoc:
      return AppendLoc(reader.Rest(), out);
  }
  return false;
}

std::string GenericText(std::span<const uint8_t> rdata) {
  std::string out = "\\# " + std::to_string(rdata.size());
  if (!rdata.empty()) {
    out.push_back(' ');
    codec::AppendHex(rdata, &out);
  }
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> RdataFromText(RrType type, std::span<const TextToken> tokens,
                                           const Name& origin) {
  if (!tokens.empty() && !tokens[0].quoted && tokens[0].text == "\\#") {
    return ParseGeneric(type, tokens);
  }
  const Descriptor* descriptor = FindDescriptor(type);
  if (descriptor == nullptr) {
    return InvalidArgument("{} record needs the RFC 3597 form '\\# LEN HEX'", RrTypeToString(type));
  }
  return TextParser(type, tokens, origin).Parse(*descriptor);
}

Result<std::vector<uint8_t>> RdataFromString(RrType type, std::string_view text,
                                             const Name& origin) {
  std::vector<TextToken> tokens;
  size_t i = 0;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    bool quoted = text[i] == '"';
    size_t start = quoted ? i + 1 : i;
    size_t end = start;
    // A quote always starts a new token, so key="value" gives "key=" and a quoted "value".
    while (end < text.size() &&
           (quoted ? text[end] != '"' : !is_space(text[end]) && text[end] != '"')) {
      end += text[end] == '\\' && end + 1 < text.size() ? 2 : 1;
    }
    if (quoted && end >= text.size()) return InvalidArgument("unbalanced quotes in '{}'", text);
    end = std::min(end, text.size());
    tokens.push_back({text.substr(start, end - start), quoted});
    i = quoted ? end + 1 : end;
  }
  return RdataFromText(type, tokens, origin);
}

void AppendRdataText(RrType type, std::span<const uint8_t> rdata, std::string* out) {
  if (type == RrType::kA && rdata.size() == 4) return codec::AppendIpv4(rdata, out);
  if (type == RrType::kAaaa && rdata.size() == 16) return codec::AppendIpv6(rdata, out);
  *out += RdataToText(type, rdata);
}

std::string RdataToText(RrType type, std::span<const uint8_t> rdata) {
  const Descriptor* descriptor = FindDescriptor(type);
  if (descriptor == nullptr || !ValidateRdata(type, rdata)) return GenericText(rdata);
  std::string out;
  Reader reader(rdata);
  for (const auto& field : descriptor->fields) {
    size_t before = out.size();
    if (!out.empty() && field.kind != FieldKind::kSvcParams) out.push_back(' ');
    size_t start = out.size();
    if (!AppendField(field.kind, reader, &out)) return GenericText(rdata);
    if (out.size() == start) out.resize(before);  // an empty type bitmap
  }
  if (!reader.ok() || !reader.empty()) return GenericText(rdata);
  return out;
}

}  // namespace tether::dns
