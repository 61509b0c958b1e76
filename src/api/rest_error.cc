#include "api/rest_error.h"

#include <nlohmann/json.hpp>

namespace tether::api {

const char* ApiErrorCode(unsigned status) {
  switch (status) {
    case 400:
    case 422:
      return "invalid";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 409:
      return "conflict";
    case 413:
      return "too_large";
    case 415:
      return "unsupported_media_type";
    case 429:
      return "rate_limited";
    case 503:
      return "unavailable";
    default:
      return "internal";
  }
}

HttpResponse JsonResponse(unsigned status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
}

HttpResponse ErrorResponse(const ApiError& error) {
  nlohmann::json body = {{"error", {{"code", ApiErrorCode(error.status)}, {"message", error.message}}}};
  // Messages may quote client input that is not UTF-8 (a name from the path): replace
  // rather than throw.
  HttpResponse response =
      JsonResponse(error.status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (error.status == 401) {
    // RFC 6750 3; Basic works as well (the token as the password).
    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"tether\"");
  }
  if ((error.status == 429 || error.status == 503) && error.retry_after > 0) {
    response.headers.emplace_back("Retry-After", std::to_string(error.retry_after));
  }
  return response;
}

}  // namespace tether::api
