#include "accounts/directory.h"

#include <algorithm>
#include <mutex>

namespace tether::accounts {

namespace {

template <class T>
std::optional<T> Copy(const std::shared_ptr<const T>& entry) {
  if (entry == nullptr) return std::nullopt;
  return *entry;
}

// Looks `key` up in `map` (of shared entries): the entry or null.
template <class Map, class Key>
auto FindIn(const Map& map, const Key& key) -> typename Map::mapped_type {
  auto found = map.find(key);
  return found == map.end() ? nullptr : found->second;
}

}  // namespace

std::string Directory::Key(const dns::Name& name) {
  char buffer[dns::Name::kMaxWire];
  return std::string(name.LowercaseKey(buffer));
}

Status Directory::Load(store::AccountStore& store) {
  ASSIGN_OR_RETURN(auto users, store.ListUsers());
  ASSIGN_OR_RETURN(auto hosts, store.ListHosts(std::nullopt));
  ASSIGN_OR_RETURN(auto tokens, store.ListTokens(std::nullopt));
  ASSIGN_OR_RETURN(auto credentials, store.ListHostCredentials());
  std::unique_lock lock(mu_);
  users_.clear();
  user_ids_.clear();
  hosts_.Clear();
  tokens_.clear();
  for (auto& user : users) {
    const int64_t id = user.id;  // before the move below, as for hosts
    user_ids_[user.name] = id;
    users_[id] = std::make_shared<const store::UserInfo>(std::move(user));
  }
  hosts_.Reserve(hosts.size());
  for (auto& host : hosts) {
    // The key first: the entry takes the name.
    std::string key = Key(host.fqdn);
    hosts_.Put(key, std::make_shared<const store::HostInfo>(std::move(host)));
  }
  for (auto& token : tokens) {
    std::string digest = token.digest;
    tokens_[digest] = std::make_shared<const store::TokenInfo>(std::move(token));
  }
  host_credentials_.clear();
  for (auto& credential : credentials) {
    std::string username = credential.username;
    host_credentials_[username] = std::make_shared<const store::HostCredentialInfo>(std::move(credential));
  }
  hosts_generation_.fetch_add(1, std::memory_order_release);
  return Ok();
}

std::shared_ptr<const store::UserInfo> Directory::FindUser(int64_t id) const {
  std::shared_lock lock(mu_);
  return FindIn(users_, id);
}

std::shared_ptr<const store::UserInfo> Directory::FindUser(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto id = user_ids_.find(name);
  if (id == user_ids_.end()) return nullptr;
  return FindIn(users_, id->second);
}

std::shared_ptr<const store::HostInfo> Directory::FindHost(const dns::Name& fqdn) const {
  char buffer[dns::Name::kMaxWire];
  const std::string_view key = fqdn.LowercaseKey(buffer);
  std::shared_lock lock(mu_);
  const HostTable::Entry* found = hosts_.Find(key);
  return found != nullptr ? *found : nullptr;
}

std::shared_ptr<const store::TokenInfo> Directory::FindToken(std::string_view digest) const {
  std::shared_lock lock(mu_);
  return FindIn(tokens_, digest);
}

std::shared_ptr<const store::HostCredentialInfo> Directory::FindHostCredential(std::string_view username) const {
  std::shared_lock lock(mu_);
  return FindIn(host_credentials_, username);
}

Directory::Candidates Directory::FindCandidates(std::string_view secret_digest, std::string_view username) const {
  Candidates found;
  std::shared_lock lock(mu_);
  if (!secret_digest.empty()) {
    found.token = FindIn(tokens_, secret_digest);
    if (found.token) return found;
  }
  if (!username.empty()) {
    found.host_credential = FindIn(host_credentials_, username);
    if (found.host_credential) return found;
  }
  if (auto id = user_ids_.find(username); id != user_ids_.end()) found.user = FindIn(users_, id->second);
  return found;
}

std::optional<store::UserInfo> Directory::UserById(int64_t id) const { return Copy(FindUser(id)); }

std::optional<store::UserInfo> Directory::UserByName(const std::string& name) const {
  return Copy(FindUser(std::string_view(name)));
}

std::optional<store::HostInfo> Directory::Host(const dns::Name& fqdn) const { return Copy(FindHost(fqdn)); }

std::vector<store::HostInfo> Directory::HostsOf(int64_t user_id) const {
  std::shared_lock lock(mu_);
  std::vector<store::HostInfo> out;
  hosts_.ForEach([&](const store::HostInfo& host) {
    if (host.user_id == user_id) out.push_back(host);
  });
  return out;
}

std::vector<store::HostInfo> Directory::HostsIf(const std::function<bool(const store::HostInfo&)>& keep) const {
  std::vector<store::HostInfo> out;
  std::shared_lock lock(mu_);
  hosts_.ForEach([&](const store::HostInfo& host) {
    if (keep(host)) out.push_back(host);
  });
  return out;
}

std::unordered_map<int64_t, std::vector<store::HostInfo>> Directory::HostsOf(
    const std::vector<int64_t>& user_ids) const {
  std::unordered_map<int64_t, std::vector<store::HostInfo>> out;
  for (int64_t id : user_ids) out[id];
  std::shared_lock lock(mu_);
  hosts_.ForEach([&](const store::HostInfo& host) {
    if (auto found = out.find(host.user_id); found != out.end()) found->second.push_back(host);
  });
  return out;
}

std::optional<store::TokenInfo> Directory::TokenByDigest(const std::string& digest) const {
  return Copy(FindToken(digest));
}

std::optional<store::HostCredentialInfo> Directory::HostCredential(const std::string& username) const {
  return Copy(FindHostCredential(username));
}

void Directory::PutUser(const store::UserInfo& user) {
  auto entry = std::make_shared<const store::UserInfo>(user);
  std::unique_lock lock(mu_);
  if (auto old = users_.find(user.id); old != users_.end()) user_ids_.erase(old->second->name);
  user_ids_[user.name] = user.id;
  users_[user.id] = std::move(entry);
}

void Directory::RemoveUser(int64_t id) {
  std::unique_lock lock(mu_);
  auto found = users_.find(id);
  if (found == users_.end()) return;
  user_ids_.erase(found->second->name);
  users_.erase(found);
  hosts_.EraseIf([&](const store::HostInfo& host) { return host.user_id == id; });
  hosts_generation_.fetch_add(1, std::memory_order_release);
  std::erase_if(tokens_, [&](const auto& entry) { return entry.second->user_id == id; });
  // Credentials of removed hosts no longer find their host, so they fail on their own;
  // drop them anyway.
  std::erase_if(host_credentials_, [&](const auto& entry) {
    bool kept = false;
    hosts_.ForEach([&](const store::HostInfo& host) { kept = kept || host.id == entry.second->host_id; });
    return !kept;
  });
}

void Directory::PutHost(const store::HostInfo& host) {
  auto entry = std::make_shared<const store::HostInfo>(host);
  std::string key = Key(host.fqdn);
  std::unique_lock lock(mu_);
  hosts_.Put(key, std::move(entry));
  hosts_generation_.fetch_add(1, std::memory_order_release);
}

bool Directory::TouchHost(const store::HostInfo& host, int64_t time) {
  // Kept to the minute, as the store keeps it (store::kLastUpdateGrain): a host changing
  // every few seconds is not copied each time, and the check needs no exclusive lock —
  // nor any lock when the caller's entry already says so.
  auto recent = [&](const store::HostInfo& entry) {
    return entry.last_update > time - store::kLastUpdateGrain;
  };
  if (recent(host)) return false;
  // Called for every change: the key is made on the stack, as for FindHost.
  char buffer[dns::Name::kMaxWire];
  const std::string_view key = host.fqdn.LowercaseKey(buffer);
  auto unmoved = [&](const HostTable::Entry* found) { return found == nullptr || recent(**found); };
  {
    std::shared_lock lock(mu_);
    if (unmoved(hosts_.Find(key))) return false;
  }
  std::unique_lock lock(mu_);
  const HostTable::Entry* found = hosts_.Find(key);
  if (unmoved(found)) return false;
  auto touched = std::make_shared<store::HostInfo>(**found);
  touched->last_update = time;
  hosts_.Put(key, std::move(touched));
  return true;
}

void Directory::RemoveHost(int64_t host_id) {
  std::unique_lock lock(mu_);
  hosts_.EraseIf([&](const store::HostInfo& host) { return host.id == host_id; });
  hosts_generation_.fetch_add(1, std::memory_order_release);
  std::erase_if(host_credentials_, [&](const auto& entry) { return entry.second->host_id == host_id; });
}

void Directory::PutToken(const store::TokenInfo& token) {
  auto entry = std::make_shared<const store::TokenInfo>(token);
  std::unique_lock lock(mu_);
  tokens_[token.digest] = std::move(entry);
}

void Directory::PutHostCredential(const store::HostCredentialInfo& credential) {
  auto entry = std::make_shared<const store::HostCredentialInfo>(credential);
  std::unique_lock lock(mu_);
  host_credentials_[credential.username] = std::move(entry);
}

}  // namespace tether::accounts
