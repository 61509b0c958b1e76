// Directory: the accounts as the request path needs them, in memory — users by name and
// id, hosts by name, tokens by digest, host credentials by username. Loaded from the store
// at start; every admin change is written to the store first and then here (write-through),
// so a lookup never touches the store.
//
// Entries are immutable and shared: a change replaces an entry, so the Find* lookups of the
// request path return a reference-counted pointer instead of a copy, and look names up
// without building a key string.
//
// Thread-safety: thread-safe. Lookups take a shared lock; changes take the exclusive lock
// briefly.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "accounts/host_table.h"
#include "base/hash.h"
#include "base/result.h"
#include "store/accounts.h"

namespace tether::accounts {

class Directory {
 public:
  Status Load(store::AccountStore& store);

  std::optional<store::UserInfo> UserById(int64_t id) const;
  std::optional<store::UserInfo> UserByName(const std::string& name) const;
  std::optional<store::HostInfo> Host(const dns::Name& fqdn) const;
  std::vector<store::HostInfo> HostsOf(int64_t user_id) const;
  // Every host `keep` accepts, in one pass (e.g. the watched ones at start).
  std::vector<store::HostInfo> HostsIf(const std::function<bool(const store::HostInfo&)>& keep) const;
  // The hosts of each of `user_ids`, in one pass over all hosts.
  std::unordered_map<int64_t, std::vector<store::HostInfo>> HostsOf(const std::vector<int64_t>& user_ids) const;
  std::optional<store::TokenInfo> TokenByDigest(const std::string& digest) const;
  std::optional<store::HostCredentialInfo> HostCredential(const std::string& username) const;

  // The same without copying (null: none).
  std::shared_ptr<const store::UserInfo> FindUser(int64_t id) const;
  std::shared_ptr<const store::UserInfo> FindUser(std::string_view name) const;
  std::shared_ptr<const store::HostInfo> FindHost(const dns::Name& fqdn) const;
  std::shared_ptr<const store::TokenInfo> FindToken(std::string_view digest) const;
  std::shared_ptr<const store::HostCredentialInfo> FindHostCredential(std::string_view username) const;

  // What a presented (username, secret) may be, looked up under one lock (the request path
  // asks all three): the token whose digest is `secret_digest` (none if it is empty: the
  // secret cannot be a token's, MayBeRandomSecret); else the host credential
  // named `username` (if not empty); else the account named `username`. At most one is set.
  struct Candidates {
    std::shared_ptr<const store::TokenInfo> token;
    std::shared_ptr<const store::HostCredentialInfo> host_credential;
    std::shared_ptr<const store::UserInfo> user;
  };
  Candidates FindCandidates(std::string_view secret_digest, std::string_view username) const;

  void PutUser(const store::UserInfo& user);
  void RemoveUser(int64_t id);  // with the user's hosts, tokens and credentials
  void PutHost(const store::HostInfo& host);
  void RemoveHost(int64_t host_id);
  // Records an accepted change of the host's records at `time` (unix seconds), to the
  // minute as the store keeps it (HostInfo::last_update); the store learns it from the
  // history entry (AccountStore::AppendHistory). Returns whether last_update moved (false
  // also for a host not here): HistoryEntry::touches_host. `host` is an entry the caller
  // found here: when its own last update is within the minute, the newer entry here is
  // too, and the table is not read (a cache miss with many hosts).
  bool TouchHost(const store::HostInfo& host, int64_t time);
  // Moves whenever a host entry is put or removed, except by TouchHost (a change of its
  // abuse state or lifecycle, say). A check of the host entries found after reading it
  // still holds while it has not moved: the updater need not look each host up again.
  uint64_t HostsGeneration() const { return hosts_generation_.load(std::memory_order_acquire); }
  void PutToken(const store::TokenInfo& token);
  void PutHostCredential(const store::HostCredentialInfo& credential);

 private:
  template <class T>
  using ByKey = StringMap<T>;  // looked up by string_view
  template <class T>
  using Shared = std::shared_ptr<const T>;

  // A host's key: its lower-case wire form.
  static std::string Key(const dns::Name& name);

  mutable std::shared_mutex mu_;
  std::unordered_map<int64_t, Shared<store::UserInfo>> users_;
  ByKey<int64_t> user_ids_;
  HostTable hosts_;  // by Key(fqdn)
  // Moved under the exclusive lock, after the change: whoever reads a value and then finds
  // entries sees every change the value counts.
  std::atomic<uint64_t> hosts_generation_{0};
  ByKey<Shared<store::TokenInfo>> tokens_;
  ByKey<Shared<store::HostCredentialInfo>> host_credentials_;
};

}  // namespace tether::accounts
