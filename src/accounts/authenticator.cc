#include "accounts/authenticator.h"

#include <algorithm>
#include <chrono>

#include "accounts/secrets.h"

namespace tether::accounts {

namespace {

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool Identity::MayChange(const store::HostInfo& host, dns::RrType type) const {
  if (host_id) return *host_id == host.id;
  if (host.user_id != user_id) return false;
  if (!hosts.empty() && std::none_of(hosts.begin(), hosts.end(),
                                     [&](const dns::Name& name) { return name.EqualsIgnoreCase(host.fqdn); })) {
    return false;
  }
  return types.empty() || std::find(types.begin(), types.end(), type) != types.end();
}

Authenticator::Authenticator(const Directory& directory, AuthenticatorOptions options)
    : directory_(directory),
      options_(options),
      cache_(options.cache_capacity, options.cache_ttl),
      failures_by_name_(options.failures_per_minute / 60.0, options.failures_burst),
      failures_by_address_(options.failures_per_minute / 60.0, options.failures_burst * 2),
      dummy_hash_(*HashPassword(RandomSecret())) {}

bool Authenticator::CanAnswerFast(const Presented& presented, const std::string& client_address) const {
  if (MayBeRandomSecret(presented.secret) && directory_.FindToken(SecretDigest(presented.secret))) {
    return true;
  }
  if (!presented.username.empty() && directory_.FindHostCredential(presented.username)) return true;
  auto hit = cache_.Lookup(presented.username, presented.secret, CredentialCache::Clock::now());
  if (hit) return true;
  // A throttled caller is answered without checking anything.
  return !failures_by_address_.WouldAllow(client_address) || !failures_by_name_.WouldAllow(presented.username);
}

AuthResult Authenticator::ByToken(const store::TokenInfo& token, const sockaddr* client, Identity* identity) const {
  if (token.revoked || (token.expires != 0 && token.expires <= UnixNow())) return AuthResult::kBadAuth;
  if (!token.networks.empty()) {
    bool allowed = false;
    for (const auto& text : token.networks) {
      auto cidr = Cidr::Parse(text);
      allowed = allowed || (cidr && client != nullptr && cidr->Contains(client));
    }
    if (!allowed) return AuthResult::kBadAuth;
  }
  auto user = directory_.FindUser(token.user_id);
  if (!user) return AuthResult::kBadAuth;
  identity->kind = Identity::Kind::kToken;
  identity->user_id = user->id;
  identity->user_name = user->name;
  identity->role = user->role;
  identity->hosts = token.hosts;
  identity->types = token.types;
  identity->label = "token:" + std::to_string(token.id);
  return AuthResult::kOk;
}

bool Authenticator::Throttled(const std::string& username, const std::string& client_address) {
  return !failures_by_address_.WouldAllow(client_address) || !failures_by_name_.WouldAllow(username);
}

void Authenticator::Failed(const std::string& username, const std::string& client_address) {
  failures_by_address_.Allow(client_address);
  failures_by_name_.Allow(username);
}

void Authenticator::AsPassword(const store::UserInfo& user, Identity* identity) {
  identity->kind = Identity::Kind::kPassword;
  identity->user_id = user.id;
  identity->user_name = user.name;
  identity->role = user.role;
  identity->label = "password:" + user.name;
}

std::optional<AuthResult> Authenticator::AuthenticateFast(const Presented& presented,
                                                          const std::string& client_address, const sockaddr* client,
                                                          Identity* identity) {
  if (presented.secret.empty()) return AuthResult::kBadAuth;
  // The secret's SHA-256, made only where it is needed: to find a token, which only a
  // secret of a token's shape can be, and to check a per-host credential. An account
  // password is checked against the cache by its own, cheaper keyed hash.
  char digest_buffer[kSecretDigestSize];
  std::string_view digest;
  auto secret_digest = [&] {
    if (digest.empty()) {
      SecretDigestTo(presented.secret, digest_buffer);
      digest = std::string_view(digest_buffer, kSecretDigestSize);
    }
    return digest;
  };
  const Directory::Candidates found = directory_.FindCandidates(
      MayBeRandomSecret(presented.secret) ? secret_digest() : std::string_view(),
      presented.username);
  // An API token: as the password with any username (or none).
  if (found.token) return ByToken(*found.token, client, identity);
  // A per-host credential.
  if (const auto& credential = found.host_credential) {
    if (!ConstantTimeEquals(secret_digest(), credential->digest)) {
      Failed(presented.username, client_address);
      return AuthResult::kBadAuth;
    }
    identity->kind = Identity::Kind::kHostCredential;
    identity->host_id = credential->host_id;
    identity->label = "host-credential:" + std::to_string(credential->id);
    return AuthResult::kOk;
  }
  // The account password, from the cache if a recent check proved it.
  if (const auto& user = found.user) {
    auto hit = cache_.Lookup(presented.username, presented.secret, CredentialCache::Clock::now());
    if (hit && hit->account_id == user->id && hit->credential_version == user->credential_version) {
      AsPassword(*user, identity);
      return AuthResult::kOk;
    }
  }
  if (Throttled(presented.username, client_address)) return AuthResult::kThrottled;
  return std::nullopt;
}

AuthResult Authenticator::Authenticate(const Presented& presented, const std::string& client_address,
                                       const sockaddr* client, Identity* identity) {
  if (auto decided = AuthenticateFast(presented, client_address, client, identity)) return *decided;
  // The password hash check (Argon2id): unknown names cost the same, against a dummy hash.
  auto user = directory_.FindUser(std::string_view(presented.username));
  bool valid = user && !user->password_hash.empty() ? VerifyPassword(presented.secret, user->password_hash)
                                                     : (VerifyPassword(presented.secret, dummy_hash_), false);
  if (!valid) {
    Failed(presented.username, client_address);
    return AuthResult::kBadAuth;
  }
  cache_.Insert(CredentialCache::KeyFor(presented.username, presented.secret),
                {user->id, user->credential_version, CredentialCache::Clock::now()});
  AsPassword(*user, identity);
  return AuthResult::kOk;
}

}  // namespace tether::accounts
