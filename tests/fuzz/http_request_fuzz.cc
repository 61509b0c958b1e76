// Fuzzes the HTTP request parser (api/request_parser.h) that reads every byte a client
// sends to the update API. Nothing may crash or read out of bounds; and the bytes must
// parse to the same sequence of pipelined requests whether they arrive at once or in small
// pieces (the server sees both), or the fuzzer aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "api/request_parser.h"

namespace {

using namespace tether::api;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "http request parser: %s\n", what);
    std::abort();
  }
}

// Small limits, so that fuzzed inputs reach the limit paths too.
constexpr size_t kHeaderLimit = 700;
constexpr size_t kBodyLimit = 300;

struct Outcome {
  std::vector<HttpRequest> requests;
  ParseState last = ParseState::kNeedMore;
};

// Feeds `input` in pieces of `piece` bytes, parsing as the server does: after each read,
// every complete request in the buffer.
Outcome Drive(std::string_view input, size_t piece) {
  RequestParser parser(kHeaderLimit, kBodyLimit);
  ReadBuffer buffer(64);
  Outcome outcome;
  for (size_t at = 0; at < input.size(); at += piece) {
    std::string_view part = input.substr(at, piece);
    std::span<char> space = buffer.Prepare(part.size());
    std::copy(part.begin(), part.end(), space.begin());
    buffer.Commit(part.size());
    for (;;) {
      outcome.last = parser.Parse(buffer);
      if (outcome.last != ParseState::kComplete) break;
      outcome.requests.push_back(parser.TakeRequest());
    }
    if (outcome.last != ParseState::kNeedMore) break;
  }
  return outcome;
}

bool Same(const HttpRequest& a, const HttpRequest& b) {
  return a.method == b.method && a.target == b.target && a.path == b.path && a.query == b.query &&
         a.headers == b.headers && a.body == b.body && a.version == b.version;
}

void CheckRequest(const HttpRequest& request) {
  Check(request.version == 10 || request.version == 11, "version");
  Check(request.body.size() <= kBodyLimit, "body over the limit");
  for (const auto& [name, value] : request.headers) {
    for (char c : name) Check(!(c >= 'A' && c <= 'Z'), "upper-case header name");
    Check(value.find_first_of("\r\n") == std::string::npos, "line break in a header value");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // The entry point with the server's default limits.
  if (auto request = ParseHttpRequest(input)) {
    Check(request->version == 10 || request->version == 11, "version (defaults)");
  }

  const Outcome whole = Drive(input, input.size() + 1);
  for (const HttpRequest& request : whole.requests) CheckRequest(request);
  const size_t piece = 1 + size % 13;
  const Outcome pieces = Drive(input, piece);
  Check(pieces.requests.size() == whole.requests.size(), "request count differs by piece size");
  for (size_t i = 0; i < whole.requests.size(); ++i) {
    Check(Same(pieces.requests[i], whole.requests[i]), "request differs by piece size");
  }
  Check(pieces.last == whole.last, "final state differs by piece size");
  return 0;
}
