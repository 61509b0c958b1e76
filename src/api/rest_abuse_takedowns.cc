// RestApi: takedown orders for the abuse desk (abuse/takedown.h) — preview, apply, restore,
// list, as `tether takedown` does them — and the RPZ feed as a zone file for resolvers that
// cannot transfer it with TSIG. The acting person is the token's user name, so the second
// approver of a large order is another person, not another token.
#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "abuse/takedown.h"
#include "api/rest_abuse.h"
#include "api/rest_api.h"
#include "api/rest_call.h"
#include "api/rest_json.h"
#include "api/rest_render.h"
#include "base/cidr.h"
#include "base/time_text.h"
#include "store/store.h"
#include "zone/master_file.h"

namespace tether::api {

namespace {

using Json = nlohmann::json;

constexpr size_t kMaxOrderNames = 20000;  // the body limit (64 KiB by default) comes first
constexpr size_t kMaxReason = 4096;

ApiResult<int64_t> TakedownId(const std::string& text) {
  int64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) {
    return ApiFail(404, "no takedown '" + text.substr(0, 32) + "'");
  }
  return id;
}

// "origin before after" lines as objects.
Json SerialsJson(const std::string& serials) {
  Json out = Json::array();
  std::istringstream lines(serials);
  std::string zone;
  uint64_t before = 0;
  uint64_t after = 0;
  while (lines >> zone >> before >> after)
    out.push_back({{"zone", zone}, {"before", before}, {"after", after}});
  return out;
}

Json TakedownJson(const store::Takedown& takedown) {
  Json ns = Json::array();
  for (const auto& name : takedown.ns) ns.push_back(name);
  Json names = Json::array();
  for (const auto& name : takedown.names) names.push_back(name);
  Json restored_names = Json::array();
  const abuse::NameSet restored = abuse::RestoredNames(takedown.snapshot);
  for (const auto& name : std::set<dns::Name>(restored.begin(), restored.end())) restored_names.push_back(name.ToText());
  return {{"id", takedown.id},
          {"kind", takedown.is_order() ? "order" : "preview"},
          {"status", store::TakedownStatusName(takedown.status)},
          {"preview", takedown.preview_id != 0 ? Json(takedown.preview_id) : Json(nullptr)},
          {"created", TimeJson(takedown.created)},
          {"author", takedown.author},
          {"approver", takedown.approver.empty() ? Json(nullptr) : Json(takedown.approver)},
          {"action", store::EnforceActionName(takedown.action)},
          {"ns", std::move(ns)},
          {"reason", takedown.reason},
          {"reference", takedown.reference},
          {"expires", TimeJson(takedown.expires)},
          {"forced", takedown.forced},
          {"names", std::move(names)},
          {"restored_names", std::move(restored_names)},
          {"serials", SerialsJson(takedown.serials)},
          {"applied", TimeJson(takedown.applied)},
          {"restored", TimeJson(takedown.restored)}};
}

ApiResult<std::vector<std::string>> NameList(const Json& value) {
  if (!value.is_array()) return ApiFail(400, "names must be an array of strings");
  if (value.empty()) return ApiFail(422, "names must not be empty");
  if (value.size() > kMaxOrderNames) return ApiFail(422, "an order lists at most 20000 names");
  std::vector<std::string> out;
  for (size_t i = 0; i < value.size(); ++i) {
    auto text = JsonText(value[i], "names[" + std::to_string(i) + "]");
    if (!text) return tl::unexpected(text.error());
    out.push_back(std::move(*text));
  }
  return out;
}

ApiResult<bool> Flag(const Json& json, const char* field) {
  if (!json.contains(field)) return false;
  if (!json[field].is_boolean()) return ApiFail(400, std::string(field) + " must be true or false");
  return json[field].get<bool>();
}

}  // namespace

ApiResult<HttpResponse> RestApi::ListTakedowns(const Call& call) {
  if (auto desk = DeskCaller(call); !desk) return tl::unexpected(desk.error());
  if (auto query = ParseEmptyQuery(call.request.query); !query)
    return tl::unexpected(query.error());
  auto all = services_.store->takedowns().ListTakedowns();
  if (!all) return tl::unexpected(StoreError(all.error()));
  Json list = Json::array();
  for (const auto& takedown : *all) {
    // The list leaves out snapshots; an order restored in part needs its own to say which.
    if (takedown.status == store::TakedownStatus::kApplied) {
      auto full = services_.store->takedowns().GetTakedown(takedown.id);
      if (full && *full) {
        list.push_back(TakedownJson(**full));
        continue;
      }
    }
    list.push_back(TakedownJson(takedown));
  }
  return JsonResponse(200, DumpJson({{"takedowns", std::move(list)}}));
}

ApiResult<HttpResponse> RestApi::PreviewTakedown(const Call& call) {
  auto desk = DeskCaller(call);
  if (!desk) return tl::unexpected(desk.error());
  if (auto query = ParseEmptyQuery(call.request.query); !query)
    return tl::unexpected(query.error());
  auto json = ParseJsonObject(call.request.body,
                              {"names", "action", "ns", "reason", "reference", "expires", "force"});
  if (!json) return tl::unexpected(json.error());
  for (const char* field : {"names", "action", "reason"}) {
    if (!json->contains(field)) return ApiFail(400, std::string("missing field '") + field + "'");
  }
  abuse::PreviewRequest request;
  auto names = NameList((*json)["names"]);
  if (!names) return tl::unexpected(names.error());
  request.names = std::move(*names);
  auto action_text = JsonText((*json)["action"], "action");
  if (!action_text) return tl::unexpected(action_text.error());
  auto action =
      store::EnforceActionFromName(*action_text == "delegate" ? "delegated" : *action_text);
  if (!action) return ApiFail(422, "action must be nxdomain, nodata, sinkhole or delegated");
  request.action = *action;
  if (json->contains("ns")) {
    auto ns = NameList((*json)["ns"]);
    if (!ns) return tl::unexpected(ns.error());
    request.ns = std::move(*ns);
  }
  auto reason = FreeText((*json)["reason"], "reason", kMaxReason, true);
  if (!reason) return tl::unexpected(reason.error());
  request.reason = std::move(*reason);
  if (json->contains("reference")) {
    auto reference = FreeText((*json)["reference"], "reference", kMaxReason, false);
    if (!reference) return tl::unexpected(reference.error());
    request.reference = std::move(*reference);
  }
  if (json->contains("expires") && !(*json)["expires"].is_null()) {
    auto text = JsonText((*json)["expires"], "expires");
    if (!text) return tl::unexpected(text.error());
    auto expires = ParseTimeText(*text, Now());
    if (!expires) return ApiFail(422, "expires: " + expires.error().message);
    if (*expires <= Now()) return ApiFail(422, "expires is in the past");
    request.expires = *expires;
  }
  auto force = Flag(*json, "force");
  if (!force) return tl::unexpected(force.error());
  request.force = *force;
  request.author = desk->name;
  auto preview = services_.takedowns->Preview(request);
  if (!preview) return tl::unexpected(StoreError(preview.error()));
  HttpResponse response = JsonResponse(201, DumpJson({{"preview", preview->id},
                                                      {"names", preview->names.size()},
                                                      {"report", preview->report}}));
  response.headers.emplace_back(
      "Location", "/api/v1/abuse/takedowns/" + std::to_string(preview->id) + "/apply");
  return response;
}

ApiResult<HttpResponse> RestApi::ApplyTakedown(const Call& call) {
  auto desk = DeskCaller(call);
  if (!desk) return tl::unexpected(desk.error());
  if (auto query = ParseEmptyQuery(call.request.query); !query)
    return tl::unexpected(query.error());
  auto id = TakedownId(call.params.at(0));
  if (!id) return tl::unexpected(id.error());
  auto json = ParseJsonObject(call.request.body.empty() ? "{}" : call.request.body, {"approve"});
  if (!json) return tl::unexpected(json.error());
  auto approve = Flag(*json, "approve");
  if (!approve) return tl::unexpected(approve.error());
  auto order = services_.takedowns->Apply(*id, desk->name, *approve);
  if (!order) return tl::unexpected(StoreError(order.error()));
  Json body = TakedownJson(*order);
  body["order"] = order->id;
  return JsonResponse(200, DumpJson(body));
}

ApiResult<HttpResponse> RestApi::RestoreTakedown(const Call& call) {
  auto desk = DeskCaller(call);
  if (!desk) return tl::unexpected(desk.error());
  if (auto query = ParseEmptyQuery(call.request.query); !query)
    return tl::unexpected(query.error());
  auto id = TakedownId(call.params.at(0));
  if (!id) return tl::unexpected(id.error());
  auto json = ParseJsonObject(call.request.body, {"reason"});
  if (!json) return tl::unexpected(json.error());
  if (!json->contains("reason")) return ApiFail(400, "missing field 'reason'");
  auto reason = FreeText((*json)["reason"], "reason", kMaxReason, true);
  if (!reason) return tl::unexpected(reason.error());
  auto order = services_.takedowns->Restore(*id, desk->name, *reason);
  if (!order) return tl::unexpected(StoreError(order.error()));
  Json body = TakedownJson(*order);
  body["order"] = order->id;
  return JsonResponse(200, DumpJson(body));
}

ApiResult<HttpResponse> RestApi::RpzFeed(const Call& call) {
  auto parameters = ParseQueryParameters(call.request.query, {"zone"});
  if (!parameters) return tl::unexpected(parameters.error());
  auto zones = services_.store->ListZones();
  if (!zones) return tl::unexpected(StoreError(zones.error()));
  std::vector<store::ZoneInfo> policy;
  for (const auto& zone : *zones) {
    if (zone.rpz) policy.push_back(zone);
  }
  std::optional<store::ZoneInfo> chosen;
  if (!parameters->empty()) {
    auto origin = ParseHostName(parameters->front().second);
    if (!origin) return tl::unexpected(origin.error());
    for (const auto& zone : policy) {
      if (zone.origin.EqualsIgnoreCase(*origin)) chosen = zone;
    }
    if (!chosen) return ApiFail(404, "no policy zone " + origin->ToText());
  } else if (policy.size() == 1) {
    chosen = policy.front();
  } else {
    return ApiFail(policy.empty() ? 404 : 400,
                   policy.empty() ? "no policy zone is served here"
                                  : "several policy zones: name one with ?zone=ORIGIN");
  }
  if (call.anonymous) {
    // As for a transfer without TSIG: the client's address must be in the zone's networks.
    auto settings = services_.store->GetTransferSettings(chosen->id);
    if (!settings) return tl::unexpected(StoreError(settings.error()));
    const bool allowed =
        std::any_of(settings->cidrs.begin(), settings->cidrs.end(), [&](const std::string& text) {
          auto cidr = Cidr::Parse(text);
          return cidr && cidr->Contains(reinterpret_cast<const sockaddr*>(&call.client));
        });
    if (!allowed) {
      return ApiFail(
          401, "an abuse desk token is required, or an address in the zone's transfer networks");
    }
  } else if (auto desk = DeskCaller(call); !desk) {
    return tl::unexpected(desk.error());
  }
  std::shared_ptr<zone::Zone> zone = services_.zones.Get(chosen->origin);
  if (zone == nullptr) zone = services_.updates.GetZone(chosen->origin);
  if (zone == nullptr)
    return ApiFail(503, "the policy zone " + chosen->origin.ToText() + " is not loaded");
  std::ostringstream text;
  if (auto written = zone::WriteMasterFile(*zone, text); !written)
    return tl::unexpected(StoreError(written.error()));
  HttpResponse response;
  response.status = 200;
  response.content_type = "text/plain; charset=utf-8";
  response.body = text.str();
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace tether::api
