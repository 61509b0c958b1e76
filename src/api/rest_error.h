// Errors of the REST API (/api/v1/): an HTTP status and a message, answered as
// `{"error": {"code": "not_found", "message": "..."}}`. The code is a fixed function of the
// status, so clients can switch on either; the codes are part of the API contract and are
// listed in the OpenAPI document (src/api/openapi.json).
//
// ApiResult<T> is Result<T> (base/result.h) with an error that already knows its HTTP
// status: the REST code decides 400 versus 422 versus 409 where it knows why, instead of
// mapping ErrorCode values after the fact.
//
// Values; thread-safe.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

#include "api/http_message.h"

namespace tether::api {

struct ApiError {
  // 400 or 422 invalid, 401 unauthorized, 403 forbidden, 404 not_found,
  // 405 method_not_allowed, 409 conflict, 413 too_large, 415 unsupported_media_type,
  // 429 rate_limited, 500 internal, 503 unavailable.
  unsigned status = 500;
  std::string message;
  // With 429 and 503: seconds for Retry-After (0: none).
  long retry_after = 0;
};

template <class T>
using ApiResult = tl::expected<T, ApiError>;

inline tl::unexpected<ApiError> ApiFail(unsigned status, std::string message) {
  return tl::unexpected<ApiError>(ApiError{status, std::move(message), 0});
}

// The stable code of a status: "invalid" for 400 and 422, "not_found" for 404, ...;
// "internal" for any status not listed above.
const char* ApiErrorCode(unsigned status);

// The JSON response for `error`. 401 carries `WWW-Authenticate: Bearer realm="tether"`;
// 429 and 503 carry Retry-After when the error has one.
HttpResponse ErrorResponse(const ApiError& error);

// A JSON response with `body` (already serialized JSON) and `status`.
HttpResponse JsonResponse(unsigned status, std::string body);

}  // namespace tether::api
