#include "accounts/credential_cache.h"

#include <sodium.h>

#include <array>
#include <cstring>

#include "accounts/secrets.h"

namespace tether::accounts {

namespace {

// The secret's keyed hash (kSecretHashSize bytes) to `out`.
void SecretHashTo(std::string_view secret, char* out) {
  static const auto key = [] {
    InitSodium();
    std::array<unsigned char, crypto_shorthash_siphashx24_KEYBYTES> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    return bytes;
  }();
  static_assert(crypto_shorthash_siphashx24_BYTES == CredentialCache::kSecretHashSize);
  crypto_shorthash_siphashx24(reinterpret_cast<unsigned char*>(out),
                              reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                              key.data());
}

}  // namespace

std::optional<CredentialCache::Entry> CredentialCache::Lookup(std::string_view username,
                                                              std::string_view secret,
                                                              Clock::time_point now) {
  // The key on the stack when it fits (account names are at most 64 characters).
  char buffer[kSecretHashSize + 64];
  if (username.size() > sizeof(buffer) - kSecretHashSize) {
    return Lookup(KeyFor(username, secret), now);
  }
  SecretHashTo(secret, buffer);
  std::memcpy(buffer + kSecretHashSize, username.data(), username.size());
  return Lookup(std::string_view(buffer, kSecretHashSize + username.size()), now);
}

std::optional<CredentialCache::Entry> CredentialCache::Lookup(std::string_view key, Clock::time_point now) {
  MutexLock lock(mu_);
  auto found = current_.find(key);
  if (found == current_.end()) {
    auto old = previous_.find(key);
    if (old == previous_.end()) return std::nullopt;
    found = current_.insert(*old).first;  // still in use: keep it in the young generation
    previous_.erase(old);
  }
  if (now - found->second.verified_at > ttl_) {
    current_.erase(found);
    return std::nullopt;
  }
  return found->second;
}

void CredentialCache::Insert(const std::string& key, Entry entry) {
  MutexLock lock(mu_);
  if (current_.size() >= capacity_ / 2) {
    previous_ = std::move(current_);
    current_.clear();
  }
  current_[key] = entry;
}

void CredentialCache::Forget(const std::string& key) {
  MutexLock lock(mu_);
  if (auto found = current_.find(key); found != current_.end()) current_.erase(found);
  if (auto found = previous_.find(key); found != previous_.end()) previous_.erase(found);
}

void CredentialCache::Clear() {
  MutexLock lock(mu_);
  current_.clear();
  previous_.clear();
}

std::string CredentialCache::KeyFor(std::string_view username, std::string_view secret) {
  // The hash has a fixed length, so no two (username, secret) pairs give one key.
  std::string key(kSecretHashSize, '\0');
  SecretHashTo(secret, key.data());
  key.append(username);
  return key;
}

}  // namespace tether::accounts
