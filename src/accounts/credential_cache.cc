#include "accounts/credential_cache.h"

#include "accounts/secrets.h"

namespace tether::accounts {

std::optional<CredentialCache::Entry> CredentialCache::Lookup(const std::string& key, Clock::time_point now) {
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
  current_.erase(key);
  previous_.erase(key);
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
