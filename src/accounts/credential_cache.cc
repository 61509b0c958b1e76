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
  std::string material(username);
  material.push_back('\0');
  material.append(secret);
  return SecretDigest(material);
}

}  // namespace tether::accounts
