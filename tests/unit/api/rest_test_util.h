// Helpers for the REST API tests: an in-memory AccountStore (the SQLite one is not needed to
// test the API's contract), and a fixture with a real update path — a SQLite store in a
// temporary directory, an UpdateService and a ZoneRegistry over the service zone
// dyn.example. — that drives RestApi::Handle with HttpRequest values, no sockets.
// Header-only (the unit-test target compiles only *_test.cc files).
#pragma once

#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "accounts/authenticator.h"
#include "accounts/directory.h"
#include "accounts/secrets.h"
#include "api/rest_api.h"
#include "base/work_pool.h"
#include "dns/rdata.h"
#include "store/accounts.h"
#include "store/store.h"
#include "update/update_service.h"
#include "zone/zone_set.h"

namespace tether::api::testing {

using Json = nlohmann::json;

inline dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

// Every method behaves as the AccountStore contract says; nothing is durable. Thread-safe.
class FakeAccountStore : public store::AccountStore {
 public:
  Result<store::UserInfo> CreateUser(const store::UserInfo& user) override {
    std::lock_guard lock(mu_);
    for (const auto& [id, existing] : users_) {
      if (existing.name == user.name) return MakeError(ErrorCode::kAlreadyExists, "user exists");
    }
    store::UserInfo copy = user;
    copy.id = ++next_id_;
    users_[copy.id] = copy;
    return copy;
  }
  Result<std::optional<store::UserInfo>> GetUser(int64_t id) override {
    std::lock_guard lock(mu_);
    auto found = users_.find(id);
    if (found == users_.end()) return std::optional<store::UserInfo>();
    return std::optional<store::UserInfo>(found->second);
  }
  Result<std::optional<store::UserInfo>> GetUserByName(const std::string& name) override {
    std::lock_guard lock(mu_);
    for (const auto& [id, user] : users_) {
      if (user.name == name) return std::optional<store::UserInfo>(user);
    }
    return std::optional<store::UserInfo>();
  }
  Result<std::vector<store::UserInfo>> ListUsers() override {
    std::lock_guard lock(mu_);
    std::vector<store::UserInfo> out;
    for (const auto& [id, user] : users_) out.push_back(user);
    return out;
  }
  Result<bool> DeleteUser(int64_t id) override {
    std::lock_guard lock(mu_);
    return users_.erase(id) != 0;
  }
  Status SetPasswordHash(int64_t user_id, const std::string& hash) override {
    std::lock_guard lock(mu_);
    users_[user_id].password_hash = hash;
    ++users_[user_id].credential_version;
    return Ok();
  }

  Result<store::HostInfo> CreateHost(const store::HostInfo& host) override {
    std::lock_guard lock(mu_);
    if (fail_writes) return MakeError(ErrorCode::kIo, "disk full");
    for (const auto& [id, existing] : hosts_) {
      if (existing.fqdn == host.fqdn) return MakeError(ErrorCode::kAlreadyExists, "host exists");
    }
    store::HostInfo copy = host;
    copy.id = ++next_id_;
    hosts_[copy.id] = copy;
    return copy;
  }
  Result<std::optional<store::HostInfo>> GetHost(const dns::Name& fqdn) override {
    std::lock_guard lock(mu_);
    for (const auto& [id, host] : hosts_) {
      if (host.fqdn == fqdn) return std::optional<store::HostInfo>(host);
    }
    return std::optional<store::HostInfo>();
  }
  Result<std::vector<store::HostInfo>> ListHosts(std::optional<int64_t> user_id) override {
    std::lock_guard lock(mu_);
    std::vector<store::HostInfo> out;
    for (const auto& [id, host] : hosts_) {
      if (!user_id || host.user_id == *user_id) out.push_back(host);
    }
    return out;
  }
  Result<size_t> CountHosts(int64_t user_id) override {
    auto hosts = ListHosts(user_id);
    return hosts->size();
  }
  Result<bool> DeleteHost(int64_t id) override {
    std::lock_guard lock(mu_);
    if (fail_writes) return MakeError(ErrorCode::kIo, "disk full");
    std::erase_if(history_, [&](const store::HistoryEntry& entry) { return entry.host_id == id; });
    return hosts_.erase(id) != 0;
  }
  Status SetLifecycle(int64_t host_id, store::Lifecycle lifecycle) override {
    std::lock_guard lock(mu_);
    hosts_[host_id].lifecycle = lifecycle;
    return Ok();
  }
  Status SetAbuseStates(const std::vector<store::AbuseStateChange>& changes) override {
    std::lock_guard lock(mu_);
    for (const auto& change : changes) {
      auto found = hosts_.find(change.host_id);
      if (found == hosts_.end()) continue;
      found->second.abuse_state = change.state;
      found->second.abuse_reason = change.reason;
      found->second.abuse_since = change.time;
      found->second.abuse_action = change.action;
      found->second.abuse_order = change.order;
    }
    return Ok();
  }

  Result<store::TokenInfo> CreateToken(const store::TokenInfo& token) override {
    std::lock_guard lock(mu_);
    if (fail_writes) return MakeError(ErrorCode::kIo, "disk full");
    store::TokenInfo copy = token;
    copy.id = ++next_id_;
    tokens_[copy.id] = copy;
    return copy;
  }
  Result<std::optional<store::TokenInfo>> FindToken(const std::string& digest) override {
    std::lock_guard lock(mu_);
    for (const auto& [id, token] : tokens_) {
      if (token.digest == digest) return std::optional<store::TokenInfo>(token);
    }
    return std::optional<store::TokenInfo>();
  }
  Result<std::vector<store::TokenInfo>> ListTokens(std::optional<int64_t> user_id) override {
    std::lock_guard lock(mu_);
    std::vector<store::TokenInfo> out;
    for (const auto& [id, token] : tokens_) {
      if (!user_id || token.user_id == *user_id) out.push_back(token);
    }
    return out;
  }
  Result<bool> RevokeToken(int64_t id) override {
    std::lock_guard lock(mu_);
    auto found = tokens_.find(id);
    if (found == tokens_.end()) return false;
    found->second.revoked = true;
    ++users_[found->second.user_id].credential_version;
    return true;
  }
  Result<store::HostCredentialInfo> CreateHostCredential(const store::HostCredentialInfo& credential) override {
    std::lock_guard lock(mu_);
    store::HostCredentialInfo copy = credential;
    copy.id = ++next_id_;
    credentials_.push_back(copy);
    return copy;
  }
  Result<std::optional<store::HostCredentialInfo>> FindHostCredential(const std::string& username) override {
    std::lock_guard lock(mu_);
    for (const auto& credential : credentials_) {
      if (credential.username == username) return std::optional<store::HostCredentialInfo>(credential);
    }
    return std::optional<store::HostCredentialInfo>();
  }
  Result<std::vector<store::HostCredentialInfo>> ListHostCredentials() override {
    std::lock_guard lock(mu_);
    return credentials_;
  }

  void AppendHistory(store::HistoryEntry entry) override {
    std::lock_guard lock(mu_);
    entry.id = ++next_id_;
    history_.push_back(std::move(entry));
  }
  Result<std::vector<store::HistoryEntry>> ReadHistory(int64_t host_id, size_t limit) override {
    std::lock_guard lock(mu_);
    std::vector<store::HistoryEntry> out;
    for (auto it = history_.rbegin(); it != history_.rend() && out.size() < limit; ++it) {
      if (it->host_id == host_id) out.push_back(*it);
    }
    return out;
  }
  Result<size_t> TrimHistory(int64_t before, const std::vector<int64_t>& keep) override {
    std::lock_guard lock(mu_);
    return std::erase_if(history_, [&](const store::HistoryEntry& entry) {
      return entry.time < before && std::find(keep.begin(), keep.end(), entry.host_id) == keep.end();
    });
  }

  std::vector<store::HistoryEntry> History() {
    std::lock_guard lock(mu_);
    return history_;
  }

  std::atomic<bool> fail_writes{false};  // CreateHost/DeleteHost/CreateToken fail (kIo)

 private:
  std::mutex mu_;
  int64_t next_id_ = 0;
  std::map<int64_t, store::UserInfo> users_;
  std::map<int64_t, store::HostInfo> hosts_;
  std::map<int64_t, store::TokenInfo> tokens_;
  std::vector<store::HostCredentialInfo> credentials_;
  std::vector<store::HistoryEntry> history_;
};

struct Reply {
  unsigned status = 0;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Json json;  // the parsed body (discarded if not JSON)

  const std::string* Header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (strcasecmp(key.c_str(), name.c_str()) == 0) return &value;
    }
    return nullptr;
  }
  std::string ErrorCode() const {
    return json.is_object() && json.contains("error") ? json["error"].value("code", "") : "";
  }
};

class RestFixture : public ::testing::Test {
 protected:
  static constexpr int64_t kNow = 1800000000;  // 2027-01-15T08:00:00Z

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tether-rest-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    // A directory a crashed run left under a process id now reused would hold its zones.
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::SqliteOptions options;
    options.path = (dir_ / "tether.db").string();
    store_ = std::move(*store::OpenSqliteStore(options));
    updates_ = std::make_unique<update::UpdateService>(*store_, update::UpdateServiceOptions{});
    updates_->Start();
    AddZone("dyn.example.", true);
    AddZone("static.example.", false);

    auto user = accounts_.CreateUser({0, "alice", store::Role::kUser, "", 1, kNow - 86400, 0});
    alice_ = user->id;
    auto bob = accounts_.CreateUser({0, "bob", store::Role::kUser, "", 1, kNow - 86400, 0});
    bob_ = bob->id;
    ASSERT_TRUE(directory_.Load(accounts_));
    authenticator_ = std::make_unique<accounts::Authenticator>(directory_, accounts::AuthenticatorOptions{});
    pool_ = std::make_unique<WorkPool>(2, "rest-test");
    MakeApi(RestOptions{});
    token_ = MakeToken(alice_);
  }

  void TearDown() override {
    updates_->Stop();
    pool_->Stop();
    api_.reset();
    updates_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void MakeApi(RestOptions options) {
    options.now = [] { return kNow; };
    accounts::NamePolicy policy;
    policy.default_host_limit = 3;
    RestServices services{directory_, *authenticator_, accounts_, *updates_, registry_, *pool_,
                          [this](const dns::Name& origin) -> std::optional<int64_t> {
                            auto found = service_zones_.find(origin.ToText());
                            if (found == service_zones_.end()) return std::nullopt;
                            return found->second;
                          }};
    api_ = std::make_unique<RestApi>(services, policy, options);
  }

  // A dynamic zone in the store and the update path; `service`: hosts may be registered in it.
  int64_t AddZone(const std::string& origin, bool service) {
    std::vector<zone::NameUpdate> names = {
        {N(origin),
         {zone::Rrset{dns::RrType::kSoa, 3600, {Rdata(dns::RrType::kSoa, "ns1." + origin + " h." + origin + " 1 3600 900 604800 60")}},
          zone::Rrset{dns::RrType::kNs, 3600, {Rdata(dns::RrType::kNs, "ns1." + origin)}}}},
        {N("taken." + origin), {zone::Rrset{dns::RrType::kA, 300, {Rdata(dns::RrType::kA, "192.0.2.99")}}}},
    };
    auto info = store_->CreateZone(N(origin), store::SerialPolicy::kIncrement, names, nullptr);
    EXPECT_TRUE(info) << info.error().message;
    auto zone = std::make_shared<zone::Zone>(N(origin));
    EXPECT_TRUE(zone->Apply(names));
    updates_->AddZone(info->id, zone, info->journal_seq);
    registry_.Put(zone);
    if (service) service_zones_[origin] = info->id;
    return info->id;
  }

  static std::vector<uint8_t> Rdata(dns::RrType type, const std::string& text) {
    auto rdata = dns::RdataFromString(type, text, dns::Name());
    EXPECT_TRUE(rdata) << text;
    return rdata ? *rdata : std::vector<uint8_t>();
  }

  // A token of `user_id` (stored and in the directory); returns its secret.
  std::string MakeToken(int64_t user_id, std::vector<std::string> hosts = {}, std::vector<dns::RrType> types = {},
                        std::vector<std::string> networks = {}, int64_t expires = 0, int64_t* id = nullptr) {
    store::TokenInfo token;
    token.user_id = user_id;
    for (const auto& host : hosts) token.hosts.push_back(N(host));
    token.types = std::move(types);
    token.networks = std::move(networks);
    token.expires = expires;
    token.created = kNow;
    std::string secret = accounts::RandomSecret(24);
    token.digest = accounts::SecretDigest(secret);
    auto created = accounts_.CreateToken(token);
    EXPECT_TRUE(created);
    directory_.PutToken(*created);
    if (id != nullptr) *id = created->id;
    return secret;
  }

  // A host of `user_id` registered directly (as `tether host add` would).
  store::HostInfo MakeHost(const std::string& fqdn, int64_t user_id, const std::string& zone = "dyn.example.") {
    store::HostInfo host;
    host.fqdn = N(fqdn);
    host.user_id = user_id;
    host.zone_id = service_zones_.count(zone) ? service_zones_[zone] : 0;
    host.created = kNow - 3600;
    auto created = accounts_.CreateHost(host);
    EXPECT_TRUE(created);
    directory_.PutHost(*created);
    return *created;
  }

  HttpRequest Request(const std::string& method, const std::string& target, const std::string& body = "",
                      const std::optional<std::string>& token = std::nullopt) {
    HttpRequest request;
    request.method = method;
    request.target = target;
    size_t question = target.find('?');
    request.path = target.substr(0, question);
    request.query = question == std::string::npos ? "" : target.substr(question + 1);
    request.body = body;
    request.client_address = "192.0.2.10";
    const std::string secret = token.value_or(token_);
    if (!secret.empty()) request.headers.emplace_back("authorization", "Bearer " + secret);
    if (!body.empty()) request.headers.emplace_back("content-type", "application/json");
    request.headers.emplace_back("user-agent", "rest-test/1.0");
    return request;
  }

  Reply Send(HttpRequest request) {
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    auto future = promise->get_future();
    api_->Handle(std::move(request), [promise](HttpResponse response) { promise->set_value(std::move(response)); });
    // A bound, not a timing assertion: a missing answer fails instead of hanging the suite.
    EXPECT_EQ(future.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    HttpResponse response = future.get();
    Reply reply{response.status, response.content_type, response.headers, response.body, Json()};
    reply.json = Json::parse(response.body, nullptr, false);
    return reply;
  }

  Reply Call(const std::string& method, const std::string& target, const std::string& body = "",
             const std::optional<std::string>& token = std::nullopt) {
    return Send(Request(method, target, body, token));
  }

  std::vector<zone::Rrset> Content(const std::string& name) {
    return registry_.Get(N("dyn.example."))->Get(N(name));
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<update::UpdateService> updates_;
  zone::ZoneRegistry registry_;
  std::map<std::string, int64_t> service_zones_;
  FakeAccountStore accounts_;
  accounts::Directory directory_;
  std::unique_ptr<accounts::Authenticator> authenticator_;
  std::unique_ptr<WorkPool> pool_;
  std::unique_ptr<RestApi> api_;
  int64_t alice_ = 0;
  int64_t bob_ = 0;
  std::string token_;  // alice's unrestricted token
  static inline int counter_ = 0;
};

}  // namespace tether::api::testing
