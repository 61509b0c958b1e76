// RequestParser: turns the bytes of one connection into HttpRequests, one after another,
// with Boost.Beast's HTTP/1.x parser underneath (kept out of this header so that only
// request_parser.cc compiles Beast). It enforces the header and body limits, decodes
// chunked bodies (api/chunked_body.h), and is lenient where deployed clients need it:
//   * bare LF line endings in the header (RFC 9112 2.2 allows accepting them; ddclient 3.9
//     and older write "\n" only) are rewritten to CRLF before Beast sees them;
//   * empty lines before a request line are skipped (RFC 9112 2.2);
//   * the absolute form of the target is accepted (api/target.h).
// Beast only ever gets complete headers (this parser finds the end itself): Beast 1.74
// applies its header limit per call, not per message, and once a header stalls it parses
// no line until the end has arrived, so a header fed in pieces would otherwise be limited
// and checked differently from one that arrives at once. Here both parse the same.
//
// Not thread-safe: one per connection. ParseHttpRequest is thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "api/http_message.h"
#include "api/read_buffer.h"
#include "base/result.h"

namespace tether::api {

enum class ParseState {
  kNeedMore,        // consumed everything useful; read more bytes
  kComplete,        // a request is ready: TakeRequest()
  kHeaderTooLarge,  // answer 431 and close
  kBodyTooLarge,    // answer 413 and close
  kMalformed,       // answer 400 and close
};

class RequestParser {
 public:
  RequestParser(size_t header_limit, size_t body_limit);
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses from the front of `buffer`, consuming what it uses; stops after one complete
  // request (the rest stays in `buffer` for the next call). May rewrite line endings in the
  // not yet parsed header bytes of `buffer`. After an error state, only a new parser helps.
  ParseState Parse(ReadBuffer& buffer);

  // Bytes of a request (even a skipped empty line) have been seen by Parse.
  bool in_request() const;
  // Valid once the header is complete (and after kComplete until TakeRequest):
  bool header_done() const;
  bool keep_alive() const;        // HTTP/1.1 without "Connection: close", or 1.0 with keep-alive
  bool expects_continue() const;  // HTTP/1.1 with "Expect: 100-continue"
  unsigned version() const;       // 10 or 11; 11 before the request line is read
  bool is_head() const;

  // REQUIRES: Parse returned kComplete. Readies the parser for the next request.
  HttpRequest TakeRequest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses one request from `bytes` with the parser and limits the server uses (bytes after
// the request are ignored). The error message starts with the status the server would
// answer: "400 ...", "413 ...", "431 ..."; an incomplete request is "400 incomplete ...".
Result<HttpRequest> ParseHttpRequest(std::string_view bytes, size_t header_limit = size_t{8} * 1024,
                                     size_t body_limit = size_t{64} * 1024);

}  // namespace tether::api
