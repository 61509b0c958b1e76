// The JSON forms of the REST API's resources (accounts, hosts, RRsets, tokens, history
// entries), exactly as src/api/openapi.json describes them. Names are printed lower-case
// and absolute (with the final dot), times as "2027-01-31T12:00:00Z" or null.
//
// Internal to the rest_*.cc files: it names nlohmann::json through json_fwd.hpp only, so
// including it costs little; only the .cc files pull in the full library.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "dns/name.h"
#include "store/accounts.h"
#include "zone/rrset.h"

namespace tether::api {

// One RRset of a host: at the host itself (subname ""), its wildcard child ("*") or its
// ACME challenge name ("_acme-challenge").
struct HostRrset {
  dns::Name owner;
  std::string subname;
  zone::Rrset rrset;
};

nlohmann::json RrsetJson(const HostRrset& rrset);
nlohmann::json HostJson(const store::HostInfo& host);
// With `state` the token's state at `now`: "active", "expired" or "revoked".
nlohmann::json TokenJson(const store::TokenInfo& token, int64_t now);
nlohmann::json HistoryJson(const store::HistoryEntry& entry);
// "2027-01-31T12:00:00Z", or null for 0.
nlohmann::json TimeJson(int64_t unix_seconds);

// Serialises `value` for a response body. Strings that came from outside (a user agent in
// the history) need not be UTF-8: invalid bytes are replaced, never thrown on.
std::string DumpJson(const nlohmann::json& value);

// "A 198.51.100.7, AAAA 2001:db8::7": an RRset list for the history.
std::string DescribeRrsets(const std::vector<zone::Rrset>& rrsets);

}  // namespace tether::api
