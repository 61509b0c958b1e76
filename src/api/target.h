// The request-target of an HTTP request split into its path and query (RFC 9112 3.2).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tether::api {

struct SplitTargetResult {
  std::string path;   // percent-decoded
  std::string query;  // raw, without the '?'
};

// Accepts the origin form ("/nic/update?hostname=h"), the absolute form that clients
// configured with a proxy send ("http://members.example.net/nic/update?hostname=h"; the
// scheme and authority are dropped), the asterisk form ("*") and the authority form of
// CONNECT ("host:443", returned as the path). A fragment ("#...") is dropped.
SplitTargetResult SplitTarget(std::string_view target);

// Decodes %XX escapes; a '%' not followed by two hex digits stays as it is. '+' is not a
// space in a path (only in form-encoded queries, which handlers decode themselves).
std::string PercentDecode(std::string_view text);

}  // namespace tether::api
