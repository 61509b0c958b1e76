// The account commands of Admin: users, hosts, host credentials and tokens (docs/cli.md).
#include <algorithm>
#include <chrono>
#include <future>

#include "accounts/secrets.h"
#include "abuse/watch.h"
#include "app/admin.h"
#include "app/admin_output.h"
#include "base/cidr.h"
#include "base/json_text.h"
#include "base/log.h"
#include "base/time_text.h"
#include "update/function_request.h"

namespace tether::app {

namespace {

using admin_output::Fail;
using admin_output::kFailure;
using admin_output::kOk;
using admin_output::kUsage;
using admin_output::Usage;

using admin_output::Lower;
using admin_output::UnixNow;

bool ValidUserName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.front() == '.' || name.front() == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}


Result<dns::Name> Fqdn(const std::string& text) {
  auto name = dns::Name::FromText(text.empty() || text.back() == '.' ? text : text + ".");
  if (!name) return InvalidArgument("bad host name '{}': {}", text, name.error().message);
  return name->Lowercased();
}

std::string Row(std::initializer_list<std::string> fields) {
  std::string row;
  for (const auto& field : fields) row += (row.empty() ? "" : "\t") + field;
  return row + "\n";
}

std::string Joined(const std::vector<std::string>& items, const char* empty) {
  if (items.empty()) return empty;
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string JsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + JsonString(items[i]);
  return out + "]";
}

}  // namespace

Status Admin::RemoveHostNames(const store::HostInfo& host) {
  // The host's own name, its wildcard child and its ACME challenge name: everything a host
  // can have through the update API.
  std::vector<dns::Name> names = {host.fqdn};
  for (const char* label : {"*", "_acme-challenge"}) {
    if (auto name = host.fqdn.Prepend(label)) names.push_back(*name);
  }
  auto outcome = update::RunInZone(updates_, host.fqdn.Parent(), [&names](update::ZoneView& view) {
    for (const auto& name : names) {
      if (!view.Get(name).empty()) view.Set(name, {});
    }
    return dns::Rcode::kNoError;
  });
  if (!outcome && outcome.error().code == ErrorCode::kNotFound) return Ok();  // the zone is gone already
  if (!outcome || outcome->rcode != dns::Rcode::kNoError) {
    return MakeError(ErrorCode::kUnavailable, "could not remove the records of " + host.fqdn.ToText());
  }
  return Ok();
}

void Admin::RemoveNamesAgain(const store::HostInfo& host) {
  if (auto removed = RemoveHostNames(host); !removed) {
    spdlog::warn("host {} removed, but removing its records once more failed: {}", host.fqdn.ToText(),
                 removed.error().message);
  }
}

int Admin::UserAdd(const control::Invocation& inv, control::CommandOutput& out) {
  std::string name = Lower(inv.user);
  if (!ValidUserName(name)) return Usage(out, "bad account name '" + inv.user + "': 1-64 of a-z 0-9 . _ -");
  if (inv.password.size() < 8) return Usage(out, "the password must have at least 8 characters");
  auto role = store::RoleFromName(inv.role);
  if (!role) return Usage(out, "bad role '" + inv.role + "'");
  if (directory_.UserByName(name)) return Fail(out, "account " + name + " already exists");
  auto hash = accounts::HashPassword(inv.password);
  if (!hash) return Fail(out, hash.error().message);
  store::UserInfo user;
  user.name = name;
  user.role = *role;
  user.password_hash = *hash;
  user.created = UnixNow();
  user.host_limit = inv.host_limit;
  auto created = accounts_.CreateUser(user);
  if (!created) return Fail(out, created.error().message);
  directory_.PutUser(*created);
  out.Out("id: " + std::to_string(created->id) + "\n");
  return kOk;
}

int Admin::UserList(const control::Invocation& inv, control::CommandOutput& out) {
  auto users = accounts_.ListUsers();
  if (!users) return Fail(out, users.error().message);
  std::sort(users->begin(), users->end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::string text = inv.json ? "[" : "";
  for (size_t i = 0; i < users->size(); ++i) {
    const auto& user = (*users)[i];
    size_t hosts = directory_.HostsOf(user.id).size();
    if (inv.json) {
      text += std::string(i ? "," : "") + "\n  {\"id\": " + std::to_string(user.id) + ", \"name\": " +
              JsonString(user.name) + ", \"role\": " + JsonString(store::RoleName(user.role)) +
              ", \"hosts\": " + std::to_string(hosts) + ", \"created\": " + JsonString(FormatTime(user.created)) + "}";
    } else {
      text += Row({user.name, store::RoleName(user.role), std::to_string(hosts), FormatTime(user.created)});
    }
  }
  if (inv.json) text += users->empty() ? "]\n" : "\n]\n";
  out.Out(text);
  return kOk;
}

int Admin::UserRemove(const control::Invocation& inv, control::CommandOutput& out) {
  auto user = directory_.UserByName(Lower(inv.user));
  if (!user) return Fail(out, "no account " + inv.user);
  const std::vector<store::HostInfo> hosts = directory_.HostsOf(user->id);
  for (const auto& host : hosts) {
    if (auto removed = RemoveHostNames(host); !removed) return Fail(out, removed.error().message);
  }
  auto deleted = accounts_.DeleteUser(user->id);
  if (!deleted) return Fail(out, deleted.error().message);
  directory_.RemoveUser(user->id);
  for (const auto& host : hosts) RemoveNamesAgain(host);
  std::vector<dns::Name> names;
  for (const auto& host : hosts) names.push_back(host.fqdn);
  if (auto recorded = RecordAudit("user.remove", names, "account " + user->name); !recorded) {
    return Fail(out, "account " + user->name + " removed, but not recorded in the audit log: " +
                         recorded.error().message);
  }
  spdlog::info("account {} removed", user->name);
  return kOk;
}

int Admin::UserPasswd(const control::Invocation& inv, control::CommandOutput& out) {
  auto user = directory_.UserByName(Lower(inv.user));
  if (!user) return Fail(out, "no account " + inv.user);
  if (inv.password.size() < 8) return Usage(out, "the password must have at least 8 characters");
  auto hash = accounts::HashPassword(inv.password);
  if (!hash) return Fail(out, hash.error().message);
  if (auto set = accounts_.SetPasswordHash(user->id, *hash); !set) return Fail(out, set.error().message);
  auto updated = accounts_.GetUser(user->id);  // with the bumped credential version
  if (!updated || !*updated) return Fail(out, "account " + user->name + " vanished");
  directory_.PutUser(**updated);
  return kOk;
}

int Admin::HostAdd(const control::Invocation& inv, control::CommandOutput& out) {
  auto fqdn = Fqdn(inv.fqdn);
  if (!fqdn) return Usage(out, fqdn.error().message);
  if (fqdn->LabelCount() < 2) return Usage(out, "a host is a name in a service zone, like home.dyn.example.net");
  dns::Name origin = fqdn->Parent();
  auto zone_info = store_.GetZone(origin);
  if (!zone_info) return Fail(out, zone_info.error().message);
  if (!*zone_info || !(*zone_info)->service) return Fail(out, origin.ToText() + " is not a service zone");
  if (auto allowed = accounts::CheckHostLabel(fqdn->FirstLabel(), policy_); !allowed) {
    return Fail(out, allowed.error().message);
  }
  auto user = directory_.UserByName(Lower(inv.user));
  if (!user) return Fail(out, "no account " + inv.user);
  if (directory_.Host(*fqdn)) return Fail(out, fqdn->ToText() + " is taken");
  auto zone = zones_.Get(origin);
  if (zone != nullptr && !zone->Get(*fqdn).empty()) return Fail(out, fqdn->ToText() + " is taken");
  int limit = user->host_limit > 0 ? user->host_limit : policy_.default_host_limit;
  if (limit > 0 && directory_.HostsOf(user->id).size() >= static_cast<size_t>(limit)) {
    return Fail(out, "account " + user->name + " has reached its limit of " + std::to_string(limit) + " hosts");
  }
  store::HostInfo host;
  host.fqdn = *fqdn;
  host.user_id = user->id;
  host.zone_id = (*zone_info)->id;
  host.created = UnixNow();
  auto created = accounts_.CreateHost(host);
  if (!created) return Fail(out, created.error().message);
  directory_.PutHost(*created);
  out.Out("id: " + fqdn->ToText() + "\n");
  return kOk;
}

int Admin::HostList(const control::Invocation& inv, control::CommandOutput& out) {
  std::optional<int64_t> user_id;
  if (!inv.user.empty()) {
    auto user = directory_.UserByName(Lower(inv.user));
    if (!user) return Fail(out, "no account " + inv.user);
    user_id = user->id;
  }
  auto hosts = accounts_.ListHosts(user_id);
  if (!hosts) return Fail(out, hosts.error().message);
  std::sort(hosts->begin(), hosts->end(), [](const auto& a, const auto& b) { return a.fqdn < b.fqdn; });
  std::string text = inv.json ? "[" : "";
  for (size_t i = 0; i < hosts->size(); ++i) {
    const auto& host = (*hosts)[i];
    auto owner = directory_.UserById(host.user_id);
    std::string owner_name = owner ? owner->name : "-";
    std::string last = host.last_update != 0 ? FormatTime(host.last_update) : "-";
    if (inv.json) {
      text += std::string(i ? "," : "") + "\n  {\"name\": " + JsonString(host.fqdn.ToText()) +
              ", \"owner\": " + JsonString(owner_name) + ", \"state\": " +
              JsonString(store::LifecycleName(host.lifecycle)) + ", \"last_update\": " + JsonString(last) + "}";
    } else {
      text += Row({host.fqdn.ToText(), owner_name, store::LifecycleName(host.lifecycle), last});
    }
  }
  if (inv.json) text += hosts->empty() ? "]\n" : "\n]\n";
  out.Out(text);
  return kOk;
}

int Admin::HostRemove(const control::Invocation& inv, control::CommandOutput& out) {
  auto fqdn = Fqdn(inv.fqdn);
  if (!fqdn) return Usage(out, fqdn.error().message);
  auto host = directory_.Host(*fqdn);
  if (!host) return Fail(out, "no host " + fqdn->ToText());
  if (auto removed = RemoveHostNames(*host); !removed) return Fail(out, removed.error().message);
  auto deleted = accounts_.DeleteHost(host->id);
  if (!deleted) return Fail(out, deleted.error().message);
  directory_.RemoveHost(host->id);
  RemoveNamesAgain(*host);
  if (auto recorded = RecordAudit("host.remove", {host->fqdn}); !recorded) {
    return Fail(out, host->fqdn.ToText() + " removed, but not recorded in the audit log: " +
                         recorded.error().message);
  }
  return kOk;
}

int Admin::HostState(const control::Invocation& inv, control::CommandOutput& out) {
  auto fqdn = Fqdn(inv.fqdn);
  if (!fqdn) return Usage(out, fqdn.error().message);
  auto host = directory_.Host(*fqdn);
  if (!host) return Fail(out, "no host " + fqdn->ToText());
  if (!inv.set_state.empty()) {
    auto state = store::AbuseStateFromName(inv.set_state);
    if (!state || *state == store::AbuseState::kEnforced) return Usage(out, "--set takes watch, frozen or none");
    if (host->abuse_state == store::AbuseState::kEnforced) {
      return Fail(out, host->fqdn.ToText() + " is enforced by takedown order " + std::to_string(host->abuse_order) +
                           ": lift it with `tether takedown restore " + std::to_string(host->abuse_order) + "`");
    }
    if (inv.reason.empty()) return Usage(out, "--set needs a --reason");
    const int64_t now = UnixNow();
    if (auto set = accounts_.SetAbuseState(host->id, *state, inv.reason, now); !set) {
      return Fail(out, set.error().message);
    }
    host->abuse_state = *state;
    host->abuse_reason = inv.reason;
    host->abuse_since = now;
    directory_.PutHost(*host);  // write-through: updates on this node see it at once
    abuse::SyncQueryLogging(updates_, *host);
    if (auto recorded = RecordAudit("host.state", {host->fqdn},
                                    std::string(store::AbuseStateName(*state)) + ": " + inv.reason);
        !recorded) {
      return Fail(out, host->fqdn.ToText() + " is " + store::AbuseStateName(*state) +
                           ", but not recorded in the audit log: " + recorded.error().message);
    }
  }
  const std::string since = host->abuse_since != 0 ? FormatTime(host->abuse_since) : "-";
  const bool enforced = host->abuse_state == store::AbuseState::kEnforced;
  if (inv.json) {
    out.Out("{\"name\": " + JsonString(host->fqdn.ToText()) +
            ", \"lifecycle\": " + JsonString(store::LifecycleName(host->lifecycle)) +
            ", \"abuse\": " + JsonString(store::AbuseStateName(host->abuse_state)) +
            (enforced ? ", \"action\": " + JsonString(store::EnforceActionName(host->abuse_action)) +
                            ", \"order\": " + std::to_string(host->abuse_order)
                      : std::string()) +
            ", \"reason\": " + JsonString(host->abuse_reason) +
            ", \"since\": " + JsonString(since) + "}\n");
  } else {
    out.Out("host: " + host->fqdn.ToText() +
            "\nlifecycle: " + store::LifecycleName(host->lifecycle) +
            "\nabuse: " + store::AbuseStateName(host->abuse_state) +
            (enforced ? "\naction: " + std::string(store::EnforceActionName(host->abuse_action)) +
                            "\norder: " + std::to_string(host->abuse_order)
                      : std::string()) +
            "\nreason: " +
            (host->abuse_reason.empty() ? "-" : host->abuse_reason) + "\nsince: " + since + "\n");
  }
  return kOk;
}

int Admin::HostCredentialAdd(const control::Invocation& inv, control::CommandOutput& out) {
  auto fqdn = Fqdn(inv.fqdn);
  if (!fqdn) return Usage(out, fqdn.error().message);
  auto host = directory_.Host(*fqdn);
  if (!host) return Fail(out, "no host " + fqdn->ToText());
  store::HostCredentialInfo credential;
  credential.host_id = host->id;
  credential.username = "h-" + accounts::SecretDigest(accounts::RandomSecret()).substr(0, 16);
  std::string password = accounts::RandomSecret(24);
  credential.digest = accounts::SecretDigest(password);
  credential.created = UnixNow();
  auto created = accounts_.CreateHostCredential(credential);
  if (!created) return Fail(out, created.error().message);
  directory_.PutHostCredential(*created);
  out.Out("id: " + std::to_string(created->id) + "\nusername: " + created->username + "\npassword: " + password +
          "\n");
  return kOk;
}

int Admin::TokenAdd(const control::Invocation& inv, control::CommandOutput& out) {
  auto user = directory_.UserByName(Lower(inv.user));
  if (!user) return Fail(out, "no account " + inv.user);
  store::TokenInfo token;
  token.user_id = user->id;
  for (const auto& text : inv.hosts) {
    auto fqdn = Fqdn(text);
    if (!fqdn) return Usage(out, fqdn.error().message);
    auto host = directory_.Host(*fqdn);
    if (!host || host->user_id != user->id) return Fail(out, fqdn->ToText() + " is not a host of " + user->name);
    token.hosts.push_back(*fqdn);
  }
  for (const auto& text : inv.types) {
    auto type = dns::RrTypeFromString(text);
    if (!type || dns::IsMetaType(*type)) return Usage(out, "unknown record type '" + text + "'");
    token.types.push_back(*type);
  }
  for (const auto& text : inv.networks) {
    auto cidr = Cidr::Parse(text);
    if (!cidr) return Usage(out, cidr.error().message);
    token.networks.push_back(cidr->ToString());
  }
  if (!inv.expires.empty()) {
    auto expires = ParseTimeText(inv.expires, UnixNow());
    if (!expires) return Usage(out, expires.error().message);
    token.expires = *expires;
  }
  std::string secret = accounts::RandomSecret(24);
  token.digest = accounts::SecretDigest(secret);
  token.created = UnixNow();
  auto created = accounts_.CreateToken(token);
  if (!created) return Fail(out, created.error().message);
  directory_.PutToken(*created);
  out.Out("id: " + std::to_string(created->id) + "\ntoken: " + secret + "\n");
  return kOk;
}

int Admin::TokenList(const control::Invocation& inv, control::CommandOutput& out) {
  std::optional<int64_t> user_id;
  if (!inv.user.empty()) {
    auto user = directory_.UserByName(Lower(inv.user));
    if (!user) return Fail(out, "no account " + inv.user);
    user_id = user->id;
  }
  auto tokens = accounts_.ListTokens(user_id);
  if (!tokens) return Fail(out, tokens.error().message);
  std::sort(tokens->begin(), tokens->end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  const int64_t now = UnixNow();
  std::string text = inv.json ? "[" : "";
  for (size_t i = 0; i < tokens->size(); ++i) {
    const auto& token = (*tokens)[i];
    auto owner = directory_.UserById(token.user_id);
    std::vector<std::string> hosts;
    for (const auto& host : token.hosts) hosts.push_back(host.ToText());
    std::vector<std::string> types;
    for (auto type : token.types) types.push_back(dns::RrTypeToString(type));
    std::string expires = token.expires != 0 ? FormatTime(token.expires) : "never";
    std::string state = token.revoked ? "revoked" : (token.expires != 0 && token.expires <= now) ? "expired" : "active";
    std::string owner_name = owner ? owner->name : "-";
    if (inv.json) {
      text += std::string(i ? "," : "") + "\n  {\"id\": " + std::to_string(token.id) + ", \"owner\": " +
              JsonString(owner_name) + ", \"hosts\": " + JsonList(hosts) + ", \"types\": " + JsonList(types) +
              ", \"networks\": " + JsonList(token.networks) + ", \"expires\": " + JsonString(expires) +
              ", \"state\": " + JsonString(state) + "}";
    } else {
      text += Row({std::to_string(token.id), owner_name, Joined(hosts, "*"), Joined(types, "*"),
                   Joined(token.networks, "*"), expires, state});
    }
  }
  if (inv.json) text += tokens->empty() ? "]\n" : "\n]\n";
  out.Out(text);
  return kOk;
}

int Admin::TokenRevoke(const control::Invocation& inv, control::CommandOutput& out) {
  int64_t id = 0;
  try {
    id = std::stoll(inv.token_id);
  } catch (...) {
    return Usage(out, "bad token id '" + inv.token_id + "'");
  }
  auto revoked = accounts_.RevokeToken(id);
  if (!revoked) return Fail(out, revoked.error().message);
  if (!*revoked) return Fail(out, "no token " + inv.token_id);
  // The directory follows the store: the token (now revoked) and its owner's new version.
  auto tokens = accounts_.ListTokens(std::nullopt);
  if (tokens) {
    for (const auto& token : *tokens) {
      if (token.id != id) continue;
      directory_.PutToken(token);
      if (auto owner = accounts_.GetUser(token.user_id); owner && *owner) directory_.PutUser(**owner);
    }
  }
  return kOk;
}

}  // namespace tether::app
