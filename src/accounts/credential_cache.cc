#include "accounts/credential_cache.h"

#include "accounts/secrets.h"

#include <cstring>

namespace tether::accounts {

std::optional<CredentialCache::Entry> CredentialCache::Lookup(std::string_view username, std::string_view secret_digest,
                                                              Clock::time_point now) {
  // The key on the stack when it fits (account names are at most 64 characters).
  char buffer[128 + 64];
  if (secret_digest.size() + username.size() > sizeof(buffer)) return Lookup(KeyForDigest(username, secret_digest), now);
  std::memcpy(buffer, secret_digest.data(), secret_digest.size());
  std::memcpy(buffer + secret_digest.size(), username.data(), username.size());
  return Lookup(std::string_view(buffer, secret_digest.size() + username.size()), now);
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
  return KeyForDigest(username, SecretDigest(secret));
}

std::string CredentialCache::KeyForDigest(std::string_view username, std::string_view secret_digest) {
  // The digest has a fixed length, so no two (username, secret) pairs give one key.
  std::string key;
  key.reserve(secret_digest.size() + username.size());
  key.append(secret_digest);
  key.append(username);
  return key;
}

}  // namespace tether::accounts
