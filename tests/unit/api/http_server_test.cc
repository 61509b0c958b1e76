// The HTTP transport against the real curl: request shapes of update clients, keep-alive,
// HTTP/1.0, deferred answers, trusted proxies, IPv6.
#include "api/http_server.h"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include "http_test_util.h"

namespace tether::api {
namespace {

using namespace testing;

class HttpServerTest : public ServerFixture {};

TEST_F(HttpServerTest, GetWithQuery) {
  StartServer();
  CommandResult curl = Curl(
      "-i '" + Url(endpoint_, "/nic/update?hostname=h.example&myip=192.0.2.1,2001:db8::1") + "'");
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_NE(curl.output.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << curl.output;
  EXPECT_NE(curl.output.find("Content-Length: 3\r\n"), std::string::npos);
  EXPECT_NE(curl.output.find("Server: tether\r\n"), std::string::npos);
  EXPECT_EQ(curl.output.substr(curl.output.size() - 3), "ok\n");
  auto requests = handler_.WaitFor(1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/nic/update");
  EXPECT_EQ(requests[0].query, "hostname=h.example&myip=192.0.2.1,2001:db8::1");
  EXPECT_EQ(requests[0].client_address, "127.0.0.1");
  EXPECT_FALSE(requests[0].tls);
  ASSERT_NE(requests[0].Header("user-agent"), nullptr);
  EXPECT_EQ(requests[0].Header("user-agent")->rfind("curl/", 0), 0u);
}

TEST_F(HttpServerTest, BasicAuthReachesTheHandler) {
  StartServer();
  CommandResult curl = Curl("-u 'user:pa ss' '" + Url(endpoint_, "/nic/update?hostname=h") + "'");
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  auto requests = handler_.WaitFor(1);
  ASSERT_NE(requests[0].Header("authorization"), nullptr);
  EXPECT_EQ(*requests[0].Header("authorization"), "Basic dXNlcjpwYSBzcw==");
}

TEST_F(HttpServerTest, PostFormBody) {
  StartServer();
  CommandResult curl =
      Curl("--data 'hostname=h&myip=192.0.2.7' '" + Url(endpoint_, "/nic/update") + "'");
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_EQ(curl.output, "ok\n");
  auto requests = handler_.WaitFor(1);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].body, "hostname=h&myip=192.0.2.7");
  EXPECT_EQ(*requests[0].Header("content-type"), "application/x-www-form-urlencoded");
}

TEST_F(HttpServerTest, PutAndDeleteWithJson) {
  StartServer();
  CommandResult put = Curl("-X PUT -H 'Content-Type: application/json' --data '{\"ttl\":60}' '" +
                           Url(endpoint_, "/api/v1/hosts/h") + "'");
  CommandResult del = Curl("-X DELETE '" + Url(endpoint_, "/api/v1/hosts/h") + "'");
  ASSERT_EQ(put.exit_code, 0) << put.output;
  ASSERT_EQ(del.exit_code, 0) << del.output;
  auto requests = handler_.WaitFor(2);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].body, "{\"ttl\":60}");
  EXPECT_EQ(requests[1].method, "DELETE");
}

TEST_F(HttpServerTest, ChunkedUploadFromCurl) {
  StartServer();
  CommandResult curl = RunCommand(
      "printf 'name=h&ttl=60' | curl -q -s -S --noproxy '*' --max-time 20 "
      "-H 'Transfer-Encoding: chunked' --data-binary @- '" +
      Url(endpoint_, "/api/v1/hosts") + "' 2>&1");
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  auto requests = handler_.WaitFor(1);
  EXPECT_EQ(requests[0].body, "name=h&ttl=60");
}

TEST_F(HttpServerTest, Http10GetsContentLengthAndClose) {
  StartServer();
  CommandResult curl = Curl("-0 -i '" + Url(endpoint_, "/nic/update?hostname=h") + "'");
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_NE(curl.output.find("Content-Length: 3\r\n"), std::string::npos) << curl.output;
  EXPECT_NE(curl.output.find("Connection: close\r\n"), std::string::npos) << curl.output;
  EXPECT_EQ(curl.output.find("chunked"), std::string::npos);
  EXPECT_EQ(handler_.WaitFor(1)[0].version, 10u);
}

TEST_F(HttpServerTest, KeepAliveReusesTheConnection) {
  StartServer();
  CommandResult curl = Curl("'" + Url(endpoint_, "/a") + "' '" + Url(endpoint_, "/b") + "'");
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_EQ(curl.output, "ok\nok\n");
  auto requests = handler_.WaitFor(2);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].path, "/a");
  EXPECT_EQ(requests[1].path, "/b");
  auto port = [](const HttpRequest& r) {
    return reinterpret_cast<const sockaddr_in*>(&r.peer)->sin_port;
  };
  EXPECT_EQ(port(requests[0]), port(requests[1]));
}

TEST_F(HttpServerTest, HeadGetsHeadersOnly) {
  StartServer();
  CommandResult curl = Curl("-I '" + Url(endpoint_, "/metrics") + "'");
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_NE(curl.output.find("Content-Length: 3\r\n"), std::string::npos) << curl.output;
  EXPECT_EQ(curl.output.find("ok\n"), std::string::npos);
  EXPECT_EQ(handler_.WaitFor(1)[0].method, "HEAD");
}

TEST_F(HttpServerTest, HandlerStatusHeadersAndBody) {
  handler_.on_request = [](const HttpRequest&, Respond respond) {
    HttpResponse response;
    response.status = 401;
    response.content_type = "application/json";
    response.headers = {{"WWW-Authenticate", "Basic realm=\"tether\""}};
    response.body = "{\"error\":\"badauth\"}";
    respond(std::move(response));
  };
  StartServer();
  CommandResult curl = Curl("-i '" + Url(endpoint_, "/api/v1/hosts") + "'");
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_NE(curl.output.find("HTTP/1.1 401 Unauthorized\r\n"), std::string::npos) << curl.output;
  EXPECT_NE(curl.output.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(curl.output.find("WWW-Authenticate: Basic realm=\"tether\"\r\n"), std::string::npos);
  EXPECT_NE(curl.output.find("\r\n\r\n{\"error\":\"badauth\"}"), std::string::npos);
}

TEST_F(HttpServerTest, DeferredAnswerFromAnotherThread) {
  DeferredResponses deferred;
  handler_.on_request = [&](const HttpRequest&, Respond respond) {
    deferred.Add(std::move(respond));
  };
  StartServer();
  CommandResult curl;
  std::thread client([&] { curl = Curl("'" + Url(endpoint_, "/nic/update?hostname=h") + "'"); });
  std::vector<Respond> pending = deferred.Take(1);
  ASSERT_EQ(pending.size(), 1u);
  pending[0](TextResponse("good 192.0.2.1"));  // this thread is no event loop
  client.join();
  EXPECT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_EQ(curl.output, "good 192.0.2.1");
}

TEST_F(HttpServerTest, UnansweredRequestGets500) {
  handler_.on_request = [](const HttpRequest&, Respond) {};  // drops the Respond
  StartServer();
  CommandResult curl = Curl("-i '" + Url(endpoint_, "/x") + "'");
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_NE(curl.output.find("HTTP/1.1 500 "), std::string::npos) << curl.output;
}

TEST_F(HttpServerTest, SecondAnswerIsIgnored) {
  handler_.on_request = [](const HttpRequest&, Respond respond) {
    respond(TextResponse("first"));
    respond(TextResponse("second"));
  };
  StartServer();
  CommandResult curl = Curl("'" + Url(endpoint_, "/a") + "' '" + Url(endpoint_, "/b") + "'");
  EXPECT_EQ(curl.output, "firstfirst");
}

TEST_F(HttpServerTest, AnswerAfterStopIsDropped) {
  DeferredResponses deferred;
  handler_.on_request = [&](const HttpRequest&, Respond respond) {
    deferred.Add(std::move(respond));
  };
  StartServer();
  CommandResult curl;
  std::thread client([&] { curl = Curl("'" + Url(endpoint_, "/x") + "'"); });
  std::vector<Respond> pending = deferred.Take(1);
  ASSERT_EQ(pending.size(), 1u);
  server_->Stop();
  client.join();
  EXPECT_NE(curl.exit_code, 0);  // the connection closed unanswered
  pending[0](TextResponse("late"));
  server_.reset();
  pending.clear();  // the last reference to the connection goes after the server
}

TEST_F(HttpServerTest, TrustedProxyForwardsTheClientAddress) {
  HttpOptions options;
  options.trusted_proxies = {*Cidr::Parse("127.0.0.0/8"), *Cidr::Parse("10.0.0.0/8")};
  StartServer(options);
  ASSERT_EQ(
      Curl("-H 'X-Forwarded-For: 6.6.6.6, 203.0.113.7, 10.1.1.1' '" + Url(endpoint_, "/") + "'")
          .exit_code,
      0);
  ASSERT_EQ(
      Curl("-H 'Forwarded: for=\"[2001:db8::7]:4711\";proto=https' '" + Url(endpoint_, "/") + "'")
          .exit_code,
      0);
  auto requests = handler_.WaitFor(2);
  EXPECT_EQ(requests[0].client_address, "203.0.113.7");
  EXPECT_EQ(requests[1].client_address, "2001:db8::7");
}

TEST_F(HttpServerTest, UntrustedPeerCannotForgeItsAddress) {
  HttpOptions options;
  options.trusted_proxies = {*Cidr::Parse("10.0.0.0/8")};
  StartServer(options);
  ASSERT_EQ(Curl("-H 'X-Forwarded-For: 203.0.113.7' '" + Url(endpoint_, "/") + "'").exit_code, 0);
  EXPECT_EQ(handler_.WaitFor(1)[0].client_address, "127.0.0.1");
}

TEST_F(HttpServerTest, Ipv6Loopback) {
  server_ = std::make_unique<HttpServer>(HttpOptions{}, handler_);
  if (!server_->ListenHttp(EndpointOf("[::1]:0"))) GTEST_SKIP() << "no IPv6 loopback here";
  ASSERT_TRUE(server_->Start(1));
  const server::Endpoint endpoint = server_->bound().front();
  EXPECT_EQ(endpoint.ToString().rfind("[::1]:", 0), 0u);
  CommandResult curl = Curl("-g '" + Url(endpoint, "/nic/update?hostname=h") + "'");
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  auto requests = handler_.WaitFor(1);
  EXPECT_EQ(requests[0].client_address, "::1");
  EXPECT_EQ(requests[0].peer.ss_family, AF_INET6);
}

TEST_F(HttpServerTest, LogsOneListeningLinePerEndpoint) {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  server_ = std::make_unique<HttpServer>(HttpOptions{}, handler_);
  ASSERT_TRUE(server_->ListenHttp(EndpointOf("127.0.0.1:0")));
  ASSERT_TRUE(server_->ListenHttp(EndpointOf("127.0.0.1:0")));
  ASSERT_TRUE(server_->Start(1));
  spdlog::set_default_logger(previous);
  for (const server::Endpoint& endpoint : server_->bound()) {
    EXPECT_NE(log.str().find("listening http " + endpoint.ToString() + "\n"), std::string::npos)
        << log.str();
  }
}

TEST_F(HttpServerTest, PortInUseFails) {
  StartServer();
  HttpServer other(HttpOptions{}, handler_);
  Status status = other.ListenHttp(endpoint_);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find(endpoint_.ToString()), std::string::npos);
}

TEST_F(HttpServerTest, StopWithoutStartClosesTheSockets) {
  server::Endpoint endpoint;
  {
    HttpServer server(HttpOptions{}, handler_);
    ASSERT_TRUE(server.ListenHttp(EndpointOf("127.0.0.1:0")));
    endpoint = server.bound().front();
  }
  HttpServer again(HttpOptions{}, handler_);
  EXPECT_TRUE(again.ListenHttp(endpoint));
}

}  // namespace
}  // namespace tether::api
