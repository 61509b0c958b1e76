// The bytes of an HTTP/1.1 response as the transport sends them: status line, Server,
// Content-Type, Content-Length (always, except for 204 and 304 which have no body by
// definition, RFC 9110 8.6), Connection when it differs from the version's default, the
// handler's headers, then the body (not for HEAD). Never chunked, so HTTP/1.0 clients read
// it too. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/http_message.h"

namespace tether::api {

struct ResponseContext {
  unsigned request_version = 11;  // 10 or 11
  bool head = false;              // the request was HEAD: headers only
  bool keep_alive = true;         // the transport means to keep the connection open
  int64_t now = 0;                // unix seconds for the Date header; 0: the clock's
};

// RFC 9110 5.6.7 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT" (29 characters).
std::string HttpDate(int64_t unix_seconds);

// Appends the response to `out`. Returns whether the connection stays open afterwards:
// false if `context.keep_alive` is false or the handler asked for "Connection: close".
bool AppendResponse(const HttpResponse& response, const ResponseContext& context, std::string& out);

// "OK", "Not Found", ...; "Unknown" for codes without a registered phrase.
std::string_view ReasonPhrase(unsigned status);

// The interim response to "Expect: 100-continue" (RFC 9110 10.1.1).
inline constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace tether::api
