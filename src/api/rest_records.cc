// RestApi: the records of a host — read from the published zone, replaced or removed one
// RRset at a time through the update path.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "api/rest_api.h"
#include "api/rest_call.h"
#include "api/rest_json.h"
#include "api/rest_render.h"
#include "api/watch_log.h"
#include "update/function_request.h"
#include "zone/node.h"

namespace tether::api {

namespace {

using Json = nlohmann::json;

const zone::Rrset* FindType(const std::vector<zone::Rrset>& rrsets, dns::RrType type) {
  for (const auto& rrset : rrsets) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

// What the updater decided, for the Done that answers.
struct RecordsOutcome {
  std::optional<ApiError> refused;
  std::vector<zone::Rrset> before;
  std::vector<zone::Rrset> after;
  bool changed = false;
};

// Decides the new content of `owner` on the zone's updater, against the content as earlier
// requests of the batch left it, so two racing clients are both judged on what is there.
dns::Rcode ApplyRrset(update::ZoneView& view, const dns::Name& owner, dns::RrType type,
                      const std::optional<zone::Rrset>& wanted, RecordsOutcome& outcome) {
  const std::vector<zone::Rrset>& current = view.Get(owner);
  outcome.before = current;
  if (wanted) {
    // RFC 1034 3.6.2 / RFC 2181 10.1: a name with a CNAME has no other data.
    const bool other_data = std::any_of(current.begin(), current.end(),
                                        [&](const zone::Rrset& rrset) { return rrset.type != type; });
    if (type == dns::RrType::kCname && other_data) {
      outcome.refused = ApiError{409, owner.ToText() + " has other records: a CNAME cannot be added (RFC 1034 3.6.2)", 0};
      return dns::Rcode::kYxRrset;
    }
    if (type != dns::RrType::kCname && FindType(current, dns::RrType::kCname) != nullptr) {
      outcome.refused = ApiError{409, owner.ToText() + " has a CNAME: it cannot have other records (RFC 1034 3.6.2)", 0};
      return dns::Rcode::kYxRrset;
    }
  }
  std::vector<zone::Rrset> next;
  for (const auto& rrset : current) {
    if (rrset.type != type) next.push_back(rrset);
  }
  if (wanted) next.push_back(*wanted);
  zone::NormalizeRrsets(&next);
  if (auto fits = zone::CheckRrsetsFit(next); !fits) {
    outcome.refused = ApiError{413, "the records do not fit: " + fits.error().message, 0};
    return dns::Rcode::kRefused;
  }
  outcome.after = next;
  if (next != current) {
    view.Set(owner, std::move(next));
    outcome.changed = true;
  }
  return dns::Rcode::kNoError;
}

}  // namespace

std::vector<std::pair<dns::Name, std::string>> HostOwners(const dns::Name& host) {
  std::vector<std::pair<dns::Name, std::string>> out = {{host, ""}};
  for (const char* label : {"*", "_acme-challenge"}) {
    if (auto name = host.Prepend(label)) out.emplace_back(std::move(*name), label);
  }
  return out;
}

std::vector<HostRrset> ReadHostRrsets(zone::ZoneRegistry& zones, const dns::Name& host) {
  std::vector<HostRrset> out;
  if (host.IsRoot()) return out;
  std::shared_ptr<zone::Zone> zone = zones.Get(host.Parent());
  if (zone == nullptr) return out;
  for (const auto& [owner, subname] : HostOwners(host)) {
    for (auto& rrset : zone->Get(owner)) out.push_back({owner, subname, std::move(rrset)});
  }
  return out;
}

ApiResult<HttpResponse> RestApi::ListRecords(const Call& call) {
  if (auto query = ParseEmptyQuery(call.request.query); !query) return tl::unexpected(query.error());
  auto host = OwnHost(call, call.params.at(0));
  if (!host) return tl::unexpected(host.error());
  Json list = Json::array();
  for (const auto& rrset : ReadHostRrsets(services_.zones, host->fqdn)) list.push_back(RrsetJson(rrset));
  return JsonResponse(200, DumpJson({{"host", host->fqdn.ToText()}, {"records", std::move(list)}}));
}

ApiResult<HttpResponse> RestApi::GetRecords(const Call& call) {
  auto subname = ParseRecordsQuery(call.request.query);
  if (!subname) return tl::unexpected(subname.error());
  auto host = OwnHost(call, call.params.at(0));
  if (!host) return tl::unexpected(host.error());
  auto type = ParseRecordType(call.params.at(1));
  if (!type) return tl::unexpected(type.error());
  for (const auto& rrset : ReadHostRrsets(services_.zones, host->fqdn)) {
    if (rrset.subname == *subname && rrset.rrset.type == *type) return JsonResponse(200, DumpJson(RrsetJson(rrset)));
  }
  return ApiFail(404, "no " + dns::RrTypeToString(*type) + " records there");
}

void RestApi::ChangeRecords(const CallPtr& call) {
  const bool put = call->route == RestRoute::kPutRecords;
  auto subname = ParseRecordsQuery(call->request.query);
  if (!subname) return Reply(*call, tl::unexpected(subname.error()));
  auto host = OwnHost(*call, call->params.at(0));
  if (!host) return Reply(*call, tl::unexpected(host.error()));
  auto type = ParseRecordType(call->params.at(1));
  if (!type) return Reply(*call, tl::unexpected(type.error()));
  if (!call->identity.MayChange(*host, *type)) {
    return Reply(*call, ApiFail(403, "this token may not change " + dns::RrTypeToString(*type) + " records"));
  }
  if (host->lifecycle == store::Lifecycle::kExpired) {
    return Reply(*call, ApiFail(409, host->fqdn.ToText() + " has expired: its records cannot change"));
  }
  // A frozen host keeps its records; the refused change is kept in its history (docs/abuse.md).
  if (store::UpdatesRefused(host->abuse_state)) {
    store::HistoryEntry entry;
    entry.host_id = host->id;
    entry.time = Now();
    entry.source = call->request.client_address;
    entry.user_agent = call->user_agent;
    entry.credential = call->identity.label;
    entry.new_value = (subname->empty() ? "" : *subname + ": ") + (put ? "set " : "delete ") +
                      dns::RrTypeToString(*type);
    entry.result = "abuse: host frozen";
    services_.accounts.AppendHistory(std::move(entry));
    return Reply(*call,
                 ApiFail(403, host->fqdn.ToText() +
                                  " is frozen by the abuse desk: its records cannot change"));
  }
  // An offline (parked) host publishes no addresses; setting one would silently unpark it.
  if (host->lifecycle == store::Lifecycle::kOffline && subname->empty() && put &&
      (*type == dns::RrType::kA || *type == dns::RrType::kAaaa)) {
    return Reply(*call, ApiFail(409, host->fqdn.ToText() + " is offline: it publishes no address records"));
  }
  auto owner = subname->empty() ? Result<dns::Name>(host->fqdn) : host->fqdn.Prepend(*subname);
  if (!owner) return Reply(*call, ApiFail(422, owner.error().message));
  std::optional<zone::Rrset> wanted;
  if (put) {
    auto body = ParseRecordsBody(call->request.body);
    if (!body) return Reply(*call, tl::unexpected(body.error()));
    // Relative names in values are relative to the host, also at its subnames.
    auto rdatas = ParseRecordValues(*type, body->values, host->fqdn);
    if (!rdatas) return Reply(*call, tl::unexpected(rdatas.error()));
    const uint32_t ttl = std::max(body->ttl.value_or(options_.default_ttl), options_.ttl_floor);
    wanted = zone::Rrset{*type, ttl, std::move(*rdatas)};
  }

  auto outcome = std::make_shared<RecordsOutcome>();
  auto request = std::make_unique<update::FunctionRequest>(
      [owner = *owner, type = *type, wanted, outcome](update::ZoneView& view) {
        return ApplyRrset(view, owner, type, wanted, *outcome);
      },
      [this, call, host = *host, owner = *owner, subname = *subname, type = *type, put,
       outcome](const update::UpdateOutcome& result) {
        // Every accepted or refused change is kept in the host's history (DESIGN.md).
        store::HistoryEntry entry;
        entry.host_id = host.id;
        entry.time = Now();
        entry.source = call->request.client_address;
        entry.user_agent = call->user_agent;
        entry.credential = call->identity.label;
        const std::string where = subname.empty() ? "" : subname + ": ";
        entry.old_value = where + DescribeRrsets(outcome->before);
        entry.new_value = where + DescribeRrsets(outcome->refused ? outcome->before : outcome->after);
        ApiResult<HttpResponse> response = JsonResponse(204, "");
        if (outcome->refused) {
          entry.result = "refused: " + outcome->refused->message;
          response = tl::unexpected(*outcome->refused);
        } else if (result.rcode != dns::Rcode::kNoError) {
          // Not durable: nothing may be reported as done.
          entry.result = "dnserr";
          response = tl::unexpected(ApiError{503, "the change could not be made durable; try again", 5});
        } else {
          entry.result = outcome->changed ? "good" : "nochg";
          if (put) {
            const zone::Rrset* stored = FindType(outcome->after, type);
            response = stored != nullptr ? JsonResponse(200, DumpJson(RrsetJson({owner, subname, *stored})))
                                         : ApiResult<HttpResponse>(ApiFail(500, "the records vanished"));
          }
        }
        if (entry.result == "good") {
          entry.touches_host = services_.directory.TouchHost(host, entry.time);
        }
        LogIfWatched(host, entry.source, entry.user_agent, entry.credential,
                     entry.result + " " + entry.new_value);
        services_.accounts.AppendHistory(std::move(entry));
        Reply(*call, std::move(response));
      });
  if (!services_.updates.Submit(host->fqdn.Parent(), std::move(request))) {
    Reply(*call, ApiFail(503, "the zone of " + host->fqdn.ToText() + " does not take updates now"));
  }
}

}  // namespace tether::api
