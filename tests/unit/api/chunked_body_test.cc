// Decoding chunked request bodies (RFC 9112 7.1), whole and in pieces.
#include "api/chunked_body.h"

#include <gtest/gtest.h>

namespace tether::api {
namespace {

struct Decoded {
  ChunkedBody::State state = ChunkedBody::State::kNeedMore;
  std::string body;
  std::string rest;  // what follows the body
};

Decoded Decode(std::string_view bytes, size_t piece = 1 << 20, size_t body_limit = 100,
               size_t trailer_limit = 100) {
  ChunkedBody decoder(body_limit, trailer_limit);
  ReadBuffer buffer(8);
  Decoded result;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    std::string_view part = bytes.substr(at, piece);
    std::span<char> space = buffer.Prepare(part.size());
    std::copy(part.begin(), part.end(), space.begin());
    buffer.Commit(part.size());
    result.state = decoder.Decode(buffer, result.body);
    if (result.state != ChunkedBody::State::kNeedMore) break;
  }
  result.rest = std::string(buffer.data());
  return result;
}

TEST(ChunkedBodyTest, ChunksExtensionsAndTrailers) {
  const std::string text =
      "5\r\nhello\r\n6;name=\"quoted;value\"\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT";
  for (size_t piece : {size_t{1}, size_t{2}, size_t{5}, text.size()}) {
    Decoded decoded = Decode(text, piece);
    ASSERT_EQ(decoded.state, ChunkedBody::State::kDone) << piece;
    EXPECT_EQ(decoded.body, "hello world");
    EXPECT_EQ(std::string("NEXT").rfind(decoded.rest, 0), 0u) << decoded.rest;
  }
  EXPECT_EQ(Decode(text).rest, "NEXT");
}

TEST(ChunkedBodyTest, EmptyBodyInPieces) {
  EXPECT_EQ(Decode("0\r\n\r\n", 1).state, ChunkedBody::State::kDone);
  EXPECT_EQ(Decode("000\r\n\r\n", 1).state, ChunkedBody::State::kDone);
}

TEST(ChunkedBodyTest, BareLineFeedsAccepted) {
  Decoded decoded = Decode("3\nabc\n0\n\n");
  EXPECT_EQ(decoded.state, ChunkedBody::State::kDone);
  EXPECT_EQ(decoded.body, "abc");
}

TEST(ChunkedBodyTest, HexSizesAnyCase) {
  Decoded decoded = Decode("A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n");
  EXPECT_EQ(decoded.state, ChunkedBody::State::kDone);
  EXPECT_EQ(decoded.body.size(), 20u);
}

TEST(ChunkedBodyTest, OverTheLimitBeforeTheData) {
  EXPECT_EQ(Decode("65\r\n").state, ChunkedBody::State::kTooLarge);  // 101 > 100
  EXPECT_EQ(Decode("32\r\n" + std::string(50, 'x') + "\r\n33\r\n").state,
            ChunkedBody::State::kTooLarge);
  EXPECT_EQ(Decode("ffffffffffffffff\r\n").state, ChunkedBody::State::kTooLarge);
}

TEST(ChunkedBodyTest, Malformed) {
  for (const char* text :
       {"\r\n", "x\r\n", "3 x\r\nabc\r\n", "3\r\nabcX\r\n", "3\r\nabc\rX", "10000000000000000\r\n",
        "1;\x01\r\nx\r\n", "0\r\nno colon\r\n\r\n", "0\r\n folded: x\r\n\r\n", "0\r\n:x\r\n\r\n"}) {
    EXPECT_EQ(Decode(text).state, ChunkedBody::State::kMalformed) << text;
  }
}

TEST(ChunkedBodyTest, LongLinesAreMalformed) {
  EXPECT_EQ(Decode("1;" + std::string(2000, 'e'), 1, 100).state, ChunkedBody::State::kMalformed);
  EXPECT_EQ(Decode("0\r\nX: " + std::string(200, 'v') + "\r\n\r\n").state,
            ChunkedBody::State::kMalformed);
}

TEST(ChunkedBodyTest, IncompleteWaits) {
  EXPECT_EQ(Decode("5\r\nhel").state, ChunkedBody::State::kNeedMore);
  EXPECT_EQ(Decode("5\r\nhello\r").state, ChunkedBody::State::kNeedMore);
  EXPECT_EQ(Decode("0\r\nX: 1\r\n").state, ChunkedBody::State::kNeedMore);
}

}  // namespace
}  // namespace tether::api
