// RestApi intake: routing, authentication by API token, limits, the error format and the
// account resource.
#include "api/rest_api.h"

#include <gtest/gtest.h>

#include "api/rest_openapi.h"
#include "rest_test_util.h"

namespace tether::api::testing {
namespace {

using RestApiTest = RestFixture;

std::string Base64(const std::string& text) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < text.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<uint8_t>(text[i])} << 16) | (uint32_t{static_cast<uint8_t>(text[i + 1])} << 8) |
                 static_cast<uint8_t>(text[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 63];
  }
  if (i + 1 == text.size()) {
    uint32_t n = uint32_t{static_cast<uint8_t>(text[i])} << 16;
    out += std::string{kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63]} + "==";
  } else if (i + 2 == text.size()) {
    uint32_t n = (uint32_t{static_cast<uint8_t>(text[i])} << 16) | (uint32_t{static_cast<uint8_t>(text[i + 1])} << 8);
    out += std::string{kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63]} + "=";
  }
  return out;
}

HttpRequest WithAuthorization(HttpRequest request, const std::string& value) {
  std::erase_if(request.headers, [](const auto& header) { return header.first == "authorization"; });
  request.headers.emplace_back("authorization", value);
  return request;
}

TEST_F(RestApiTest, AccountShowsTheTokensAccount) {
  MakeHost("home.dyn.example.", alice_);
  Reply reply = Call("GET", "/api/v1/account");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_EQ(reply.json["name"], "alice");
  EXPECT_EQ(reply.json["role"], "user");
  EXPECT_EQ(reply.json["host_limit"], 3);  // the policy's default
  EXPECT_EQ(reply.json["hosts"], 1);
  EXPECT_EQ(reply.json["created"], "2027-01-14T08:00:00Z");
  EXPECT_EQ(reply.json["token"]["state"], "active");
  EXPECT_FALSE(reply.json["token"].contains("token"));
  EXPECT_EQ(reply.body.find("digest"), std::string::npos);
}

TEST_F(RestApiTest, TokenSchemesBearerTokenAndBasicAllWork) {
  EXPECT_EQ(Send(WithAuthorization(Request("GET", "/api/v1/account"), "Bearer " + token_)).status, 200u);
  EXPECT_EQ(Send(WithAuthorization(Request("GET", "/api/v1/account"), "bearer " + token_)).status, 200u);
  EXPECT_EQ(Send(WithAuthorization(Request("GET", "/api/v1/account"), "Token " + token_)).status, 200u);
  EXPECT_EQ(Send(WithAuthorization(Request("GET", "/api/v1/account"), "Basic " + Base64("anyone:" + token_))).status,
            200u);
  EXPECT_EQ(Send(WithAuthorization(Request("GET", "/api/v1/account"), "Basic " + Base64(":" + token_))).status,
            200u);
}

TEST_F(RestApiTest, MissingTokenIs401WithChallenge) {
  Reply reply = Call("GET", "/api/v1/account", "", std::string());
  EXPECT_EQ(reply.status, 401u);
  EXPECT_EQ(reply.ErrorCode(), "unauthorized");
  ASSERT_NE(reply.Header("WWW-Authenticate"), nullptr);
  EXPECT_EQ(*reply.Header("WWW-Authenticate"), "Bearer realm=\"tether\"");
  EXPECT_EQ(reply.content_type, "application/json");
}

TEST_F(RestApiTest, UnknownTokenIs401) {
  EXPECT_EQ(Call("GET", "/api/v1/account", "", std::string("not-a-token")).status, 401u);
  EXPECT_EQ(Send(WithAuthorization(Request("GET", "/api/v1/account"), "Digest " + token_)).status, 401u);
}

TEST_F(RestApiTest, TokenInTheUrlIsNotAccepted) {
  HttpRequest request = Request("GET", "/api/v1/account?token=" + token_, "", std::string());
  EXPECT_EQ(Send(request).status, 401u);
  request = Request("GET", "/api/v1/account", "", std::string());
  request.target = "http://alice:" + token_ + "@example/api/v1/account";
  EXPECT_EQ(Send(request).status, 401u);
}

TEST_F(RestApiTest, AccountPasswordIsNotAToken) {
  auto hash = accounts::HashPassword("correct horse battery");
  ASSERT_TRUE(hash);
  auto user = directory_.UserById(alice_);
  user->password_hash = *hash;
  directory_.PutUser(*user);
  Reply reply = Send(WithAuthorization(Request("GET", "/api/v1/account"), "Basic " + Base64("alice:correct horse battery")));
  EXPECT_EQ(reply.status, 401u);
}

TEST_F(RestApiTest, HostCredentialIsNotAToken) {
  store::HostInfo host = MakeHost("home.dyn.example.", alice_);
  store::HostCredentialInfo credential{0, host.id, "h-1234", accounts::SecretDigest("pw-of-host"), kNow};
  auto created = accounts_.CreateHostCredential(credential);
  directory_.PutHostCredential(*created);
  Reply reply = Send(WithAuthorization(Request("GET", "/api/v1/account"), "Basic " + Base64("h-1234:pw-of-host")));
  EXPECT_EQ(reply.status, 401u);
}

TEST_F(RestApiTest, RevokedAndExpiredTokensAre401) {
  int64_t id = 0;
  std::string revoked = MakeToken(alice_, {}, {}, {}, 0, &id);
  ASSERT_TRUE(accounts_.RevokeToken(id));
  auto info = directory_.TokenByDigest(accounts::SecretDigest(revoked));
  info->revoked = true;
  directory_.PutToken(*info);
  EXPECT_EQ(Call("GET", "/api/v1/account", "", revoked).status, 401u);
  // The authenticator checks expiry against the real clock: a date long past.
  std::string expired = MakeToken(alice_, {}, {}, {}, 1000000000);
  EXPECT_EQ(Call("GET", "/api/v1/account", "", expired).status, 401u);
}

TEST_F(RestApiTest, TokenNetworksAreEnforced) {
  std::string token = MakeToken(alice_, {}, {}, {"198.51.100.0/24"});
  EXPECT_EQ(Call("GET", "/api/v1/account", "", token).status, 401u);  // from 192.0.2.10
  HttpRequest request = Request("GET", "/api/v1/account", "", token);
  request.client_address = "198.51.100.77";
  EXPECT_EQ(Send(request).status, 200u);
}

TEST_F(RestApiTest, UnknownPathIs404Json) {
  for (const char* path : {"/api/v1/", "/api/v1/nothing", "/api/v1/hosts/", "/api/v1/hosts/a/b/c/d/e", "/api/v2/hosts"}) {
    Reply reply = Call("GET", path);
    EXPECT_EQ(reply.status, 404u) << path;
    EXPECT_EQ(reply.ErrorCode(), "not_found") << path;
    EXPECT_EQ(reply.content_type, "application/json");
  }
}

TEST_F(RestApiTest, WrongMethodIs405WithAllow) {
  Reply reply = Call("PATCH", "/api/v1/hosts/home.dyn.example.");
  EXPECT_EQ(reply.status, 405u);
  EXPECT_EQ(reply.ErrorCode(), "method_not_allowed");
  ASSERT_NE(reply.Header("Allow"), nullptr);
  EXPECT_EQ(*reply.Header("Allow"), "GET, DELETE");
  EXPECT_EQ(*Call("DELETE", "/api/v1/hosts").Header("Allow"), "GET, POST");
}

TEST_F(RestApiTest, OpenApiDocumentIsPublic) {
  Reply reply = Call("GET", "/api/v1/openapi.json", "", std::string());
  ASSERT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_EQ(reply.body, OpenApiDocument());
  EXPECT_TRUE(reply.json.is_object());
}

TEST_F(RestApiTest, LargeBodyIs413) {
  std::string body = "{\"values\": [\"" + std::string(RestOptions{}.max_body, 'a') + "\"]}";
  Reply reply = Call("PUT", "/api/v1/hosts/home.dyn.example./records/TXT", body);
  EXPECT_EQ(reply.status, 413u);
  EXPECT_EQ(reply.ErrorCode(), "too_large");
}

TEST_F(RestApiTest, BodyMustBeDeclaredJson) {
  MakeHost("home.dyn.example.", alice_);
  HttpRequest request = Request("PUT", "/api/v1/hosts/home.dyn.example./records/A", R"({"values": ["192.0.2.1"]})");
  std::erase_if(request.headers, [](const auto& header) { return header.first == "content-type"; });
  request.headers.emplace_back("content-type", "text/plain");
  Reply reply = Send(request);
  EXPECT_EQ(reply.status, 415u);
  EXPECT_EQ(reply.ErrorCode(), "unsupported_media_type");
  std::erase_if(request.headers, [](const auto& header) { return header.first == "content-type"; });
  EXPECT_EQ(Send(request).status, 415u);
  request.headers.emplace_back("content-type", "Application/JSON; charset=utf-8");
  EXPECT_EQ(Send(request).status, 200u);
}

TEST_F(RestApiTest, RequestsPerTokenAreLimited) {
  RestOptions options;
  options.requests_per_minute = 3;
  MakeApi(options);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Call("GET", "/api/v1/account").status, 200u);
  Reply reply = Call("GET", "/api/v1/account");
  EXPECT_EQ(reply.status, 429u);
  EXPECT_EQ(reply.ErrorCode(), "rate_limited");
  ASSERT_NE(reply.Header("Retry-After"), nullptr);
  EXPECT_GE(std::stoi(*reply.Header("Retry-After")), 1);
  // Another token has its own budget.
  EXPECT_EQ(Call("GET", "/api/v1/account", "", MakeToken(alice_)).status, 200u);
}

TEST_F(RestApiTest, ChangesPerAccountAreLimitedAcrossTokens) {
  RestOptions options;
  options.changes_per_minute = 2;
  MakeApi(options);
  MakeHost("home.dyn.example.", alice_);
  const std::string body = R"({"values": ["192.0.2.1"]})";
  EXPECT_EQ(Call("PUT", "/api/v1/hosts/home.dyn.example./records/A", body).status, 200u);
  EXPECT_EQ(Call("PUT", "/api/v1/hosts/home.dyn.example./records/A", body, MakeToken(alice_)).status, 200u);
  EXPECT_EQ(Call("PUT", "/api/v1/hosts/home.dyn.example./records/A", body, MakeToken(alice_)).status, 429u);
  EXPECT_EQ(Call("GET", "/api/v1/hosts").status, 200u);  // reads are not changes
  EXPECT_EQ(Call("GET", "/api/v1/account", "", MakeToken(bob_)).status, 200u);
}

TEST_F(RestApiTest, FailedAuthenticationsPerAddressAreLimited) {
  RestOptions options;
  options.failures_per_minute = 2;
  MakeApi(options);
  EXPECT_EQ(Call("GET", "/api/v1/account", "", std::string("guess-1")).status, 401u);
  EXPECT_EQ(Call("GET", "/api/v1/account", "", std::string("guess-2")).status, 401u);
  // Over the limit even a valid token from that address waits.
  EXPECT_EQ(Call("GET", "/api/v1/account").status, 429u);
  HttpRequest other = Request("GET", "/api/v1/account");
  other.client_address = "192.0.2.11";
  EXPECT_EQ(Send(other).status, 200u);
}

TEST_F(RestApiTest, UnknownQueryParameterIs400) {
  Reply reply = Call("GET", "/api/v1/account?verbose=1");
  EXPECT_EQ(reply.status, 400u);
  EXPECT_EQ(reply.ErrorCode(), "invalid");
}

TEST_F(RestApiTest, ErrorBodyIsValidJsonEvenForBinaryInput) {
  Reply reply = Call("GET", "/api/v1/hosts/\xff\xfe.dyn.example.");
  EXPECT_EQ(reply.status, 404u);
  EXPECT_TRUE(reply.json.is_object()) << reply.body;
}

}  // namespace
}  // namespace tether::api::testing
