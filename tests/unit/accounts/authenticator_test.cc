#include "accounts/authenticator.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include "accounts/secrets.h"

namespace tether::accounts {
namespace {

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

// Token secrets as RandomSecret(24) makes them: 32 characters of URL-safe base64.
constexpr const char* kToken = "tok1tok1tok1tok1tok1tok1tok1tok1";
constexpr const char* kNetToken = "net-net-net-net-net-net-net-net_";

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest() {
    store::UserInfo alice;
    alice.id = 1;
    alice.name = "alice";
    alice.password_hash = *HashPassword("secret-1");
    directory_.PutUser(alice);
    directory_.PutHost({10, N("home.dyn.example."), 1, 5, store::Lifecycle::kActive, 0, 0,
                        store::AbuseState::kNone, "", 0});
    directory_.PutHost({11, N("office.dyn.example."), 1, 5, store::Lifecycle::kActive, 0, 0,
                        store::AbuseState::kNone, "", 0});
    store::TokenInfo token;
    token.id = 7;
    token.user_id = 1;
    token.digest = SecretDigest(kToken);
    token.hosts = {N("home.dyn.example.")};
    token.types = {dns::RrType::kA};
    directory_.PutToken(token);
    store::TokenInfo limited = token;
    limited.id = 8;
    limited.digest = SecretDigest(kNetToken);
    limited.networks = {"10.0.0.0/8"};
    directory_.PutToken(limited);
    directory_.PutHostCredential({3, 11, "hc-office", SecretDigest("hc-pass"), 0});
    peer_.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &peer_.sin_addr);
  }
  AuthResult Auth(const std::string& user, const std::string& secret, Identity* identity = nullptr) {
    Identity local;
    return authenticator_.Authenticate({user, secret}, "127.0.0.1", reinterpret_cast<sockaddr*>(&peer_),
                                       identity != nullptr ? identity : &local);
  }
  Directory directory_;
  Authenticator authenticator_{directory_, AuthenticatorOptions{}};
  sockaddr_in peer_{};
};

TEST_F(AuthenticatorTest, PasswordThenCachedProof) {
  Identity identity;
  EXPECT_EQ(Auth("alice", "secret-1", &identity), AuthResult::kOk);
  EXPECT_EQ(identity.user_id, 1);
  EXPECT_EQ(identity.label, "password:alice");
  EXPECT_TRUE(authenticator_.CanAnswerFast({"alice", "secret-1"}, "127.0.0.1"));
  EXPECT_EQ(Auth("alice", "secret-1"), AuthResult::kOk);
}

TEST_F(AuthenticatorTest, WrongPasswordAndUnknownUserLookAlike) {
  EXPECT_EQ(Auth("alice", "nope"), AuthResult::kBadAuth);
  EXPECT_EQ(Auth("mallory", "nope"), AuthResult::kBadAuth);
}

TEST_F(AuthenticatorTest, PasswordChangeVoidsTheCachedProof) {
  ASSERT_EQ(Auth("alice", "secret-1"), AuthResult::kOk);
  store::UserInfo alice = *directory_.UserByName("alice");
  alice.password_hash = *HashPassword("secret-2");
  alice.credential_version++;
  directory_.PutUser(alice);
  EXPECT_EQ(Auth("alice", "secret-1"), AuthResult::kBadAuth);
  EXPECT_EQ(Auth("alice", "secret-2"), AuthResult::kOk);
}

TEST_F(AuthenticatorTest, TokenWithAnyUsernameAndItsScope) {
  Identity identity;
  EXPECT_EQ(Auth("whatever", kToken, &identity), AuthResult::kOk);
  EXPECT_EQ(identity.label, "token:7");
  EXPECT_TRUE(identity.MayChange(*directory_.Host(N("home.dyn.example.")), dns::RrType::kA));
  EXPECT_FALSE(identity.MayChange(*directory_.Host(N("home.dyn.example.")), dns::RrType::kAaaa));
  EXPECT_FALSE(identity.MayChange(*directory_.Host(N("office.dyn.example.")), dns::RrType::kA));
}

// Only a secret of a token's shape is looked up as one (MayBeRandomSecret): a stored digest
// of anything else is never matched, so the lookup's SHA-256 is skipped for passwords.
TEST_F(AuthenticatorTest, SecretNotShapedLikeATokenIsNoToken) {
  store::TokenInfo odd;
  odd.id = 9;
  odd.user_id = 1;
  odd.digest = SecretDigest("short-token");
  directory_.PutToken(odd);
  EXPECT_EQ(Auth("", "short-token"), AuthResult::kBadAuth);
  EXPECT_EQ(Auth("", std::string(kToken) + "!"), AuthResult::kBadAuth);
}

TEST_F(AuthenticatorTest, TokenFromOutsideItsNetworksIsRefused) {
  EXPECT_EQ(Auth("", kNetToken), AuthResult::kBadAuth);
}

TEST_F(AuthenticatorTest, RevokedTokenIsRefused) {
  auto token = *directory_.TokenByDigest(SecretDigest(kToken));
  token.revoked = true;
  directory_.PutToken(token);
  EXPECT_EQ(Auth("", kToken), AuthResult::kBadAuth);
}

TEST_F(AuthenticatorTest, HostCredentialCoversOneHost) {
  Identity identity;
  EXPECT_EQ(Auth("hc-office", "hc-pass", &identity), AuthResult::kOk);
  EXPECT_TRUE(identity.MayChange(*directory_.Host(N("office.dyn.example.")), dns::RrType::kA));
  EXPECT_FALSE(identity.MayChange(*directory_.Host(N("home.dyn.example.")), dns::RrType::kA));
  EXPECT_EQ(Auth("hc-office", "wrong"), AuthResult::kBadAuth);
}

TEST_F(AuthenticatorTest, RepeatedFailuresAreThrottled) {
  AuthResult last = AuthResult::kBadAuth;
  for (int i = 0; i < 30 && last != AuthResult::kThrottled; ++i) last = Auth("", "guess-" + std::to_string(i));
  EXPECT_EQ(last, AuthResult::kThrottled);
}

}  // namespace
}  // namespace tether::accounts
