#include "dns/svcb.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "dns/rdata_codec.h"
#include "dns/wire/reader.h"

namespace tether::dns {
namespace {

namespace codec = rdata_codec;

// RFC 9460 14.3.2 and RFC 9461 5 (the IANA "Service Parameter Keys" registry).
enum SvcKey : uint16_t {
  kMandatory = 0,
  kAlpn = 1,
  kNoDefaultAlpn = 2,
  kPort = 3,
  kIpv4Hint = 4,
  kEch = 5,
  kIpv6Hint = 6,
  kDohPath = 7,
  kOhttp = 8,  // RFC 9540; printed as "key8" because BIND 9.18 rejects "ohttp"
  kInvalidKey = 65535,
};

constexpr const char* kKeyNames[] = {"mandatory", "alpn", "no-default-alpn", "port",
                                     "ipv4hint",  "ech",  "ipv6hint",        "dohpath"};

std::optional<uint16_t> KeyFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kKeyNames); ++i) {
    if (name == kKeyNames[i]) return static_cast<uint16_t>(i);
  }
  if (name == "ohttp") return kOhttp;
  uint64_t value = 0;
  if (name.size() > 3 && name.substr(0, 3) == "key" &&
      codec::ParseDecimal(name.substr(3), kInvalidKey - 1, &value)) {
    return static_cast<uint16_t>(value);
  }
  return std::nullopt;
}

void AppendKeyName(uint16_t key, std::string* out) {
  if (key < std::size(kKeyNames)) {
    out->append(kKeyNames[key]);
  } else {
    out->append("key" + std::to_string(key));
  }
}

// Splits a comma-separated value list (RFC 9460 A.1). With `escapes`, "\," and "\\" stand
// for a literal comma and backslash inside an item (alpn).
std::vector<std::string> SplitList(std::string_view value, bool escapes) {
  std::vector<std::string> items(1);
  for (size_t i = 0; i < value.size(); ++i) {
    if (escapes && value[i] == '\\' && i + 1 < value.size()) {
      items.back().push_back(value[++i]);
    } else if (value[i] == ',') {
      items.emplace_back();
    } else {
      items.back().push_back(value[i]);
    }
  }
  return items;
}

void PutU16(uint16_t v, std::vector<uint8_t>* out) {
  out->push_back(static_cast<uint8_t>(v >> 8));
  out->push_back(static_cast<uint8_t>(v));
}

// Converts the unescaped presentation value of `key` into its wire value.
Status ParseValue(uint16_t key, bool has_value, const std::string& value, const char* type_name,
                  std::vector<uint8_t>* out) {
  auto bad = [&]() {
    std::string name;
    AppendKeyName(key, &name);
    return InvalidArgument("bad SvcParam value '{}={}' in {} record", name, value, type_name);
  };
  switch (key) {
    case kMandatory: {
      if (value.empty()) return bad();
      std::vector<uint16_t> keys;
      for (const auto& item : SplitList(value, false)) {
        auto listed = KeyFromName(item);
        if (!listed || *listed == kMandatory) return bad();
        keys.push_back(*listed);
      }
      std::sort(keys.begin(), keys.end());
      if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) return bad();
      for (uint16_t k : keys) PutU16(k, out);
      return Ok();
    }
    case kAlpn:
      if (value.empty()) return bad();
      for (const auto& item : SplitList(value, true)) {
        if (item.empty() || item.size() > 255) return bad();
        out->push_back(static_cast<uint8_t>(item.size()));
        out->insert(out->end(), item.begin(), item.end());
      }
      return Ok();
    case kNoDefaultAlpn:
    case kOhttp:
      if (!value.empty()) return bad();
      return Ok();
    case kPort: {
      uint64_t port = 0;
      if (!codec::ParseDecimal(value, 65535, &port)) return bad();
      PutU16(static_cast<uint16_t>(port), out);
      return Ok();
    }
    case kIpv4Hint:
    case kIpv6Hint: {
      if (!has_value) return bad();
      for (const auto& item : SplitList(value, false)) {
        uint8_t address[16];
        bool v4 = key == kIpv4Hint;
        if (!(v4 ? codec::ParseIpv4(item, address) : codec::ParseIpv6(item, address))) {
          return bad();
        }
        out->insert(out->end(), address, address + (v4 ? 4 : 16));
      }
      return Ok();
    }
    case kEch:
      // An empty ECHConfigList is meaningless; BIND refuses it too.
      if (value.empty() || !codec::ParseBase64(value, out)) return bad();
      return Ok();
    default:  // dohpath and unknown keys: opaque bytes
      out->insert(out->end(), value.begin(), value.end());
      return Ok();
  }
}

struct Param {
  uint16_t key;
  std::span<const uint8_t> value;
};

// REQUIRES: ValidSvcParams(params).
std::vector<Param> SplitParams(std::span<const uint8_t> params) {
  std::vector<Param> out;
  Reader reader(params);
  while (!reader.empty() && reader.ok()) {
    uint16_t key = reader.U16();
    uint16_t length = reader.U16();
    auto value = reader.Bytes(length);
    if (!reader.ok()) break;
    out.push_back({key, value});
  }
  return out;
}

bool ValidValue(uint16_t key, std::span<const uint8_t> value) {
  switch (key) {
    case kMandatory: {
      if (value.empty() || value.size() % 2 != 0) return false;
      int last = -1;
      for (size_t i = 0; i < value.size(); i += 2) {
        int listed = value[i] << 8 | value[i + 1];
        if (listed == kMandatory || listed <= last) return false;
        last = listed;
      }
      return true;
    }
    case kAlpn: {
      Reader reader(value);
      if (reader.empty()) return false;
      while (!reader.empty()) {
        if (reader.Bytes(reader.U8()).empty()) return false;
      }
      return reader.ok();
    }
    case kNoDefaultAlpn:
    case kOhttp:
      return value.empty();
    case kPort:
      return value.size() == 2;
    case kIpv4Hint:
      return !value.empty() && value.size() % 4 == 0;
    case kIpv6Hint:
      return !value.empty() && value.size() % 16 == 0;
    default:
      return true;
  }
}

}  // namespace

bool ValidSvcParams(std::span<const uint8_t> params) {
  Reader reader(params);
  int last = -1;
  while (!reader.empty()) {
    uint16_t key = reader.U16();
    uint16_t length = reader.U16();
    auto value = reader.Bytes(length);
    if (!reader.ok() || key <= last || key == kInvalidKey || !ValidValue(key, value)) {
      return false;
    }
    last = key;
  }
  return true;
}

bool SvcParamsSelfConsistent(std::span<const uint8_t> params) {
  auto list = SplitParams(params);
  auto has = [&](uint16_t key) {
    return std::any_of(list.begin(), list.end(), [&](const Param& p) { return p.key == key; });
  };
  if (has(kNoDefaultAlpn) && !has(kAlpn)) return false;
  for (const auto& param : list) {
    if (param.key != kMandatory) continue;
    for (size_t i = 0; i + 1 < param.value.size(); i += 2) {
      if (!has(static_cast<uint16_t>(param.value[i] << 8 | param.value[i + 1]))) return false;
    }
  }
  return true;
}

Status ParseSvcParams(std::span<const TextToken> tokens, const char* type_name,
                      std::vector<uint8_t>* out) {
  std::vector<std::pair<uint16_t, std::vector<uint8_t>>> params;
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string_view token = tokens[i].text;
    size_t eq = token.find('=');
    std::string_view key_text = token.substr(0, eq);
    std::string_view raw;
    bool has_value = eq != std::string_view::npos;
    if (has_value) {
      raw = token.substr(eq + 1);
      // key="value" arrives as "key=" and a quoted token, or (from a tokenizer that keeps
      // quotes inside a token) as one token with the quotes still in it.
      if (raw.empty() && i + 1 < tokens.size() && tokens[i + 1].quoted) {
        raw = tokens[++i].text;
      } else if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
        raw = raw.substr(1, raw.size() - 2);
      }
    }
    auto key = KeyFromName(key_text);
    if (!key) return InvalidArgument("unknown SvcParam key '{}' in {} record", key_text, type_name);
    std::string value;
    if (!codec::Unescape(raw, &value)) {
      return InvalidArgument("bad escape in SvcParam '{}' in {} record", token, type_name);
    }
    std::vector<uint8_t> wire;
    RETURN_IF_ERROR(ParseValue(*key, has_value, value, type_name, &wire));
    if (wire.size() > 65535) return InvalidArgument("SvcParam too long in {} record", type_name);
    params.emplace_back(*key, std::move(wire));
  }
  std::sort(params.begin(), params.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  size_t start = out->size();
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0 && params[i].first == params[i - 1].first) {
      std::string name;
      AppendKeyName(params[i].first, &name);
      return InvalidArgument("duplicate SvcParam key '{}' in {} record", name, type_name);
    }
    PutU16(params[i].first, out);
    PutU16(static_cast<uint16_t>(params[i].second.size()), out);
    out->insert(out->end(), params[i].second.begin(), params[i].second.end());
  }
  std::span<const uint8_t> wire(out->data() + start, out->size() - start);
  if (!ValidSvcParams(wire)) return InvalidArgument("bad SvcParams in {} record", type_name);
  if (!SvcParamsSelfConsistent(wire)) {
    return InvalidArgument(
        "SvcParams of {} record not self-consistent (a mandatory key is missing, or "
        "no-default-alpn without alpn; RFC 9460 8)",
        type_name);
  }
  return Ok();
}

bool AppendSvcParams(std::span<const uint8_t> params, std::string* out) {
  if (!SvcParamsSelfConsistent(params)) return false;
  for (const auto& [key, value] : SplitParams(params)) {
    out->push_back(' ');
    AppendKeyName(key, out);
    switch (key) {
      case kMandatory:
        for (size_t i = 0; i + 1 < value.size(); i += 2) {
          out->push_back(i == 0 ? '=' : ',');
          AppendKeyName(static_cast<uint16_t>(value[i] << 8 | value[i + 1]), out);
        }
        break;
      case kAlpn: {
        // Two levels (RFC 9460 A.1): "," and "\" are escaped within the list, then the
        // whole value is escaped as a character-string.
        std::vector<uint8_t> list;
        Reader reader(value);
        while (!reader.empty() && reader.ok()) {
          if (!list.empty()) list.push_back(',');
          for (uint8_t c : reader.Bytes(reader.U8())) {
            if (c == ',' || c == '\\') list.push_back('\\');
            list.push_back(c);
          }
        }
        out->push_back('=');
        codec::AppendQuoted(list, out);
        break;
      }
      case kNoDefaultAlpn:
      case kOhttp:
        break;
      case kPort:
        out->append("=" + std::to_string(value[0] << 8 | value[1]));
        break;
      case kIpv4Hint:
      case kIpv6Hint: {
        size_t size = key == kIpv4Hint ? 4 : 16;
        for (size_t i = 0; i < value.size(); i += size) {
          out->push_back(i == 0 ? '=' : ',');
          if (size == 4) {
            codec::AppendIpv4(value.subspan(i, 4), out);
          } else {
            codec::AppendIpv6(value.subspan(i, 16), out);
          }
        }
        break;
      }
      case kEch:
        if (value.empty()) return false;
        out->push_back('=');
        codec::AppendBase64(value, out);
        break;
      default:
        if (!value.empty()) {
          out->push_back('=');
          codec::AppendQuoted(value, out);
        }
    }
  }
  return true;
}

}  // namespace tether::dns
