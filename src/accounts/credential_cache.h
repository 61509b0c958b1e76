// CredentialCache: remembers successful password checks, so that a router polling every
// few minutes costs a hash lookup instead of an Argon2 computation.
//
// The key is a keyed hash of what was presented (never the secret itself); an entry records
// the account it proved and that account's credential version. A hit counts only if it is
// younger than the TTL and the account's version is still the same: any credential change
// bumps the version (in the store, so every node sharing it sees the bump), which voids
// every cached proof at once. Memory is bounded: two generations of at most `capacity`/2
// entries each; a full generation is dropped whole.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/hash.h"
#include "base/mutex.h"

namespace tether::accounts {

class CredentialCache {
 public:
  using Clock = std::chrono::steady_clock;

  struct Entry {
    int64_t account_id = 0;
    uint64_t credential_version = 0;
    Clock::time_point verified_at;
  };

  CredentialCache(size_t capacity, std::chrono::seconds ttl) : capacity_(capacity), ttl_(ttl) {}

  // The cached proof for `key`, if it is fresh.
  std::optional<Entry> Lookup(std::string_view key, Clock::time_point now);
  // The same for KeyFor(username, secret), without making the key string.
  std::optional<Entry> Lookup(std::string_view username, std::string_view secret,
                              Clock::time_point now);
  void Insert(const std::string& key, Entry entry);
  void Forget(const std::string& key);
  void Clear();

  // A key for (username, secret): the secret's SipHash-2-4 (128 bits, libsodium's
  // crypto_shorthash_siphashx24) under a key drawn at random once per process, then the
  // username. It cannot be reversed to the secret, nor computed without the process's key,
  // and it costs a tenth of a SHA-256 on CPUs without SHA instructions: every router poll
  // with a password makes one.
  static std::string KeyFor(std::string_view username, std::string_view secret);
  static constexpr size_t kSecretHashSize = 16;

 private:
  const size_t capacity_;
  const std::chrono::seconds ttl_;
  Mutex mu_;
  StringMap<Entry> current_ GUARDED_BY(mu_);
  StringMap<Entry> previous_ GUARDED_BY(mu_);
};

}  // namespace tether::accounts
