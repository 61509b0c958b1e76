#include "api/chunked_body.h"

#include <algorithm>
#include <string_view>

namespace tether::api {

namespace {

// A chunk-size line with its extensions; real clients send a few bytes.
constexpr size_t kMaxSizeLine = 1024;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsControl(char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f; }

// The line at the front of `data` without its CRLF or LF, and the bytes it takes with it;
// npos when the line has not ended yet.
size_t LineEnd(std::string_view data, std::string_view* line) {
  const size_t lf = data.find('\n');
  if (lf == std::string_view::npos) return lf;
  *line = data.substr(0, lf);
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  return lf + 1;
}

}  // namespace

ChunkedBody::State ChunkedBody::DecodeSizeLine(ReadBuffer& buffer, const std::string& body) {
  std::string_view line;
  const size_t taken = LineEnd(buffer.data(), &line);
  if (taken == std::string_view::npos) {
    return buffer.size() > kMaxSizeLine ? State::kMalformed : State::kNeedMore;
  }
  if (taken > kMaxSizeLine) return State::kMalformed;
  // chunk-size = 1*HEXDIG
  uint64_t size = 0;
  size_t i = 0;
  for (; i < line.size() && HexValue(line[i]) >= 0; ++i) {
    if (size > (UINT64_MAX >> 4)) return State::kMalformed;
    size = size * 16 + static_cast<uint64_t>(HexValue(line[i]));
  }
  if (i == 0) return State::kMalformed;
  // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ): ignored.
  std::string_view rest = line.substr(i);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  if (!rest.empty() && rest.front() != ';') return State::kMalformed;
  if (std::any_of(rest.begin(), rest.end(), IsControl)) return State::kMalformed;
  buffer.Consume(taken);
  if (size == 0) {
    phase_ = Phase::kTrailer;
    return State::kNeedMore;
  }
  if (size > body_limit_ - body.size()) return State::kTooLarge;
  remaining_ = size;
  phase_ = Phase::kData;
  return State::kNeedMore;
}

ChunkedBody::State ChunkedBody::DecodeTrailerLine(ReadBuffer& buffer) {
  std::string_view line;
  const size_t taken = LineEnd(buffer.data(), &line);
  if (taken == std::string_view::npos) {
    return trailer_bytes_ + buffer.size() > trailer_limit_ ? State::kMalformed : State::kNeedMore;
  }
  trailer_bytes_ += taken;
  if (trailer_bytes_ > trailer_limit_) return State::kMalformed;
  if (line.empty()) {
    buffer.Consume(taken);
    phase_ = Phase::kDone;
    return State::kDone;
  }
  // A field: a name, a colon, a value without control characters. No line folding.
  const size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos || line.front() == ' ' ||
      line.front() == '\t') {
    return State::kMalformed;
  }
  if (std::any_of(line.begin(), line.end(), IsControl)) return State::kMalformed;
  buffer.Consume(taken);
  return State::kNeedMore;
}

ChunkedBody::State ChunkedBody::Decode(ReadBuffer& buffer, std::string& body) {
  for (;;) {
    const std::string_view data = buffer.data();
    State state = State::kNeedMore;
    switch (phase_) {
      case Phase::kSize:
        state = DecodeSizeLine(buffer, body);
        break;
      case Phase::kData: {
        if (data.empty()) return State::kNeedMore;
        const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
        body.append(data.data(), take);
        buffer.Consume(take);
        remaining_ -= take;
        if (remaining_ == 0) phase_ = Phase::kDataEnd;
        break;
      }
      case Phase::kDataEnd: {  // the CRLF (or bare LF) after a chunk's data
        if (data.empty()) return State::kNeedMore;
        const size_t crlf = data[0] == '\r' ? 2 : 1;
        if (data.size() < crlf) return State::kNeedMore;
        if (data[crlf - 1] != '\n') return State::kMalformed;
        buffer.Consume(crlf);
        phase_ = Phase::kSize;
        break;
      }
      case Phase::kTrailer:
        state = DecodeTrailerLine(buffer);
        break;
      case Phase::kDone:
        return State::kDone;
    }
    if (state != State::kNeedMore) return state;
    // No progress means the line is incomplete: wait for more.
    if (buffer.data().size() == data.size() && phase_ != Phase::kData) return State::kNeedMore;
  }
}

}  // namespace tether::api
