#include "api/response_writer.h"

#include <time.h>

#include <charconv>
#include <cstdio>

namespace tether::api {

namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsNoCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != lower[i]) return false;
  }
  return true;
}

// RFC 9110 5.1: field-name = token.
bool IsToken(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// CR, LF or NUL in a value would end the header early: response splitting.
bool IsSafeValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void AppendNumber(std::string& out, size_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, end);
}

}  // namespace

std::string_view ReasonPhrase(unsigned status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

std::string HttpDate(int64_t unix_seconds) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const time_t seconds = static_cast<time_t>(unix_seconds);
  tm utc{};
  if (gmtime_r(&seconds, &utc) == nullptr || utc.tm_year + 1900 > 9999 || utc.tm_year + 1900 < 0) return "";
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

namespace {

// The Date header's value for now: formatted once a second per thread.
const std::string& DateNow() {
  struct Cache {
    int64_t second = -1;
    std::string text;
  };
  thread_local Cache cache;
  timespec now{};
  clock_gettime(CLOCK_REALTIME_COARSE, &now);
  if (now.tv_sec != cache.second) {
    cache.second = now.tv_sec;
    cache.text = HttpDate(now.tv_sec);
  }
  return cache.text;
}

}  // namespace

bool AppendResponse(const HttpResponse& response, const ResponseContext& context,
                    std::string& out) {
  unsigned status = response.status;
  // 1xx are interim responses: a handler cannot end a request with one.
  if (status < 200 || status > 599) status = 500;
  bool keep_alive = context.keep_alive;
  for (const auto& [name, value] : response.headers) {
    if (EqualsNoCase(name, "connection") && EqualsNoCase(value, "close")) keep_alive = false;
  }
  const bool no_body = status == 204 || status == 304;

  // RFC 9110 6.2: the server answers with its own version, 1.1, to 1.0 clients as well.
  out.append("HTTP/1.1 ");
  AppendNumber(out, status);
  out.push_back(' ');
  out.append(ReasonPhrase(status));
  out.append("\r\nServer: tether\r\n");
  // RFC 9110 6.6.1: an origin server with a clock sends Date in every final response.
  if (context.now != 0) {
    out.append("Date: ").append(HttpDate(context.now)).append("\r\n");
  } else if (const std::string& date = DateNow(); !date.empty()) {
    out.append("Date: ").append(date).append("\r\n");
  }
  if (!response.content_type.empty() && IsSafeValue(response.content_type)) {
    out.append("Content-Type: ").append(response.content_type).append("\r\n");
  }
  if (!no_body) {
    out.append("Content-Length: ");
    AppendNumber(out, response.body.size());
    out.append("\r\n");
  }
  if (!keep_alive) {
    out.append("Connection: close\r\n");
  } else if (context.request_version == 10) {
    out.append("Connection: keep-alive\r\n");  // HTTP/1.0 closes unless told otherwise
  }
  for (const auto& [name, value] : response.headers) {
    if (!IsToken(name) || !IsSafeValue(value)) continue;
    if (EqualsNoCase(name, "content-length") || EqualsNoCase(name, "transfer-encoding") ||
        EqualsNoCase(name, "connection") || EqualsNoCase(name, "server") ||
        EqualsNoCase(name, "content-type")) {
      continue;
    }
    out.append(name).append(": ").append(value).append("\r\n");
  }
  out.append("\r\n");
  if (!context.head && !no_body) out.append(response.body);
  return keep_alive;
}

}  // namespace tether::api
