// Parsing and validating what REST API clients send: JSON request bodies, record values in
// presentation form, and query strings. Everything here is untrusted input: each function
// accepts exactly the documented shape (src/api/openapi.json) and answers anything else
// with an ApiError — 400 when the shape is wrong (not JSON, an unknown or repeated field, a
// wrong JSON type, a missing field, an unknown query parameter), 422 when the shape is right
// but a value is not acceptable (a bad name, record data or date). Nothing here looks at the
// accounts or the zones: ownership and scope are the caller's.
//
// Pure functions; thread-safe. tests/fuzz/rest_json_fuzz.cc feeds them arbitrary bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "api/rest_error.h"
#include "dns/name.h"
#include "dns/rr_type.h"

namespace tether::api {

// Bounds on what one request may carry (the HTTP transport's body limit comes first).
constexpr size_t kMaxJsonDepth = 4;           // requests are objects of arrays of strings
constexpr size_t kMaxListItems = 100;         // values of an RRset, hosts/types/networks of a token
constexpr size_t kMaxValueLength = 4096;      // one record value or name, in characters
constexpr uint32_t kMaxTtl = 2147483647;      // RFC 2181 8

// POST /api/v1/hosts: {"name": "home.dyn.example.net"}
struct HostBody {
  dns::Name name;  // lower-case, absolute
};
ApiResult<HostBody> ParseHostBody(std::string_view body);

// PUT /api/v1/hosts/{name}/records/{type}: {"ttl": 60, "values": ["198.51.100.7"]}
struct RecordsBody {
  std::optional<uint32_t> ttl;  // absent: the operator's default
  std::vector<std::string> values;  // non-empty; presentation form, not yet parsed
};
ApiResult<RecordsBody> ParseRecordsBody(std::string_view body);

// The record types a host may hold through the REST API.
bool IsRestRecordType(dns::RrType type);
// A `{type}` path segment: a mnemonic in any case. 422 for a type outside IsRestRecordType.
ApiResult<dns::RrType> ParseRecordType(std::string_view text);

// Parses `values` of `type` in presentation form (RFC 1035 5.1) into canonical wire RDATA;
// relative names are completed with `origin` (the host), so `mail` in "10 mail" is
// mail.<host>. A CNAME takes exactly one value (RFC 2181 10.1). Errors (422) name the value.
ApiResult<std::vector<std::vector<uint8_t>>> ParseRecordValues(dns::RrType type,
                                                                const std::vector<std::string>& values,
                                                                const dns::Name& origin);

// POST /api/v1/tokens: {"hosts": [...], "types": [...], "networks": [...], "expires": "..."}.
// An absent field is nullopt (the caller inherits the creating token's scope); an empty
// list means "no restriction".
struct TokenBody {
  std::optional<std::vector<dns::Name>> hosts;      // lower-case, absolute
  std::optional<std::vector<dns::RrType>> types;    // no meta types
  std::optional<std::vector<std::string>> networks; // normalised CIDRs (base/cidr.h)
  std::optional<int64_t> expires;                   // unix seconds, after `now`
};
// `now`: unix seconds, for relative dates ("+30d") and to refuse dates in the past.
ApiResult<TokenBody> ParseTokenBody(std::string_view body, int64_t now);

// A host name as a client writes it (path segment or JSON): with or without the final dot,
// any case. Returns it lower-case and absolute. 422 if it is not a domain name.
ApiResult<dns::Name> ParseHostName(std::string_view text);

// Query strings. Parameters other than the listed ones are refused (400), as are repeats.
// GET /api/v1/hosts/{name}/history?limit=N: 1..1000, default 100.
constexpr size_t kDefaultHistoryLimit = 100;
constexpr size_t kMaxHistoryLimit = 1000;
ApiResult<size_t> ParseHistoryQuery(std::string_view query);
// .../records[/{type}]?subname=S: which name of the host — "" or "@" (the host itself),
// "*" (its wildcard child) or "_acme-challenge" (ACME DNS-01). Returns the label ("" for
// the host itself).
ApiResult<std::string> ParseRecordsQuery(std::string_view query);
// Routes without parameters: the query must be empty.
ApiResult<void> ParseEmptyQuery(std::string_view query);

// The building blocks above, for bodies and queries parsed elsewhere (rest_abuse*.cc).
// A JSON object with none but the `known` fields (400 otherwise).
ApiResult<nlohmann::json> ParseJsonObject(std::string_view body, std::initializer_list<std::string_view> known);
// A string without control characters, at most kMaxValueLength long.
ApiResult<std::string> JsonText(const nlohmann::json& value, std::string_view what);
// The query's parameters, each one of `known` and none twice.
ApiResult<std::vector<std::pair<std::string, std::string>>> ParseQueryParameters(
    std::string_view query, std::initializer_list<std::string_view> known);

}  // namespace tether::api
