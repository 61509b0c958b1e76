// Parsing requests as deployed update clients send them, and the limits.
#include "api/request_parser.h"

#include <gtest/gtest.h>

namespace tether::api {
namespace {

// Feeds `bytes` in pieces of `piece` bytes, as a slow client would send them.
struct FedResult {
  ParseState state = ParseState::kNeedMore;
  HttpRequest request;
};
FedResult FeedInPieces(std::string_view bytes, size_t piece, size_t header_limit = 8192,
                       size_t body_limit = 65536) {
  RequestParser parser(header_limit, body_limit);
  ReadBuffer buffer(16);
  FedResult result;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    std::string_view part = bytes.substr(at, piece);
    std::span<char> space = buffer.Prepare(part.size());
    std::copy(part.begin(), part.end(), space.begin());
    buffer.Commit(part.size());
    result.state = parser.Parse(buffer);
    if (result.state != ParseState::kNeedMore) break;
  }
  if (result.state == ParseState::kComplete) result.request = parser.TakeRequest();
  return result;
}

TEST(RequestParserTest, Dyndns2GetWithBasicAuth) {
  auto request = ParseHttpRequest(
      "GET /nic/update?hostname=home.dyn.example.net&myip=192.0.2.1 HTTP/1.1\r\n"
      "Host: members.example.net\r\nAuthorization: Basic dXNlcjpwYXNz\r\n"
      "User-Agent: inadyn/2.9.1\r\n\r\n");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->method, "GET");
  EXPECT_EQ(request->path, "/nic/update");
  EXPECT_EQ(request->query, "hostname=home.dyn.example.net&myip=192.0.2.1");
  EXPECT_EQ(request->version, 11u);
  ASSERT_NE(request->Header("authorization"), nullptr);
  EXPECT_EQ(*request->Header("authorization"), "Basic dXNlcjpwYXNz");
  EXPECT_EQ(*request->Header("user-agent"), "inadyn/2.9.1");
  EXPECT_EQ(request->Header("Host"), nullptr);  // names are looked up lower-case
}

TEST(RequestParserTest, HeaderNamesAreLowerCasedValuesKept) {
  auto request = ParseHttpRequest("GET / HTTP/1.1\r\nX-Token:  AbC \r\n\r\n");
  ASSERT_TRUE(request);
  ASSERT_EQ(request->headers.size(), 1u);
  EXPECT_EQ(request->headers[0].first, "x-token");
  EXPECT_EQ(request->headers[0].second, "AbC");
}

TEST(RequestParserTest, BareLineFeedsAsOldDdclientSends) {
  // ddclient 3.9: "\n" line endings, HTTP/1.0, the absolute form through a proxy.
  auto request = ParseHttpRequest(
      "GET http://members.example.net/nic/update?system=dyndns&hostname=h HTTP/1.0\n"
      "Host: members.example.net\nAuthorization: Basic dTpw\n"
      "User-Agent: ddclient/3.9.1\nConnection: close\n\n");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->path, "/nic/update");
  EXPECT_EQ(request->query, "system=dyndns&hostname=h");
  EXPECT_EQ(request->version, 10u);
  EXPECT_EQ(*request->Header("user-agent"), "ddclient/3.9.1");
}

TEST(RequestParserTest, BareLineFeedsDoNotTouchTheBody) {
  auto request = ParseHttpRequest("POST /x HTTP/1.1\nContent-Length: 4\n\na\nb\n");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->body, "a\nb\n");
}

TEST(RequestParserTest, BareLineFeedsTrickledByteByByte) {
  const std::string text = "GET /update?domains=x&token=t HTTP/1.1\nHost: h\nA: b\r\n\n";
  FedResult fed = FeedInPieces(text, 1);
  ASSERT_EQ(fed.state, ParseState::kComplete);
  EXPECT_EQ(fed.request.query, "domains=x&token=t");
  EXPECT_EQ(*fed.request.Header("a"), "b");
}

TEST(RequestParserTest, LoneCarriageReturnIsMalformed) {
  auto request = ParseHttpRequest("GET / HTTP/1.1\r\nHost: a\rB: c\r\n\r\n");
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().message.substr(0, 3), "400");
}

// Found by fuzzing: Beast consumes the CR of "\r<not LF>" when it fails on it; rewriting
// the LF after it must not turn the rest into an accepted header end.
TEST(RequestParserTest, CarriageReturnWithoutLineFeedEndingTheHeaderIsMalformed) {
  auto request = ParseHttpRequest("POST / HTTP/1.1\r\nHost: h\r\n\r\x08\nbody\r\n\r\n");
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().message, "400 malformed request");
}

// Found by fuzzing: once Beast stalls on an incomplete header it only looks for "\r\n\r\n"
// past where it stopped; a bare-LF header end rewritten before that point was never seen.
TEST(RequestParserTest, BareLineFeedHeaderEndInPieces) {
  const std::string text =
      "GET /nic/update?username=u&password=p%40ss&hostname=h&myip=192.0.2.1 HTTP/1.1\r\n"
      "Host: members.example.net\r\nAccept: */*\r\n\n";
  for (size_t piece = 1; piece <= 16; ++piece) {
    EXPECT_EQ(FeedInPieces(text, piece).state, ParseState::kComplete) << piece;
  }
}

TEST(RequestParserTest, EmptyLinesBeforeTheRequestAreSkipped) {
  auto request = ParseHttpRequest("\r\n\nGET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->path, "/");
}

TEST(RequestParserTest, FormBody) {
  auto request = ParseHttpRequest(
      "POST /api/v1/hosts HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 13\r\n\r\nname=h&ttl=60");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->body, "name=h&ttl=60");
}

TEST(RequestParserTest, ChunkedBodyIsDecodedAndTrailersDropped) {
  auto request = ParseHttpRequest(
      "POST /api/v1/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->body, "hello world");
  EXPECT_EQ(request->Header("x-forwarded-for"), nullptr);
}

// Found by fuzzing: Beast 1.74 asserted (aborting builds without NDEBUG) when an empty
// chunked body arrived as "0\r\n" and then one byte at a time.
TEST(RequestParserTest, EmptyChunkedBodyTrickled) {
  const std::string text = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
  FedResult fed = FeedInPieces(text, 1);
  ASSERT_EQ(fed.state, ParseState::kComplete);
  EXPECT_EQ(fed.request.body, "");
}

TEST(RequestParserTest, OnlyChunkedTransferCodingIsAccepted) {
  auto gzip =
      ParseHttpRequest("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
  ASSERT_FALSE(gzip);
  EXPECT_EQ(gzip.error().message.substr(0, 3), "400");
  auto twice = ParseHttpRequest(
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
      "chunked\r\n\r\n0\r\n\r\n");
  EXPECT_FALSE(twice);
  EXPECT_TRUE(ParseHttpRequest("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n"));
}

TEST(RequestParserTest, Http10WithoutHost) {
  auto request = ParseHttpRequest("GET /nic/update?hostname=h HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->version, 10u);
}

TEST(RequestParserTest, HeaderOverTheLimitIs431) {
  auto request = ParseHttpRequest("GET / HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n");
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().message.substr(0, 3), "431");
}

TEST(RequestParserTest, HeaderLimitHoldsWhenTrickled) {
  // Beast 1.74 checks its limit per call: many small fields, each in its own call, once
  // got through. 400 fields of 30 bytes are 12 KB.
  std::string text = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 400; ++i) text += "X-Field-" + std::to_string(1000 + i) + ": value-value\r\n";
  text += "\r\n";
  EXPECT_EQ(FeedInPieces(text, 30).state, ParseState::kHeaderTooLarge);
  EXPECT_EQ(FeedInPieces(text, 1).state, ParseState::kHeaderTooLarge);
  EXPECT_EQ(FeedInPieces(text, text.size()).state, ParseState::kHeaderTooLarge);
}

TEST(RequestParserTest, HeaderJustUnderTheLimitPasses) {
  std::string text = "GET / HTTP/1.1\r\nX: ";
  text += std::string(200 - text.size() - 4, 'a') + "\r\n\r\n";
  ASSERT_EQ(text.size(), 200u);
  EXPECT_TRUE(ParseHttpRequest(text, 200));
  EXPECT_EQ(FeedInPieces(text, 1, 200).state, ParseState::kComplete);
  EXPECT_FALSE(ParseHttpRequest(text, 199));
  EXPECT_EQ(FeedInPieces(text, 1, 199).state, ParseState::kHeaderTooLarge);
}

TEST(RequestParserTest, DeclaredBodyOverTheLimitIs413) {
  auto request = ParseHttpRequest("POST / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n");
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().message.substr(0, 3), "413");
}

TEST(RequestParserTest, ChunkedBodyOverTheLimitIs413) {
  std::string text = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) text += "8000\r\n" + std::string(0x8000, 'x') + "\r\n";
  text += "0\r\n\r\n";
  auto request = ParseHttpRequest(text);
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().message.substr(0, 3), "413");
}

TEST(RequestParserTest, MalformedRequestsAre400) {
  for (const char* text :
       {"GARBAGE\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "GET / HTTP/1.1\r\nNo colon\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET /a b HTTP/1.1\r\n\r\n"}) {
    auto request = ParseHttpRequest(text);
    ASSERT_FALSE(request) << text;
    EXPECT_EQ(request.error().message.substr(0, 3), "400") << text;
  }
}

TEST(RequestParserTest, IncompleteRequestIsAnError) {
  auto request = ParseHttpRequest("GET / HTTP/1.1\r\nHost: x\r\n");
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().message, "400 incomplete request");
}

TEST(RequestParserTest, PipelinedRequestsComeOneAtATime) {
  RequestParser parser(8192, 65536);
  ReadBuffer buffer;
  const std::string text =
      "GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"
      "HEAD /c HTTP/1.1\r\nExpect: 100-continue\r\n\r\n";
  std::span<char> space = buffer.Prepare(text.size());
  std::copy(text.begin(), text.end(), space.begin());
  buffer.Commit(text.size());
  ASSERT_EQ(parser.Parse(buffer), ParseState::kComplete);
  EXPECT_EQ(parser.TakeRequest().path, "/a");
  ASSERT_EQ(parser.Parse(buffer), ParseState::kComplete);
  EXPECT_EQ(parser.TakeRequest().body, "hi");
  ASSERT_EQ(parser.Parse(buffer), ParseState::kComplete);
  EXPECT_TRUE(parser.is_head());
  EXPECT_TRUE(parser.keep_alive());
  EXPECT_EQ(parser.TakeRequest().path, "/c");
  EXPECT_EQ(parser.Parse(buffer), ParseState::kNeedMore);
  EXPECT_FALSE(parser.in_request());
}

TEST(RequestParserTest, ExpectContinueIsSeenAfterTheHeader) {
  RequestParser parser(8192, 65536);
  ReadBuffer buffer;
  const std::string text = "PUT /x HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n";
  std::span<char> space = buffer.Prepare(text.size());
  std::copy(text.begin(), text.end(), space.begin());
  buffer.Commit(text.size());
  EXPECT_EQ(parser.Parse(buffer), ParseState::kNeedMore);
  EXPECT_TRUE(parser.header_done());
  EXPECT_TRUE(parser.expects_continue());
  EXPECT_TRUE(parser.in_request());
}

TEST(RequestParserTest, Http10IgnoresExpectAndClosesByDefault) {
  RequestParser parser(8192, 65536);
  ReadBuffer buffer;
  const std::string text = "POST /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
  std::span<char> space = buffer.Prepare(text.size());
  std::copy(text.begin(), text.end(), space.begin());
  buffer.Commit(text.size());
  EXPECT_EQ(parser.Parse(buffer), ParseState::kNeedMore);
  EXPECT_FALSE(parser.expects_continue());
  EXPECT_FALSE(parser.keep_alive());
}

TEST(RequestParserTest, SameResultWhateverThePieces) {
  const std::string text =
      "POST http://h/nic/update?hostname=a HTTP/1.1\nHost: h\r\nFolded: a\r\n b\r\n"
      "Transfer-Encoding: chunked\n\n3\r\nabc\r\n0\r\n\r\n";
  FedResult whole = FeedInPieces(text, text.size());
  ASSERT_EQ(whole.state, ParseState::kComplete);
  for (size_t piece : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{16}}) {
    FedResult fed = FeedInPieces(text, piece);
    ASSERT_EQ(fed.state, ParseState::kComplete) << piece;
    EXPECT_EQ(fed.request.headers, whole.request.headers) << piece;
    EXPECT_EQ(fed.request.body, "abc");
  }
}

}  // namespace
}  // namespace tether::api
