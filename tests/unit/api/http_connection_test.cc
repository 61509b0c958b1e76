// Connection behaviour over raw sockets, for what curl does not send: pipelining, limits,
// malformed input, the connection cap, timeouts, 100-continue, bare-LF clients.
#include <atomic>
#include <chrono>
#include <thread>

#include "api/http_server.h"
#include "http_test_util.h"

namespace tether::api {
namespace {

using namespace testing;

class HttpConnectionTest : public ServerFixture {
 protected:
  // Starts the server with a handler that holds every request's Respond in `deferred`
  // (counting the requests in `handled`, if given).
  void StartDeferring(DeferredResponses& deferred, std::atomic<int>* handled = nullptr) {
    handler_.on_request = [&deferred, handled](const HttpRequest&, Respond respond) {
      if (handled != nullptr) ++*handled;
      deferred.Add(std::move(respond));
    };
    StartServer();
  }
  // The next responses on `client` have these bodies, in this order.
  static void ExpectBodies(RawClient& client, std::initializer_list<const char*> bodies) {
    for (const char* body : bodies) {
      auto response = client.ReadResponse();
      ASSERT_TRUE(response);
      EXPECT_EQ(response->body, body);
    }
  }
};

TEST_F(HttpConnectionTest, PipelinedRequestsAreAnsweredInOrder) {
  handler_.on_request = [](const HttpRequest& request, Respond respond) {
    respond(TextResponse("path " + request.path));
  };
  StartServer();
  RawClient client(endpoint_);
  ASSERT_TRUE(
      client.Send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
                  "POST /3 HTTP/1.1\r\nContent-Length: 1\r\n\r\nx"));
  ExpectBodies(client, {"path /1", "path /2", "path /3"});
}

TEST_F(HttpConnectionTest, DeferredPipelinedAnswersKeepRequestOrder) {
  DeferredResponses deferred;
  StartDeferring(deferred);
  RawClient client(endpoint_);
  ASSERT_TRUE(client.Send("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"));
  std::vector<Respond> pending = deferred.Take(3);
  ASSERT_EQ(pending.size(), 3u);
  pending[2](TextResponse("third"));
  pending[0](TextResponse("first"));
  pending[1](TextResponse("second"));
  ExpectBodies(client, {"first", "second", "third"});
}

// While every request read from a connection awaits its answer (an update on its way
// through the update path) nothing more is read from it: a request sent meanwhile waits in
// the socket, and is read, handled and answered, in order, once the first answer is out.
TEST_F(HttpConnectionTest, ARequestSentWhileTheFirstAwaitsItsAnswerIsServedAfterIt) {
  DeferredResponses deferred;
  std::atomic<int> handled{0};
  StartDeferring(deferred, &handled);
  RawClient client(endpoint_);
  ASSERT_TRUE(client.Send("GET /1 HTTP/1.1\r\n\r\n"));
  std::vector<Respond> first = deferred.Take(1);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(client.Send("GET /2 HTTP/1.1\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(handled.load(), 1);  // not read yet
  first[0](TextResponse("first"));
  std::vector<Respond> second = deferred.Take(1);
  ASSERT_EQ(second.size(), 1u);
  second[0](TextResponse("second"));
  ExpectBodies(client, {"first", "second"});
  EXPECT_EQ(handled.load(), 2);
}

TEST_F(HttpConnectionTest, HeadThenGetOnOneConnection) {
  StartServer();
  RawClient client(endpoint_);
  ASSERT_TRUE(client.Send("HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n"));
  auto head = client.ReadResponse(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->Header("content-length"), "3");
  auto get = client.ReadResponse();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200u);
  EXPECT_EQ(get->body, "ok\n");
}

TEST_F(HttpConnectionTest, Http10ClosesAfterTheResponse) {
  StartServer();
  RawClient client(endpoint_);
  ASSERT_TRUE(client.Send("GET /nic/update?hostname=h HTTP/1.0\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("content-length"), "3");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpConnectionTest, Http10KeepAliveIsEchoedAndKept) {
  StartServer();
  RawClient client(endpoint_);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->Header("connection"), "keep-alive");
  }
  EXPECT_EQ(handler_.WaitFor(2).size(), 2u);
}

TEST_F(HttpConnectionTest, ConnectionCloseIsHonoured) {
  StartServer();
  RawClient client(endpoint_);
  ASSERT_TRUE(
      client.Send("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_TRUE(client.unread().empty());
  EXPECT_EQ(handler_.requests().size(), 1u);
}

TEST_F(HttpConnectionTest, OldDdclientWithBareLineFeeds) {
  StartServer();
  RawClient client(endpoint_);
  ASSERT_TRUE(
      client.Send("GET /nic/update?system=dyndns&hostname=h&myip=192.0.2.1 HTTP/1.0\n"
                  "Host: members.example.net\nAuthorization: Basic dTpw\n"
                  "User-Agent: ddclient/3.9.1\nConnection: close\n\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200u);
  auto requests = handler_.WaitFor(1);
  EXPECT_EQ(*requests[0].Header("authorization"), "Basic dTpw");
}

TEST_F(HttpConnectionTest, ChunkedRequestBody) {
  StartServer();
  RawClient client(endpoint_);
  ASSERT_TRUE(
      client.Send("POST /api/v1/hosts HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "4\r\nname\r\n"));
  ASSERT_TRUE(client.Send("3\r\n=h1\r\n0\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(handler_.WaitFor(1)[0].body, "name=h1");
}

TEST_F(HttpConnectionTest, ExpectContinueGets100BeforeTheBody) {
  StartServer();
  RawClient client(endpoint_);
  ASSERT_TRUE(client.Send("PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100u);
  ASSERT_TRUE(client.Send("hello"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(handler_.WaitFor(1)[0].body, "hello");
}

TEST_F(HttpConnectionTest, ExpectContinueWithTooLargeBodyGets413) {
  StartServer();
  RawClient client(endpoint_);
  ASSERT_TRUE(
      client.Send("PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413u);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpConnectionTest, HeaderTooLargeIs431ThenClose) {
  StartServer();
  RawClient client(endpoint_);
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nCookie: " + std::string(9000, 'c') + "\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431u);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(HttpConnectionTest, BodyTooLargeIs413) {
  StartServer();
  TempDir dir;
  ASSERT_EQ(RunCommand("head -c 70000 /dev/zero > " + dir.File("big")).exit_code, 0);
  // With Content-Length the body is refused from the header; chunked, once it passes 64 KiB.
  for (const std::string& options :
       {std::string("--data-binary @"), std::string("-H 'Transfer-Encoding: chunked' -T ")}) {
    CommandResult curl =
        Curl("-i " + options + dir.File("big") + " '" + Url(endpoint_, "/api/v1/x") + "'");
    EXPECT_NE(curl.output.find("HTTP/1.1 413 "), std::string::npos)
        << options << curl.output.substr(0, 300);
  }
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(HttpConnectionTest, MalformedRequestIs400ThenClose) {
  StartServer();
  RawClient client(endpoint_);
  ASSERT_TRUE(client.Send("HELLO THERE\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400u);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpConnectionTest, ErrorComesAfterEarlierAnswers) {
  DeferredResponses deferred;
  StartDeferring(deferred);
  RawClient client(endpoint_);
  ASSERT_TRUE(client.Send("GET /1 HTTP/1.1\r\n\r\nBROKEN\r\n\r\n"));
  std::vector<Respond> pending = deferred.Take(1);
  ASSERT_EQ(pending.size(), 1u);
  pending[0](TextResponse("first"));
  auto first = client.ReadResponse();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "first");
  auto error = client.ReadResponse();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->status, 400u);
}

TEST_F(HttpConnectionTest, MaxRequestsPerConnection) {
  HttpOptions options;
  options.max_requests_per_connection = 2;
  StartServer(options);
  RawClient client(endpoint_);
  ASSERT_TRUE(client.Send("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"));
  auto first = client.ReadResponse();
  auto second = client.ReadResponse();
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(first->Header("connection"));
  EXPECT_EQ(second->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(handler_.requests().size(), 2u);
}

TEST_F(HttpConnectionTest, ConnectionsOverTheCapAreClosed) {
  HttpOptions options;
  options.max_connections = 2;
  StartServer(options);
  RawClient first(endpoint_);
  RawClient second(endpoint_);
  for (RawClient* client : {&first, &second}) {  // both are being served
    ASSERT_TRUE(client->Send("GET / HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(client->ReadResponse());
  }
  RawClient third(endpoint_);
  ASSERT_TRUE(third.connected());  // the kernel completes the handshake
  third.Send("GET / HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(third.WaitForClose());
  EXPECT_TRUE(third.unread().empty());
  // A slot frees when a connection ends; the count drops once the server noticed.
  first.ShutdownWrite();
  EXPECT_TRUE(first.WaitForClose());
  bool served = false;
  for (int attempt = 0; attempt < 200 && !served; ++attempt) {
    RawClient next(endpoint_);
    next.Send("GET / HTTP/1.1\r\n\r\n");
    served = next.ReadResponse().has_value();
  }
  EXPECT_TRUE(served);
}

TEST_F(HttpConnectionTest, IdleKeepAliveConnectionIsClosed) {
  HttpOptions options;
  options.idle_timeout = std::chrono::milliseconds(100);
  StartServer(options);
  RawClient client(endpoint_);
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(client.ReadResponse());
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpConnectionTest, SlowRequestIsClosedByTheReadTimeout) {
  HttpOptions options;
  options.read_timeout = std::chrono::milliseconds(200);
  StartServer(options);
  RawClient client(endpoint_);
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: slow"));  // and never the rest
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(HttpConnectionTest, SilentConnectionIsClosedByTheReadTimeout) {
  HttpOptions options;
  options.read_timeout = std::chrono::milliseconds(200);
  StartServer(options);
  RawClient client(endpoint_);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpConnectionTest, HalfClosedClientStillGetsItsAnswer) {
  DeferredResponses deferred;
  StartDeferring(deferred);
  RawClient client(endpoint_);
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\n\r\n"));
  client.ShutdownWrite();
  std::vector<Respond> pending = deferred.Take(1);
  ASSERT_EQ(pending.size(), 1u);
  pending[0](TextResponse("late"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "late");
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(HttpConnectionTest, ManyConnectionsOverSeveralLoops) {
  StartServer({}, 3);
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 30; ++i) clients.push_back(std::make_unique<RawClient>(endpoint_));
  for (auto& client : clients) ASSERT_TRUE(client->Send("GET / HTTP/1.1\r\n\r\n"));
  for (auto& client : clients) {
    auto response = client->ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "ok\n");
  }
}

}  // namespace
}  // namespace tether::api
