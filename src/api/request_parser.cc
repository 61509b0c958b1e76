#include "api/request_parser.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include "api/chunked_body.h"
#include "api/target.h"

namespace tether::api {

namespace {

namespace http = boost::beast::http;
using boost::beast::string_view;
using boost::system::error_code;

bool EqualsNoCase(string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// Beast's parser, filling an HttpRequest directly: no beast::http::fields (which allocates
// per field) and no copy from a Beast message afterwards.
class BeastRequestParser final : public http::basic_parser<true> {
 public:
  explicit BeastRequestParser(HttpRequest* request) : request_(request) {}

  bool request_line_seen() const { return request_line_seen_; }
  bool expects_continue() const { return expects_continue_; }
  bool is_head() const { return is_head_; }

 private:
  void on_request_impl(http::verb method, string_view method_string, string_view target,
                       int version, error_code&) override {
    request_line_seen_ = true;
    is_head_ = method == http::verb::head;
    request_->method.assign(method_string.data(), method_string.size());
    request_->target.assign(target.data(), target.size());
    request_->version = version == 10 ? 10u : 11u;
    SplitTargetResult split = SplitTarget(std::string_view(target.data(), target.size()));
    request_->path = std::move(split.path);
    request_->query = std::move(split.query);
    request_->headers.reserve(8);  // one allocation for a typical client's headers
  }

  void on_response_impl(int, string_view, int, error_code&) override {}

  void on_field_impl(http::field field, string_view name, string_view value, error_code&) override {
    auto& [lower, text] = request_->headers.emplace_back();
    lower.resize(name.size());
    for (size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    text.assign(value.data(), value.size());
    if (field == http::field::expect && EqualsNoCase(value, "100-continue"))
      expects_continue_ = true;
  }

  void on_header_impl(error_code&) override {}

  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    // Beast has already refused a length above the body limit.
    if (length) request_->body.reserve(static_cast<size_t>(*length));
  }

  size_t on_body_impl(string_view body, error_code&) override {
    request_->body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

  size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    request_->body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code&) override {}

  HttpRequest* request_;
  bool request_line_seen_ = false;
  bool expects_continue_ = false;
  bool is_head_ = false;
};

// RFC 9112 6.1: the only transfer coding a request may use here is chunked, once; others
// (gzip, ...) would hand handlers bytes they cannot read.
bool OnlyChunked(const std::vector<std::pair<std::string, std::string>>& headers) {
  int codings = 0;
  for (const auto& [name, value] : headers) {
    if (name != "transfer-encoding") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      std::string_view coding = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t'))
        coding.remove_prefix(1);
      while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t'))
        coding.remove_suffix(1);
      if (coding.empty()) continue;
      if (!EqualsNoCase(string_view(coding.data(), coding.size()), "chunked")) return false;
      ++codings;
    }
  }
  return codings == 1;
}

}  // namespace

struct RequestParser::Impl {
  Impl(size_t header_limit_in, size_t body_limit_in)
      : header_limit(header_limit_in),
        body_limit(body_limit_in),
        chunked(body_limit_in, header_limit_in) {
    Reset();
  }

  void Reset() {
    request = HttpRequest();
    parser.emplace(&request);
    // Not eager: the call that parses the header returns right after it.
    parser->eager(false);
    parser->header_limit(static_cast<std::uint32_t>(std::min<size_t>(header_limit, UINT32_MAX)));
    parser->body_limit(body_limit);
    skipped = 0;
    scanned = 0;
    line_start = 0;
    header_size = 0;
    chunked.Reset();
    complete = false;
  }

  bool SkipEmptyLines(ReadBuffer& buffer);
  bool ScanHeader(ReadBuffer& buffer);
  ParseState Parse(ReadBuffer& buffer);

  const size_t header_limit;
  const size_t body_limit;
  HttpRequest request;
  std::optional<BeastRequestParser> parser;  // re-made per request: Beast parsers are one-shot
  size_t skipped = 0;                        // empty lines skipped before this request's line
  // The header scan: [0, scanned) of the buffer is scanned (and rewritten); the line being
  // scanned starts at line_start. Once the end is found, header_size is the header's length.
  size_t scanned = 0;
  size_t line_start = 0;
  size_t header_size = 0;
  ChunkedBody chunked;
  bool complete = false;
};

// RFC 9112 2.2: ignore at least one empty line before the request line (old clients send a
// CRLF after a POST body). They count towards the header limit. Returns false while a lone
// CR at the end may still become one.
bool RequestParser::Impl::SkipEmptyLines(ReadBuffer& buffer) {
  const std::string_view data = buffer.data();
  size_t skip = 0;
  while (skip < data.size()) {
    if (data[skip] == '\n') {
      ++skip;
    } else if (data[skip] == '\r' && skip + 1 < data.size() && data[skip + 1] == '\n') {
      skip += 2;
    } else {
      break;
    }
  }
  buffer.Consume(skip);
  skipped += skip;
  return !(buffer.size() == 1 && buffer.data()[0] == '\r');
}

// Looks for the end of the header (an empty line) at the front of `buffer`, rewriting bare
// LF line endings to CRLF on the way, and resuming where the last call stopped (a header
// trickled byte by byte costs linear time). Beast is only given complete headers: it then
// parses them in one call, checks its limit once, and never sees a bare LF. Returns whether
// the end was found; header_size is then the header's length.
bool RequestParser::Impl::ScanHeader(ReadBuffer& buffer) {
  if (header_size > 0) return true;
  const std::string_view data = buffer.data();
  std::string fixed;  // data[0, copied) with bare LFs rewritten, once one is found
  size_t copied = 0;
  size_t inserted = 0;
  size_t start = line_start;
  size_t inserted_before_start = 0;
  size_t i = scanned;
  while (i < data.size()) {
    const void* found = std::memchr(data.data() + i, '\n', data.size() - i);
    if (found == nullptr) {
      i = data.size();
      break;
    }
    i = static_cast<size_t>(static_cast<const char*>(found) - data.data());
    const bool bare = i == 0 || data[i - 1] != '\r';
    if (bare) {
      fixed.append(data.substr(copied, i - copied)).append("\r\n");
      copied = i + 1;
      ++inserted;
    }
    const bool empty_line = (bare ? i : i - 1) == start;
    ++i;
    start = i;
    inserted_before_start = inserted;
    if (empty_line) {
      header_size = i + inserted;
      break;
    }
  }
  scanned = i + inserted;
  line_start = start + inserted_before_start;
  if (inserted > 0) {
    fixed.append(data.substr(copied, i - copied));
    buffer.ReplacePrefix(i, fixed);  // the body after the header is never touched
  }
  return header_size > 0;
}

ParseState RequestParser::Impl::Parse(ReadBuffer& buffer) {
  BeastRequestParser& beast = *parser;
  if (complete) return ParseState::kComplete;
  if (!beast.is_header_done()) {
    if (scanned == 0 && !SkipEmptyLines(buffer)) return ParseState::kNeedMore;
    if (skipped >= header_limit) return ParseState::kHeaderTooLarge;
    if (!ScanHeader(buffer)) {
      // What is buffered is all header so far: it will not end within the limit.
      if (skipped + buffer.size() >= header_limit) return ParseState::kHeaderTooLarge;
      return ParseState::kNeedMore;
    }
    if (skipped + header_size > header_limit) return ParseState::kHeaderTooLarge;
    error_code error;
    const size_t used =
        beast.put(boost::asio::const_buffer(buffer.data().data(), header_size), error);
    buffer.Consume(used);
    if (error == http::error::body_limit) return ParseState::kBodyTooLarge;  // Content-Length
    // A complete header parses whole, or it is malformed.
    if (error || !beast.is_header_done()) return ParseState::kMalformed;
    if (beast.chunked() && !OnlyChunked(request.headers)) return ParseState::kMalformed;
  }
  if (beast.chunked()) {
    switch (chunked.Decode(buffer, request.body)) {
      case ChunkedBody::State::kDone:
        complete = true;
        return ParseState::kComplete;
      case ChunkedBody::State::kNeedMore:
        return ParseState::kNeedMore;
      case ChunkedBody::State::kTooLarge:
        return ParseState::kBodyTooLarge;
      case ChunkedBody::State::kMalformed:
        return ParseState::kMalformed;
    }
  }
  // Content-Length bodies (or none): Beast's parser counts them down.
  while (!beast.is_done()) {
    if (buffer.empty()) return ParseState::kNeedMore;
    error_code error;
    const std::string_view data = buffer.data();
    const size_t used = beast.put(boost::asio::const_buffer(data.data(), data.size()), error);
    buffer.Consume(used);
    if (error && error != http::error::need_more) return ParseState::kMalformed;
    if (used == 0) return ParseState::kNeedMore;
  }
  complete = true;
  return ParseState::kComplete;
}

RequestParser::RequestParser(size_t header_limit, size_t body_limit)
    : impl_(std::make_unique<Impl>(header_limit, body_limit)) {}

RequestParser::~RequestParser() = default;

ParseState RequestParser::Parse(ReadBuffer& buffer) { return impl_->Parse(buffer); }

bool RequestParser::in_request() const {
  return impl_->skipped > 0 || impl_->scanned > 0 || impl_->parser->got_some();
}
bool RequestParser::header_done() const { return impl_->parser->is_header_done(); }
bool RequestParser::keep_alive() const { return impl_->parser->keep_alive(); }
bool RequestParser::expects_continue() const {
  // RFC 9110 10.1.1: a server must ignore 100-continue in an HTTP/1.0 request.
  return impl_->parser->expects_continue() && impl_->request.version == 11;
}
unsigned RequestParser::version() const { return impl_->request.version; }
bool RequestParser::is_head() const { return impl_->parser->is_head(); }

HttpRequest RequestParser::TakeRequest() {
  HttpRequest request = std::move(impl_->request);
  impl_->Reset();
  return request;
}

Result<HttpRequest> ParseHttpRequest(std::string_view bytes, size_t header_limit,
                                     size_t body_limit) {
  ReadBuffer buffer(bytes.size() + 1);
  std::span<char> space = buffer.Prepare(bytes.size() + 1);
  if (!bytes.empty()) std::memcpy(space.data(), bytes.data(), bytes.size());
  buffer.Commit(bytes.size());
  RequestParser parser(header_limit, body_limit);
  switch (parser.Parse(buffer)) {
    case ParseState::kComplete:
      return parser.TakeRequest();
    case ParseState::kNeedMore:
      return InvalidArgument("400 incomplete request");
    case ParseState::kHeaderTooLarge:
      return InvalidArgument("431 request header larger than {} bytes", header_limit);
    case ParseState::kBodyTooLarge:
      return InvalidArgument("413 request body larger than {} bytes", body_limit);
    case ParseState::kMalformed:
      break;
  }
  return InvalidArgument("400 malformed request");
}

}  // namespace tether::api
