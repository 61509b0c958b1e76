#include "accounts/directory.h"

#include <algorithm>

#include <mutex>

namespace tether::accounts {

std::string Directory::Key(const dns::Name& name) {
  dns::Name lower = name.Lowercased();
  return std::string(reinterpret_cast<const char*>(lower.wire().data()), lower.size());
}

Status Directory::Load(store::AccountStore& store) {
  ASSIGN_OR_RETURN(auto users, store.ListUsers());
  ASSIGN_OR_RETURN(auto hosts, store.ListHosts(std::nullopt));
  ASSIGN_OR_RETURN(auto tokens, store.ListTokens(std::nullopt));
  ASSIGN_OR_RETURN(auto credentials, store.ListHostCredentials());
  std::unique_lock lock(mu_);
  users_.clear();
  user_ids_.clear();
  hosts_.clear();
  tokens_.clear();
  for (auto& user : users) {
    user_ids_[user.name] = user.id;
    users_[user.id] = std::move(user);
  }
  hosts_.reserve(hosts.size());
  for (auto& host : hosts) hosts_[Key(host.fqdn)] = std::move(host);
  for (auto& token : tokens) tokens_[token.digest] = std::move(token);
  host_credentials_.clear();
  for (auto& credential : credentials) host_credentials_[credential.username] = std::move(credential);
  return Ok();
}

std::optional<store::UserInfo> Directory::UserById(int64_t id) const {
  std::shared_lock lock(mu_);
  auto found = users_.find(id);
  if (found == users_.end()) return std::nullopt;
  return found->second;
}

std::optional<store::UserInfo> Directory::UserByName(const std::string& name) const {
  std::shared_lock lock(mu_);
  auto id = user_ids_.find(name);
  if (id == user_ids_.end()) return std::nullopt;
  return users_.at(id->second);
}

std::optional<store::HostInfo> Directory::Host(const dns::Name& fqdn) const {
  std::shared_lock lock(mu_);
  auto found = hosts_.find(Key(fqdn));
  if (found == hosts_.end()) return std::nullopt;
  return found->second;
}

std::vector<store::HostInfo> Directory::HostsOf(int64_t user_id) const {
  std::shared_lock lock(mu_);
  std::vector<store::HostInfo> out;
  for (const auto& [key, host] : hosts_) {
    if (host.user_id == user_id) out.push_back(host);
  }
  return out;
}

std::optional<store::TokenInfo> Directory::TokenByDigest(const std::string& digest) const {
  std::shared_lock lock(mu_);
  auto found = tokens_.find(digest);
  if (found == tokens_.end()) return std::nullopt;
  return found->second;
}

std::optional<store::HostCredentialInfo> Directory::HostCredential(const std::string& username) const {
  std::shared_lock lock(mu_);
  auto found = host_credentials_.find(username);
  if (found == host_credentials_.end()) return std::nullopt;
  return found->second;
}

void Directory::PutUser(const store::UserInfo& user) {
  std::unique_lock lock(mu_);
  if (auto old = users_.find(user.id); old != users_.end()) user_ids_.erase(old->second.name);
  user_ids_[user.name] = user.id;
  users_[user.id] = user;
}

void Directory::RemoveUser(int64_t id) {
  std::unique_lock lock(mu_);
  auto found = users_.find(id);
  if (found == users_.end()) return;
  user_ids_.erase(found->second.name);
  users_.erase(found);
  std::erase_if(hosts_, [&](const auto& entry) { return entry.second.user_id == id; });
  std::erase_if(tokens_, [&](const auto& entry) { return entry.second.user_id == id; });
  // Credentials of removed hosts no longer find their host, so they fail on their own;
  // drop them anyway.
  std::erase_if(host_credentials_, [&](const auto& entry) {
    for (const auto& [key, host] : hosts_) {
      if (host.id == entry.second.host_id) return false;
    }
    return true;
  });
}

void Directory::PutHost(const store::HostInfo& host) {
  std::unique_lock lock(mu_);
  hosts_[Key(host.fqdn)] = host;
}

void Directory::TouchHost(const dns::Name& fqdn, int64_t time) {
  std::unique_lock lock(mu_);
  auto found = hosts_.find(Key(fqdn));
  if (found != hosts_.end()) found->second.last_update = std::max(found->second.last_update, time);
}

void Directory::RemoveHost(int64_t host_id) {
  std::unique_lock lock(mu_);
  std::erase_if(hosts_, [&](const auto& entry) { return entry.second.id == host_id; });
  std::erase_if(host_credentials_, [&](const auto& entry) { return entry.second.host_id == host_id; });
}

void Directory::PutToken(const store::TokenInfo& token) {
  std::unique_lock lock(mu_);
  tokens_[token.digest] = token;
}

void Directory::PutHostCredential(const store::HostCredentialInfo& credential) {
  std::unique_lock lock(mu_);
  host_credentials_[credential.username] = credential;
}

}  // namespace tether::accounts
