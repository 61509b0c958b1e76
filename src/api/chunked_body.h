// ChunkedBody: decodes a chunked request body (RFC 9112 7.1) from the front of a
// connection's ReadBuffer, a piece at a time, into the request's body. Chunk extensions are
// checked for control characters and ignored; trailer fields are read and dropped (nothing
// after the header may change how the request is handled). Bare LF is accepted where CRLF
// is due, as in the header (RFC 9112 2.2).
//
// Ours rather than Beast 1.74's, whose chunk parser asserts on a last chunk that arrives in
// pieces, charges a chunk against the body limit again each time it re-reads a stalled
// chunk line, and reads quoted extensions past the end of the line.
//
// Not thread-safe: one per RequestParser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "api/read_buffer.h"

namespace tether::api {

class ChunkedBody {
 public:
  enum class State { kNeedMore, kDone, kTooLarge, kMalformed };

  // `body_limit`: the decoded body; `trailer_limit`: the trailer section's bytes.
  ChunkedBody(size_t body_limit, size_t trailer_limit)
      : body_limit_(body_limit), trailer_limit_(trailer_limit) {}

  void Reset() {
    phase_ = Phase::kSize;
    remaining_ = 0;
    trailer_bytes_ = 0;
  }

  // Consumes what it can from `buffer`, appending data to `body`. After kDone the buffer
  // starts with whatever follows the body (the next pipelined request).
  State Decode(ReadBuffer& buffer, std::string& body);

 private:
  enum class Phase { kSize, kData, kDataEnd, kTrailer, kDone };

  State DecodeSizeLine(ReadBuffer& buffer, const std::string& body);
  State DecodeTrailerLine(ReadBuffer& buffer);

  const size_t body_limit_;
  const size_t trailer_limit_;
  Phase phase_ = Phase::kSize;
  uint64_t remaining_ = 0;  // of the current chunk's data
  size_t trailer_bytes_ = 0;
};

}  // namespace tether::api
