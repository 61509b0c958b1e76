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

TEST(SecretTest, MayBeRandomSecretKnowsTheShape) {
  for (size_t bytes : {size_t{24}, size_t{32}, size_t{48}}) {
    EXPECT_TRUE(MayBeRandomSecret(RandomSecret(bytes))) << bytes;
  }
  EXPECT_FALSE(MayBeRandomSecret(""));
  EXPECT_FALSE(MayBeRandomSecret(std::string(31, 'a')));
  EXPECT_TRUE(MayBeRandomSecret(std::string(32, 'a')));
  std::string token = RandomSecret();
  for (char odd : {'!', '=', '+', '/', ' ', '.', '\0', '\xc3'}) {
    std::string changed = token;
    changed[5] = odd;
    EXPECT_FALSE(MayBeRandomSecret(changed)) << static_cast<int>(odd);
  }
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
  EXPECT_EQ(key.size(), CredentialCache::kSecretHashSize + 5);
  // Never the secret itself (longer than the hash, so it cannot appear in it by chance).
  EXPECT_EQ(CredentialCache::KeyFor("alice", "correct horse battery").find("correct horse battery"),
            std::string::npos);
  cache.Insert(key, {7, 3, now});
  // The lookup by (username, secret) makes the same key.
  ASSERT_TRUE(cache.Lookup("alice", "pw", now));
  EXPECT_FALSE(cache.Lookup("alice", "pw2", now));
  EXPECT_FALSE(cache.Lookup("alicf", "pw", now));
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
