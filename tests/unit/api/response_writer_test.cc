// The bytes of responses: always Content-Length, never chunked, Connection as needed.
#include "api/response_writer.h"

#include <gtest/gtest.h>

namespace tether::api {
namespace {

HttpResponse Ok(std::string body) {
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

TEST(ResponseWriterTest, KeepAliveHttp11) {
  std::string out;
  EXPECT_TRUE(AppendResponse(Ok("good 192.0.2.1"), {11, false, true, 784111777}, out));
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nServer: tether\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/plain\r\nContent-Length: 14\r\n\r\ngood 192.0.2.1");
}

// RFC 9110 6.6.1: every final response has a Date, in IMF-fixdate form.
TEST(ResponseWriterTest, DateIsImfFixdate) {
  EXPECT_EQ(HttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(HttpDate(1), "Thu, 01 Jan 1970 00:00:01 GMT");
  EXPECT_EQ(HttpDate(1795000000), "Wed, 18 Nov 2026 11:06:40 GMT");
  std::string out;
  AppendResponse(Ok("ok"), {11, false, true}, out);  // the clock's
  const size_t at = out.find("\r\nDate: ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(out.find("\r\n", at + 2) - (at + 8), 29u);
  EXPECT_EQ(out.substr(out.find("\r\n", at + 2) - 4, 4), " GMT");
}

TEST(ResponseWriterTest, Http10KeepAliveIsEchoed) {
  std::string out;
  EXPECT_TRUE(AppendResponse(Ok("ok"), {10, false, true}, out));
  EXPECT_NE(out.find("\r\nConnection: keep-alive\r\n"), std::string::npos);
}

TEST(ResponseWriterTest, ClosingSaysSo) {
  std::string out;
  EXPECT_FALSE(AppendResponse(Ok("ok"), {10, false, false}, out));
  EXPECT_NE(out.find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_NE(out.find("\r\nContent-Length: 2\r\n"), std::string::npos);
}

TEST(ResponseWriterTest, HandlerMayAskToClose) {
  HttpResponse response = Ok("bye");
  response.headers = {{"Connection", "Close"}};
  std::string out;
  EXPECT_FALSE(AppendResponse(response, {11, false, true}, out));
  EXPECT_EQ(out.find("Connection: Close"), std::string::npos);
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
}

TEST(ResponseWriterTest, HeadKeepsLengthDropsBody) {
  std::string out;
  AppendResponse(Ok("12345"), {11, true, true}, out);
  EXPECT_NE(out.find("Content-Length: 5\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST(ResponseWriterTest, NoContentHasNoLengthNorBody) {
  HttpResponse response = Ok("ignored");
  response.status = 204;
  std::string out;
  AppendResponse(response, {11, false, true}, out);
  EXPECT_EQ(out.find("Content-Length"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST(ResponseWriterTest, FramingHeadersFromTheHandlerAreIgnored) {
  HttpResponse response = Ok("ok");
  response.headers = {{"Content-Length", "99"},
                      {"Transfer-Encoding", "chunked"},
                      {"Server", "x"},
                      {"Content-Type", "text/html"},
                      {"X-Ok", "1"}};
  std::string out;
  AppendResponse(response, {11, false, true, 784111777}, out);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nServer: tether\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/plain\r\nContent-Length: 2\r\nX-Ok: 1\r\n\r\nok");
}

TEST(ResponseWriterTest, HeadersThatWouldSplitTheResponseAreDropped) {
  HttpResponse response = Ok("ok");
  response.headers = {{"Location", "/a\r\nSet-Cookie: x=1"}, {"Bad Name", "v"}, {"", "v"}};
  response.content_type = "text/plain\r\nX-Evil: 1";
  std::string out;
  AppendResponse(response, {11, false, true}, out);
  EXPECT_EQ(out.find("Set-Cookie"), std::string::npos);
  EXPECT_EQ(out.find("X-Evil"), std::string::npos);
  EXPECT_EQ(out.find("Bad Name"), std::string::npos);
}

TEST(ResponseWriterTest, InvalidStatusBecomes500) {
  HttpResponse response = Ok("x");
  response.status = 101;
  std::string out;
  AppendResponse(response, {11, false, true}, out);
  EXPECT_EQ(out.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0), 0u);
}

TEST(ResponseWriterTest, EmptyContentTypeIsOmitted) {
  HttpResponse response = Ok("");
  response.content_type.clear();
  std::string out;
  AppendResponse(response, {11, false, true}, out);
  EXPECT_EQ(out.find("Content-Type"), std::string::npos);
  EXPECT_NE(out.find("Content-Length: 0\r\n"), std::string::npos);
}

}  // namespace
}  // namespace tether::api
