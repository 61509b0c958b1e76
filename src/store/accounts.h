// The accounts part of the store: users, the hosts they own under service zones, their
// credentials (API tokens, per-host update credentials) and each host's update history.
// The DNS data of a host (its A/AAAA/TXT/... records) lives in its zone like any other
// name and changes only through the update path; this is who owns what and who may change
// it.
//
// Every change that affects authentication bumps the user's credential_version inside the
// same transaction, so caches of verified credentials (accounts/credential_cache.h) on any
// node sharing the store drop their proofs.
//
// Thread-safety: every method may be called from any thread. Writes go through the store's
// single writer like zone changes; History appends are batched and may be lost on a crash
// (they record polls, not changes — a change's own history row is written with the change).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/rr_type.h"

namespace tether::store {

enum class Role { kUser, kAbuse, kAdmin };
const char* RoleName(Role role);
std::optional<Role> RoleFromName(std::string_view name);

struct UserInfo {
  int64_t id = 0;
  std::string name;           // lower-case; 1-64 of [a-z0-9._-]
  Role role = Role::kUser;
  std::string password_hash;  // Argon2id (accounts/secrets.h); empty: no password login
  uint64_t credential_version = 1;
  int64_t created = 0;        // unix seconds
  int host_limit = 0;         // 0: the operator's default
};

// A host's lifecycle state (DESIGN.md): its owner parked it (offline) or it lapsed.
enum class Lifecycle { kActive, kOffline, kExpired };
const char* LifecycleName(Lifecycle lifecycle);
std::optional<Lifecycle> LifecycleFromName(std::string_view name);

// A host's abuse state (DESIGN.md "Abuse handling"), separate from its lifecycle: `watch`
// logs its updates in detail, `frozen` keeps its records but refuses every update with
// `abuse`, `enforced` serves what a takedown order's action put in place of its records
// (abuse/takedown.h) and refuses every update too. Callers that only ask whether updates
// are refused use UpdatesRefused.
enum class AbuseState { kNone, kWatch, kFrozen, kEnforced };
const char* AbuseStateName(AbuseState state);
std::optional<AbuseState> AbuseStateFromName(std::string_view name);
inline bool UpdatesRefused(AbuseState state) {
  return state == AbuseState::kFrozen || state == AbuseState::kEnforced;
}

// What an enforced host answers (docs/abuse.md, "Actions"): NXDOMAIN, NODATA for every
// type, the operator's sinkhole addresses, or a referral to name servers the order names.
enum class EnforceAction { kNxdomain, kNodata, kSinkhole, kDelegated };
const char* EnforceActionName(EnforceAction action);
std::optional<EnforceAction> EnforceActionFromName(std::string_view name);

// HostInfo::last_update moves only by this much or more (seconds): a host changing every few
// seconds is not rewritten each time, in the store or in tetherd's directory.
inline constexpr int64_t kLastUpdateGrain = 60;
// History retention deletes in steps of this many rows (AccountStore::TrimHistory), each its
// own transaction: an hour of history can be millions of rows, and updates commit between.
inline constexpr int64_t kHistoryTrimStep = 20000;

struct HostInfo {
  int64_t id = 0;
  dns::Name fqdn;  // lower-case
  int64_t user_id = 0;
  int64_t zone_id = 0;
  Lifecycle lifecycle = Lifecycle::kActive;
  int64_t created = 0;
  // Unix seconds of the last accepted update (0: never), kept to the minute: a later update
  // within kLastUpdateGrain of the recorded time does not move it.
  int64_t last_update = 0;
  AbuseState abuse_state = AbuseState::kNone;
  std::string abuse_reason;  // why the state was set (also when set back to none)
  int64_t abuse_since = 0;   // unix seconds the state was set; 0: never
  // Only for kEnforced: the action and the takedown order (store/takedowns.h) that set it.
  EnforceAction abuse_action = EnforceAction::kNxdomain;
  int64_t abuse_order = 0;
};

// One host's new abuse state (AccountStore::SetAbuseStates).
struct AbuseStateChange {
  int64_t host_id = 0;
  AbuseState state = AbuseState::kNone;
  EnforceAction action = EnforceAction::kNxdomain;  // for kEnforced
  int64_t order = 0;                                // for kEnforced
  std::string reason;
  int64_t time = 0;  // unix seconds
};

struct TokenInfo {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string digest;                  // SHA-256 hex of the secret (accounts/secrets.h)
  std::vector<dns::Name> hosts;        // empty: every host of the user
  std::vector<dns::RrType> types;      // empty: every type
  std::vector<std::string> networks;   // CIDRs the token may be used from; empty: anywhere
  int64_t expires = 0;                 // unix seconds; 0: never
  int64_t created = 0;
  bool revoked = false;
};

// A No-IP "DDNS key"-style credential that can update exactly one host.
struct HostCredentialInfo {
  int64_t id = 0;
  int64_t host_id = 0;
  std::string username;  // unique, generated
  std::string digest;    // SHA-256 hex of the generated password
  int64_t created = 0;
};

struct HistoryEntry {
  int64_t id = 0;
  int64_t host_id = 0;
  int64_t time = 0;
  std::string source;      // client address
  std::string user_agent;
  std::string credential;  // e.g. "password:alice", "token:12", "host-credential:3"
  std::string old_value;   // e.g. "A 198.51.100.7, AAAA 2001:db8::7"
  std::string new_value;
  std::string result;      // "good", "nochg", or the refusal ("abuse", "badauth", ...)
  // A "good" entry moves the host's last_update to `time` (to the minute, kLastUpdateGrain).
  // false: the caller knows that it does not (Directory::TouchHost said so), and the store
  // spares the host's row the check.
  bool touches_host = true;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // ---- users ----
  virtual Result<UserInfo> CreateUser(const UserInfo& user) = 0;  // kAlreadyExists
  virtual Result<std::optional<UserInfo>> GetUser(int64_t id) = 0;
  virtual Result<std::optional<UserInfo>> GetUserByName(const std::string& name) = 0;
  virtual Result<std::vector<UserInfo>> ListUsers() = 0;
  // Deletes the user with their hosts' rows, tokens and credentials (their DNS names are
  // removed by the caller through the update path first).
  virtual Result<bool> DeleteUser(int64_t id) = 0;
  virtual Status SetPasswordHash(int64_t user_id, const std::string& hash) = 0;  // bumps the version

  // ---- hosts ----
  virtual Result<HostInfo> CreateHost(const HostInfo& host) = 0;  // kAlreadyExists
  virtual Result<std::optional<HostInfo>> GetHost(const dns::Name& fqdn) = 0;
  virtual Result<std::vector<HostInfo>> ListHosts(std::optional<int64_t> user_id) = 0;
  virtual Result<size_t> CountHosts(int64_t user_id) = 0;
  virtual Result<bool> DeleteHost(int64_t id) = 0;  // with its credentials and history
  virtual Status SetLifecycle(int64_t host_id, Lifecycle lifecycle) = 0;
  // Sets the abuse states of any number of hosts in one transaction (a takedown order's
  // hosts change together); records a `host` change for each so other nodes re-read them.
  // No error for an unknown id (nothing changes for it).
  virtual Status SetAbuseStates(const std::vector<AbuseStateChange>& changes) = 0;
  // One host's state other than kEnforced, with its reason and time (unix seconds).
  Status SetAbuseState(int64_t host_id, AbuseState state, const std::string& reason, int64_t time) {
    return SetAbuseStates({AbuseStateChange{host_id, state, EnforceAction::kNxdomain, 0, reason, time}});
  }

  // ---- credentials ----
  virtual Result<TokenInfo> CreateToken(const TokenInfo& token) = 0;
  virtual Result<std::optional<TokenInfo>> FindToken(const std::string& digest) = 0;
  virtual Result<std::vector<TokenInfo>> ListTokens(std::optional<int64_t> user_id) = 0;
  virtual Result<bool> RevokeToken(int64_t id) = 0;  // bumps the owner's version
  virtual Result<HostCredentialInfo> CreateHostCredential(const HostCredentialInfo& credential) = 0;
  virtual Result<std::optional<HostCredentialInfo>> FindHostCredential(const std::string& username) = 0;
  virtual Result<std::vector<HostCredentialInfo>> ListHostCredentials() = 0;

  // ---- history ----
  // Queued and written in batches by the store's writer (within a second); ReadHistory
  // sees every entry appended before it was called, the most recently appended first (in
  // time order but for entries made within the same moment by different threads, or
  // after the clock was set back), at most `limit` of them.
  virtual void AppendHistory(HistoryEntry entry) = 0;
  virtual Result<std::vector<HistoryEntry>> ReadHistory(int64_t host_id, size_t limit) = 0;
  // Deletes entries older than `before` (unix seconds), except for hosts in `keep`
  // (legal holds). Returns how many went. The SQLite store finds them by id, relying on
  // entries being appended in time order: after the clock was set back, entries may go a
  // little early or late, by as much as it was set back.
  virtual Result<size_t> TrimHistory(int64_t before, const std::vector<int64_t>& keep) = 0;
};

}  // namespace tether::store
