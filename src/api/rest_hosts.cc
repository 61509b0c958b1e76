// RestApi: the hosts of the token's account — list, register, show, delete — and their
// update history.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "api/rest_api.h"
#include "api/rest_call.h"
#include "api/rest_json.h"
#include "api/rest_render.h"
#include "api/watch_log.h"
#include "update/function_request.h"

namespace tether::api {

namespace {

using Json = nlohmann::json;

bool InTokenScope(const accounts::Identity& identity, const dns::Name& fqdn) {
  return identity.hosts.empty() ||
         std::any_of(identity.hosts.begin(), identity.hosts.end(),
                     [&](const dns::Name& name) { return name.EqualsIgnoreCase(fqdn); });
}

Json HostWithRecords(const store::HostInfo& host, zone::ZoneRegistry& zones) {
  Json body = HostJson(host);
  Json records = Json::array();
  for (const auto& rrset : ReadHostRrsets(zones, host.fqdn)) records.push_back(RrsetJson(rrset));
  body["records"] = std::move(records);
  return body;
}

}  // namespace

ApiResult<store::HostInfo> RestApi::OwnHost(const Call& call, const std::string& name_param) const {
  auto name = ParseHostName(name_param);
  // Another account's host is answered exactly like a missing one.
  auto host = name ? services_.directory.Host(*name) : std::nullopt;
  if (!host || host->user_id != call.identity.user_id) {
    return ApiFail(404, "no host '" + name_param.substr(0, 255) + "' in this account");
  }
  if (!InTokenScope(call.identity, host->fqdn)) {
    return ApiFail(403, "this token may not use " + host->fqdn.ToText());
  }
  return *host;
}

ApiResult<HttpResponse> RestApi::ListHosts(const Call& call) {
  if (auto query = ParseEmptyQuery(call.request.query); !query) return tl::unexpected(query.error());
  std::vector<store::HostInfo> hosts = services_.directory.HostsOf(call.identity.user_id);
  std::sort(hosts.begin(), hosts.end(), [](const auto& a, const auto& b) { return a.fqdn < b.fqdn; });
  Json list = Json::array();
  for (const auto& host : hosts) {
    if (InTokenScope(call.identity, host.fqdn)) list.push_back(HostJson(host));
  }
  return JsonResponse(200, DumpJson({{"hosts", std::move(list)}}));
}

ApiResult<HttpResponse> RestApi::CreateHost(const Call& call) {
  if (auto query = ParseEmptyQuery(call.request.query); !query) return tl::unexpected(query.error());
  auto body = ParseHostBody(call.request.body);
  if (!body) return tl::unexpected(body.error());
  const dns::Name& fqdn = body->name;
  // A token limited to some hosts must not be able to mint new ones it could then use.
  if (!call.identity.hosts.empty()) return ApiFail(403, "a token limited to some hosts may not register hosts");
  if (fqdn.LabelCount() < 2) return ApiFail(422, "a host is one label under a service zone, like home.dyn.example.net");
  const dns::Name origin = fqdn.Parent();
  std::optional<int64_t> zone_id = services_.service_zone_id ? services_.service_zone_id(origin) : std::nullopt;
  if (!zone_id) return ApiFail(422, origin.ToText() + " is not a service zone");
  if (auto allowed = accounts::CheckHostLabel(fqdn.FirstLabel(), policy_); !allowed) {
    return ApiFail(422, allowed.error().message);
  }
  auto user = services_.directory.UserById(call.identity.user_id);
  if (!user) return ApiFail(401, "the token's account no longer exists");

  MutexLock lock(create_mu_);
  if (services_.directory.Host(fqdn)) return ApiFail(409, fqdn.ToText() + " is taken");
  // A name the operator put in the zone by other means is taken as well.
  if (auto zone = services_.zones.Get(origin); zone != nullptr && !zone->Get(fqdn).empty()) {
    return ApiFail(409, fqdn.ToText() + " is taken");
  }
  const int limit = user->host_limit > 0 ? user->host_limit : policy_.default_host_limit;
  if (limit > 0 && services_.directory.HostsOf(user->id).size() >= static_cast<size_t>(limit)) {
    return ApiFail(403, "this account has reached its limit of " + std::to_string(limit) + " hosts");
  }
  store::HostInfo host;
  host.fqdn = fqdn;
  host.user_id = user->id;
  host.zone_id = *zone_id;
  host.created = Now();
  auto created = services_.accounts.CreateHost(host);
  if (!created) {
    if (created.error().code == ErrorCode::kAlreadyExists) return ApiFail(409, fqdn.ToText() + " is taken");
    return ApiFail(503, "the host could not be stored: " + created.error().message);
  }
  services_.directory.PutHost(*created);
  HttpResponse response = JsonResponse(201, DumpJson(HostWithRecords(*created, services_.zones)));
  response.headers.emplace_back("Location", "/api/v1/hosts/" + created->fqdn.ToText());
  return response;
}

ApiResult<HttpResponse> RestApi::GetHost(const Call& call) {
  if (auto query = ParseEmptyQuery(call.request.query); !query) return tl::unexpected(query.error());
  auto host = OwnHost(call, call.params.at(0));
  if (!host) return tl::unexpected(host.error());
  return JsonResponse(200, DumpJson(HostWithRecords(*host, services_.zones)));
}

void RestApi::DeleteHost(const CallPtr& call) {
  if (auto query = ParseEmptyQuery(call->request.query); !query) return Reply(*call, tl::unexpected(query.error()));
  auto host = OwnHost(*call, call->params.at(0));
  if (!host) return Reply(*call, tl::unexpected(host.error()));
  // Deleting a host deletes records of every type.
  if (!call->identity.types.empty()) {
    return Reply(*call, ApiFail(403, "a token limited to some record types may not delete hosts"));
  }
  // Deleting a frozen host would take its records and history with it.
  if (store::UpdatesRefused(host->abuse_state)) {
    return Reply(*call, ApiFail(403, host->fqdn.ToText() +
                                         " is frozen by the abuse desk: it cannot be deleted"));
  }
  LogIfWatched(*host, call->request.client_address, call->user_agent, call->identity.label,
               "delete host");
  // The store and the directory forget the host only after its names are gone for good, so a
  // failed removal leaves a host its owner can still see and delete again. Then the names
  // go once more: an update accepted meanwhile (authenticated before the host was forgotten
  // here, or on another node before it heard of it) may have written them back.
  std::vector<dns::Name> names;
  for (const auto& [owner, subname] : HostOwners(host->fqdn)) names.push_back(owner);
  auto forget = [this, call, id = host->id, zone = host->fqdn.Parent(), names] {
    auto deleted = services_.accounts.DeleteHost(id);
    if (!deleted) return Reply(*call, ApiFail(503, "the host could not be deleted: " + deleted.error().message));
    services_.directory.RemoveHost(id);
    services_.updates.Submit(zone, update::ClearNamesRequest(names, [](const update::UpdateOutcome&) {}));
    Reply(*call, JsonResponse(204, ""));
  };
  auto request = update::ClearNamesRequest(
      names, [this, call, forget](const update::UpdateOutcome& outcome) {
        if (outcome.rcode != dns::Rcode::kNoError) {
          return Reply(*call, tl::unexpected(ApiError{503, "the host's records could not be removed; try again", 5}));
        }
        // Done runs on the zone's updater: the store write waits elsewhere.
        services_.work.Submit(forget);
      });
  // A zone that is no longer dynamic took the host's names with it.
  if (!services_.updates.Submit(host->fqdn.Parent(), std::move(request))) forget();
}

ApiResult<HttpResponse> RestApi::History(const Call& call) {
  auto limit = ParseHistoryQuery(call.request.query);
  if (!limit) return tl::unexpected(limit.error());
  auto host = OwnHost(call, call.params.at(0));
  if (!host) return tl::unexpected(host.error());
  auto entries = services_.accounts.ReadHistory(host->id, *limit);
  if (!entries) return ApiFail(503, "the history could not be read: " + entries.error().message);
  // Newest first, whatever order the store keeps.
  std::sort(entries->begin(), entries->end(), [](const auto& a, const auto& b) {
    return a.time != b.time ? a.time > b.time : a.id > b.id;
  });
  Json list = Json::array();
  for (const auto& entry : *entries) list.push_back(HistoryJson(entry));
  return JsonResponse(200, DumpJson({{"host", host->fqdn.ToText()}, {"entries", std::move(list)}}));
}

}  // namespace tether::api
