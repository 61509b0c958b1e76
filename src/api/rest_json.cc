#include "api/rest_json.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/cidr.h"
#include "base/time_text.h"
#include "ddns/dyndns2.h"
#include "dns/rdata.h"

namespace tether::api {

namespace {

using Json = nlohmann::json;

// Nesting depth of the brackets outside strings. Checked before parsing so that no input
// can make the parser build (and later free) a deep tree: requests are two levels deep.
bool DepthWithin(std::string_view body, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

// The body as a JSON object. RFC 8259 4 leaves repeated names undefined and parsers
// disagree on which one wins, so a repeated name is refused rather than guessed at.
ApiResult<Json> ParseObject(std::string_view body) {
  if (body.empty()) return ApiFail(400, "the request needs a JSON body");
  if (!DepthWithin(body, kMaxJsonDepth)) return ApiFail(400, "the JSON body is nested too deeply");
  bool repeated = false;
  std::vector<std::set<std::string>> open_objects;
  auto callback = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case Json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case Json::parse_event_t::key:
        if (!open_objects.empty() && parsed.is_string() &&
            !open_objects.back().insert(parsed.get_ref<const std::string&>()).second) {
          repeated = true;
        }
        break;
      default:
        break;
    }
    return true;
  };
  Json json = Json::parse(body.begin(), body.end(), callback, /*allow_exceptions=*/false);
  if (json.is_discarded()) return ApiFail(400, "the body is not valid JSON (RFC 8259, UTF-8)");
  if (repeated) return ApiFail(400, "a field appears twice in the JSON body");
  if (!json.is_object()) return ApiFail(400, "the body must be a JSON object");
  return json;
}

ApiResult<void> OnlyFields(const Json& object, std::initializer_list<std::string_view> known) {
  for (const auto& item : object.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
      return ApiFail(400, fmt::format("unknown field '{}'", item.key().substr(0, 64)));
    }
  }
  return {};
}

// Text a client gave for a name, a value or a date. Control characters are refused: the
// presentation form has escapes for any byte a record needs (\DDD), and a raw one in a
// value is far more likely an injection attempt than data.
ApiResult<std::string> Text(const Json& value, std::string_view what) {
  if (!value.is_string()) return ApiFail(400, fmt::format("{} must be a string", what));
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() > kMaxValueLength) {
    return ApiFail(422, fmt::format("{} is longer than {} characters", what, kMaxValueLength));
  }
  if (std::any_of(text.begin(), text.end(), [](char c) {
        auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
      })) {
    return ApiFail(422, fmt::format("{} contains a control character", what));
  }
  return text;
}

ApiResult<std::vector<std::string>> TextList(const Json& value, std::string_view what) {
  if (!value.is_array()) return ApiFail(400, fmt::format("{} must be an array of strings", what));
  if (value.size() > kMaxListItems) {
    return ApiFail(422, fmt::format("{} has more than {} items", what, kMaxListItems));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < value.size(); ++i) {
    auto text = Text(value[i], fmt::format("{}[{}]", what, i));
    if (!text) return tl::unexpected(text.error());
    out.push_back(std::move(*text));
  }
  return out;
}

ApiResult<std::vector<std::pair<std::string, std::string>>> QueryParameters(
    std::string_view query, std::initializer_list<std::string_view> known) {
  std::vector<std::pair<std::string, std::string>> parameters = ddns::ParseForm(query);
  std::set<std::string> seen;
  for (const auto& [name, value] : parameters) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return ApiFail(400, fmt::format("unknown query parameter '{}'", name.substr(0, 64)));
    }
    if (!seen.insert(name).second) return ApiFail(400, fmt::format("query parameter '{}' given twice", name));
  }
  return parameters;
}

}  // namespace

ApiResult<dns::Name> ParseHostName(std::string_view text) {
  if (text.empty()) return ApiFail(422, "empty host name");
  if (text.size() > kMaxValueLength) return ApiFail(422, "host name too long");
  // Relative to the root: "home.dyn.example.net" and "home.dyn.example.net." are the same.
  auto name = dns::Name::FromText(text);
  if (!name) return ApiFail(422, fmt::format("bad host name: {}", name.error().message));
  if (name->IsRoot()) return ApiFail(422, "the root is not a host name");
  return name->Lowercased();
}

ApiResult<HostBody> ParseHostBody(std::string_view body) {
  auto json = ParseObject(body);
  if (!json) return tl::unexpected(json.error());
  if (auto known = OnlyFields(*json, {"name"}); !known) return tl::unexpected(known.error());
  auto field = json->find("name");
  if (field == json->end()) return ApiFail(400, "missing field 'name'");
  auto text = Text(*field, "name");
  if (!text) return tl::unexpected(text.error());
  auto name = ParseHostName(*text);
  if (!name) return tl::unexpected(name.error());
  return HostBody{std::move(*name)};
}

ApiResult<RecordsBody> ParseRecordsBody(std::string_view body) {
  auto json = ParseObject(body);
  if (!json) return tl::unexpected(json.error());
  if (auto known = OnlyFields(*json, {"ttl", "values"}); !known) return tl::unexpected(known.error());
  RecordsBody out;
  if (auto ttl = json->find("ttl"); ttl != json->end()) {
    // Unsigned and signed integers only: 60.0 or "60" is a client bug worth hearing about.
    if (ttl->is_number_unsigned()) {
      uint64_t value = ttl->get<uint64_t>();
      if (value > kMaxTtl) return ApiFail(422, fmt::format("ttl must be at most {} (RFC 2181 8)", kMaxTtl));
      out.ttl = static_cast<uint32_t>(value);
    } else if (ttl->is_number_integer()) {
      return ApiFail(422, "ttl must not be negative");
    } else {
      return ApiFail(400, "ttl must be an integer");
    }
  }
  auto values = json->find("values");
  if (values == json->end()) return ApiFail(400, "missing field 'values'");
  auto list = TextList(*values, "values");
  if (!list) return tl::unexpected(list.error());
  if (list->empty()) return ApiFail(422, "values must not be empty (DELETE removes an RRset)");
  out.values = std::move(*list);
  return out;
}

bool IsRestRecordType(dns::RrType type) {
  switch (type) {
    case dns::RrType::kA:
    case dns::RrType::kAaaa:
    case dns::RrType::kTxt:
    case dns::RrType::kMx:
    case dns::RrType::kCname:
    case dns::RrType::kSrv:
    case dns::RrType::kCaa:
      return true;
    default:
      return false;
  }
}

ApiResult<dns::RrType> ParseRecordType(std::string_view text) {
  auto type = text.size() <= 16 ? dns::RrTypeFromString(text) : std::nullopt;
  if (!type || !IsRestRecordType(*type)) {
    return ApiFail(422, fmt::format("record type '{}' is not one of A, AAAA, TXT, MX, CNAME, SRV, CAA",
                                    text.substr(0, 16)));
  }
  return *type;
}

ApiResult<std::vector<std::vector<uint8_t>>> ParseRecordValues(dns::RrType type,
                                                                const std::vector<std::string>& values,
                                                                const dns::Name& origin) {
  if (values.empty()) return ApiFail(422, "values must not be empty");
  if (values.size() > kMaxListItems) return ApiFail(422, fmt::format("more than {} values", kMaxListItems));
  // RFC 2181 10.1: a name has at most one CNAME.
  if (type == dns::RrType::kCname && values.size() != 1) return ApiFail(422, "a CNAME takes exactly one value");
  std::vector<std::vector<uint8_t>> out;
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string& value = values[i];
    if (value.empty() || value.size() > kMaxValueLength ||
        std::any_of(value.begin(), value.end(), [](char c) {
          auto byte = static_cast<unsigned char>(c);
          return byte < 0x20 || byte == 0x7f;
        })) {
      return ApiFail(422, fmt::format("values[{}] is empty, too long or has a control character", i));
    }
    auto rdata = dns::RdataFromString(type, value, origin);
    if (!rdata) {
      return ApiFail(422, fmt::format("values[{}] is not {} data: {}", i, dns::RrTypeToString(type),
                                      rdata.error().message));
    }
    out.push_back(std::move(*rdata));
  }
  return out;
}

ApiResult<TokenBody> ParseTokenBody(std::string_view body, int64_t now) {
  auto json = ParseObject(body);
  if (!json) return tl::unexpected(json.error());
  if (auto known = OnlyFields(*json, {"hosts", "types", "networks", "expires"}); !known) {
    return tl::unexpected(known.error());
  }
  TokenBody out;
  if (auto field = json->find("hosts"); field != json->end()) {
    auto list = TextList(*field, "hosts");
    if (!list) return tl::unexpected(list.error());
    out.hosts.emplace();
    for (const auto& text : *list) {
      auto name = ParseHostName(text);
      if (!name) return tl::unexpected(name.error());
      out.hosts->push_back(std::move(*name));
    }
  }
  if (auto field = json->find("types"); field != json->end()) {
    auto list = TextList(*field, "types");
    if (!list) return tl::unexpected(list.error());
    out.types.emplace();
    for (const auto& text : *list) {
      auto type = text.size() <= 16 ? dns::RrTypeFromString(text) : std::nullopt;
      if (!type || dns::IsMetaType(*type)) {
        return ApiFail(422, fmt::format("unknown record type '{}'", text.substr(0, 16)));
      }
      out.types->push_back(*type);
    }
  }
  if (auto field = json->find("networks"); field != json->end()) {
    auto list = TextList(*field, "networks");
    if (!list) return tl::unexpected(list.error());
    out.networks.emplace();
    for (const auto& text : *list) {
      auto cidr = Cidr::Parse(text);
      if (!cidr) return ApiFail(422, fmt::format("bad network '{}': {}", text.substr(0, 64), cidr.error().message));
      out.networks->push_back(cidr->ToString());
    }
  }
  if (auto field = json->find("expires"); field != json->end()) {
    if (field->is_null()) {
      out.expires = 0;  // never
    } else {
      auto text = Text(*field, "expires");
      if (!text) return tl::unexpected(text.error());
      auto expires = ParseTimeText(*text, now);
      if (!expires) return ApiFail(422, expires.error().message);
      if (*expires <= now) return ApiFail(422, "expires is in the past");
      out.expires = *expires;
    }
  }
  return out;
}

ApiResult<size_t> ParseHistoryQuery(std::string_view query) {
  auto parameters = QueryParameters(query, {"limit"});
  if (!parameters) return tl::unexpected(parameters.error());
  size_t limit = kDefaultHistoryLimit;
  for (const auto& [name, value] : *parameters) {
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), limit);
    if (error != std::errc() || end != value.data() + value.size() || limit < 1 || limit > kMaxHistoryLimit) {
      return ApiFail(400, fmt::format("limit must be an integer from 1 to {}", kMaxHistoryLimit));
    }
  }
  return limit;
}

ApiResult<std::string> ParseRecordsQuery(std::string_view query) {
  auto parameters = QueryParameters(query, {"subname"});
  if (!parameters) return tl::unexpected(parameters.error());
  std::string subname;
  for (const auto& [name, value] : *parameters) {
    std::string lower = value;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "@" || lower.empty()) {
      subname.clear();
    } else if (lower == "*" || lower == "_acme-challenge") {
      subname = lower;
    } else {
      return ApiFail(422, "subname must be '@', '*' or '_acme-challenge'");
    }
  }
  return subname;
}

ApiResult<void> ParseEmptyQuery(std::string_view query) {
  auto parameters = QueryParameters(query, {});
  if (!parameters) return tl::unexpected(parameters.error());
  return {};
}

ApiResult<Json> ParseJsonObject(std::string_view body, std::initializer_list<std::string_view> known) {
  auto json = ParseObject(body);
  if (!json) return tl::unexpected(json.error());
  if (auto only = OnlyFields(*json, known); !only) return tl::unexpected(only.error());
  return json;
}

ApiResult<std::string> JsonText(const Json& value, std::string_view what) { return Text(value, what); }

ApiResult<std::vector<std::pair<std::string, std::string>>> ParseQueryParameters(
    std::string_view query, std::initializer_list<std::string_view> known) {
  return QueryParameters(query, known);
}

}  // namespace tether::api
