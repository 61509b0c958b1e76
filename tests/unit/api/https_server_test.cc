// HTTPS: curl against a self-signed certificate made for the test; TLS 1.2+ only; a bad
// handshake ends only its own connection.
#include <thread>

#include "api/http_server.h"
#include "http_test_util.h"

namespace tether::api {
namespace {

using namespace testing;

class HttpsServerTest : public ServerFixture {
 protected:
  void SetUp() override {
    CommandResult made = RunCommand(
        "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost -days 1 -keyout " +
        dir_.File("key.pem") + " -out " + dir_.File("cert.pem") + " 2>&1");
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }

  void StartHttps(HttpOptions options = {}) {
    server_ = std::make_unique<HttpServer>(std::move(options), handler_);
    ASSERT_TRUE(server_->ListenHttps(EndpointOf("127.0.0.1:0"), dir_.File("cert.pem"),
                                     dir_.File("key.pem")));
    ASSERT_TRUE(server_->Start(2));
    endpoint_ = server_->bound().front();
  }

  // curl to https://localhost:PORT, trusting the test certificate.
  CommandResult CurlTls(const std::string& arguments, const std::string& path) {
    const std::string port = std::to_string(endpoint_.port());
    return Curl("--cacert " + dir_.File("cert.pem") + " --resolve localhost:" + port +
                ":127.0.0.1 " + arguments + " 'https://localhost:" + port + path + "'");
  }

  TempDir dir_;
};

TEST_F(HttpsServerTest, CurlWithTheCertificate) {
  StartHttps();
  CommandResult curl = CurlTls("-i", "/nic/update?hostname=h&myip=192.0.2.1");
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_NE(curl.output.find("Content-Length: 3\r\n"), std::string::npos) << curl.output;
  auto requests = handler_.WaitFor(1);
  EXPECT_TRUE(requests[0].tls);
  EXPECT_EQ(requests[0].query, "hostname=h&myip=192.0.2.1");
}

TEST_F(HttpsServerTest, KeepAliveAndHttp10OverTls) {
  StartHttps();
  const std::string port = std::to_string(endpoint_.port());
  CommandResult both = CurlTls("", "/a");
  ASSERT_EQ(both.exit_code, 0) << both.output;
  CommandResult two =
      Curl("--cacert " + dir_.File("cert.pem") + " --resolve localhost:" + port +
           ":127.0.0.1 https://localhost:" + port + "/b https://localhost:" + port + "/c");
  EXPECT_EQ(two.output, "ok\nok\n");
  CommandResult old = CurlTls("-0", "/d");
  EXPECT_EQ(old.output, "ok\n");
  auto requests = handler_.WaitFor(4);
  auto port_of = [](const HttpRequest& r) {
    return reinterpret_cast<const sockaddr_in*>(&r.peer)->sin_port;
  };
  EXPECT_EQ(port_of(requests[1]), port_of(requests[2]));
}

TEST_F(HttpsServerTest, Tls11IsRefused) {
  StartHttps();
  CommandResult curl = CurlTls("--tlsv1.0 --tls-max 1.1 --ciphers DEFAULT@SECLEVEL=0", "/");
  EXPECT_NE(curl.exit_code, 0) << curl.output;
  EXPECT_TRUE(handler_.requests().empty());
  EXPECT_EQ(CurlTls("--tlsv1.2 --tls-max 1.2", "/").output, "ok\n");
}

TEST_F(HttpsServerTest, BadHandshakeDoesNotDisturbOthers) {
  StartHttps();
  RawClient plaintext(endpoint_);
  ASSERT_TRUE(plaintext.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));  // HTTP to the TLS port
  RawClient silent(endpoint_);  // a handshake that never starts
  EXPECT_EQ(CurlTls("", "/").output, "ok\n");
  EXPECT_TRUE(plaintext.WaitForClose());
}

TEST_F(HttpsServerTest, SilentTlsConnectionIsClosedByTheReadTimeout) {
  HttpOptions options;
  options.read_timeout = std::chrono::milliseconds(200);
  StartHttps(options);
  RawClient silent(endpoint_);
  EXPECT_TRUE(silent.WaitForClose());
}

TEST_F(HttpsServerTest, MissingCertificateFails) {
  HttpServer server(HttpOptions{}, handler_);
  Status status =
      server.ListenHttps(EndpointOf("127.0.0.1:0"), dir_.File("none.pem"), dir_.File("key.pem"));
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("none.pem"), std::string::npos) << status.error().message;
}

TEST_F(HttpsServerTest, MismatchedKeyFails) {
  ASSERT_EQ(RunCommand("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " +
                       dir_.File("other.pem") + " 2>/dev/null")
                .exit_code,
            0);
  HttpServer server(HttpOptions{}, handler_);
  EXPECT_FALSE(
      server.ListenHttps(EndpointOf("127.0.0.1:0"), dir_.File("cert.pem"), dir_.File("other.pem")));
}

TEST_F(HttpsServerTest, HttpAndHttpsSideBySide) {
  server_ = std::make_unique<HttpServer>(HttpOptions{}, handler_);
  ASSERT_TRUE(server_->ListenHttp(EndpointOf("127.0.0.1:0")));
  ASSERT_TRUE(
      server_->ListenHttps(EndpointOf("127.0.0.1:0"), dir_.File("cert.pem"), dir_.File("key.pem")));
  ASSERT_TRUE(server_->Start(1));
  endpoint_ = server_->bound()[1];
  EXPECT_EQ(Curl("'" + Url(server_->bound()[0], "/") + "'").output, "ok\n");
  EXPECT_EQ(CurlTls("", "/").output, "ok\n");
  auto requests = handler_.WaitFor(2);
  EXPECT_FALSE(requests[0].tls);
  EXPECT_TRUE(requests[1].tls);
}

}  // namespace
}  // namespace tether::api
