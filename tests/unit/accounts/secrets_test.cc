#include "accounts/secrets.h"

#include <gtest/gtest.h>

#include "accounts/credential_cache.h"

namespace tether::accounts {
namespace {

TEST(PasswordTest, HashVerifiesItsPasswordOnly) {
  auto hash = HashPassword("correct horse");
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword("correct horse", *hash));
  EXPECT_FALSE(VerifyPassword("correct horsf", *hash));
  EXPECT_FALSE(VerifyPassword("correct horse", "not a hash"));
}

TEST(PasswordTest, SamePasswordHashesDifferently) {
  EXPECT_NE(*HashPassword("x"), *HashPassword("x"));  // salted
}

TEST(SecretTest, RandomSecretsAreUrlSafeAndDistinct) {
  std::string a = RandomSecret();
  EXPECT_EQ(a.size(), 32u);  // 24 bytes of base64
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  EXPECT_NE(a, RandomSecret());
}

TEST(SecretTest, DigestIsSha256Hex) {
  EXPECT_EQ(SecretDigest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(SecretTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(CredentialCacheTest, HitWithinTtl) {
  CredentialCache cache(100, std::chrono::seconds(60));
  auto now = CredentialCache::Clock::now();
  std::string key = CredentialCache::KeyFor("alice", "pw");
  cache.Insert(key, {7, 3, now});
  auto hit = cache.Lookup(key, now + std::chrono::seconds(30));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->account_id, 7);
  EXPECT_EQ(hit->credential_version, 3u);
  EXPECT_FALSE(cache.Lookup(key, now + std::chrono::seconds(61)));
}

TEST(CredentialCacheTest, KeyDependsOnUserAndSecret) {
  EXPECT_NE(CredentialCache::KeyFor("alice", "pw"), CredentialCache::KeyFor("alice", "pw2"));
  EXPECT_NE(CredentialCache::KeyFor("alice", "pw"), CredentialCache::KeyFor("bob", "pw"));
  EXPECT_NE(CredentialCache::KeyFor("a", "bpw"), CredentialCache::KeyFor("ab", "pw"));
}

TEST(CredentialCacheTest, BoundedByTwoGenerations) {
  CredentialCache cache(10, std::chrono::seconds(60));
  auto now = CredentialCache::Clock::now();
  for (int i = 0; i < 100; ++i) cache.Insert(std::to_string(i), {i, 0, now});
  EXPECT_FALSE(cache.Lookup("0", now));
  EXPECT_TRUE(cache.Lookup("99", now));
}

}  // namespace
}  // namespace tether::accounts
