// Authenticator: who is asking — from an account password, an API token or a per-host
// credential — with the scope that credential grants. The common case (a router polling
// with the same credentials every few minutes) is a digest and two map lookups; only a
// password not seen recently costs an Argon2id check. Failures are throttled per account
// name and per client address, and unknown account names cost the same Argon2 check as
// known ones, so neither answers nor timing tell whether an account exists.
//
// Thread-safety: thread-safe. Authenticate may take tens of milliseconds (Argon2): call it
// off event loops unless CanAnswerFast says otherwise.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>
#include <vector>

#include "accounts/credential_cache.h"
#include "accounts/directory.h"
#include "base/cidr.h"
#include "base/rate_limiter.h"

namespace tether::accounts {

struct Presented {
  std::string username;  // may be empty (a bare token)
  std::string secret;
};

struct Identity {
  enum class Kind { kPassword, kToken, kHostCredential };
  Kind kind = Kind::kPassword;
  int64_t user_id = 0;
  std::string user_name;
  store::Role role = store::Role::kUser;
  // Scope: empty hosts/types mean every host of the user / every type.
  std::vector<dns::Name> hosts;
  std::vector<dns::RrType> types;
  std::optional<int64_t> host_id;  // a host credential: exactly this host
  std::string label;               // for the history: "password:alice", "token:12", ...

  // May this identity change the `type` records of `host`?
  bool MayChange(const store::HostInfo& host, dns::RrType type) const;
};

enum class AuthResult { kOk, kBadAuth, kThrottled };

struct AuthenticatorOptions {
  std::chrono::seconds cache_ttl{600};
  size_t cache_capacity = 1 << 20;
  // Failed attempts: a burst, then this many per minute, per account name and per address.
  double failures_burst = 10;
  double failures_per_minute = 6;
};

class Authenticator {
 public:
  Authenticator(const Directory& directory, AuthenticatorOptions options);

  // True if Authenticate(presented) needs no password hash (a token, a host credential, a
  // cached proof or a throttled caller): safe to call on an event loop.
  bool CanAnswerFast(const Presented& presented, const std::string& client_address) const;

  AuthResult Authenticate(const Presented& presented, const std::string& client_address,
                          const sockaddr* client, Identity* identity);
  // Authenticate without a password hash check: the result when a token, a host credential,
  // a cached proof or throttling decides it (safe on an event loop), else nullopt (then call
  // Authenticate, off the event loop). One pass: each digest is computed once.
  std::optional<AuthResult> AuthenticateFast(const Presented& presented, const std::string& client_address,
                                             const sockaddr* client, Identity* identity);

  // Drops cached proofs (e.g. after a password change; versions do this too).
  void Forget() { cache_.Clear(); }

 private:
  AuthResult ByToken(const store::TokenInfo& token, const sockaddr* client, Identity* identity) const;
  static void AsPassword(const store::UserInfo& user, Identity* identity);
  bool Throttled(const std::string& username, const std::string& client_address);
  void Failed(const std::string& username, const std::string& client_address);

  const Directory& directory_;
  const AuthenticatorOptions options_;
  mutable CredentialCache cache_;
  mutable RateLimiter failures_by_name_;
  mutable RateLimiter failures_by_address_;
  std::string dummy_hash_;  // checked for unknown names, so they cost like known ones
};

}  // namespace tether::accounts
