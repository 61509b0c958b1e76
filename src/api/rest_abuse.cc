// RestApi: the abuse desk (docs/abuse.md, "REST API") — reports, appeals and host states,
// and the dispatch of every /api/v1/abuse/ route. Takedown orders and the RPZ feed are in
// rest_abuse_takedowns.cc, the monthly counts in rest_abuse_stats.cc.
//
// Who may do what: anyone files a report; an account owner files appeals against the action
// on their own hosts and sees their own appeals; everything else is for users with the role
// `abuse` or `admin`, with a token that is not narrowed to hosts or record types (a narrow
// token handed to a router must not act for the desk). The acting person is the token's
// user name: that is the actor in the audit log and the approver of a takedown order.
#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "abuse/takedown.h"
#include "api/rest_abuse.h"
#include "api/rest_api.h"
#include "api/rest_call.h"
#include "api/rest_json.h"
#include "api/rest_render.h"
#include "store/store.h"

namespace tether::api {

namespace {

using Json = nlohmann::json;

constexpr size_t kMaxEvidence = 8192;
constexpr size_t kMaxContact = 320;
constexpr size_t kMaxNote = 4096;
constexpr const char* kCategories[] = {"malware", "phishing", "botnet", "spam", "fraud", "other"};

ApiResult<int64_t> Id(const std::string& text, const std::string& what) {
  int64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) {
    return ApiFail(404, "no " + what + " '" + text.substr(0, 32) + "'");
  }
  return id;
}

// The case with what its name is now: the host (if it is one), its account and abuse state.
Json CaseJson(const store::AbuseCase& report, const accounts::Directory& directory) {
  Json target = nullptr;
  if (auto name = dns::Name::FromText(report.name)) {
    if (auto host = directory.Host(*name)) {
      auto owner = directory.UserById(host->user_id);
      target = HostStateJson(*host);
      target["account"] = owner ? Json(owner->name) : Json(nullptr);
    }
  }
  return {{"id", report.id},
          {"created", TimeJson(report.created)},
          {"name", report.name},
          {"category", report.category},
          {"evidence", report.evidence},
          {"contact", report.contact},
          {"source", report.source},
          {"state", store::CaseStateName(report.state)},
          {"note", report.note},
          {"updated_by", report.updated_by.empty() ? Json(nullptr) : Json(report.updated_by)},
          {"updated", TimeJson(report.updated)},
          {"target", std::move(target)}};
}

Json AppealJson(const store::Appeal& appeal, const accounts::Directory& directory) {
  auto owner = directory.UserById(appeal.user_id);
  return {{"id", appeal.id},
          {"created", TimeJson(appeal.created)},
          {"name", appeal.name},
          {"account", owner ? Json(owner->name) : Json(nullptr)},
          {"text", appeal.text},
          {"state", appeal.state},
          {"order", appeal.order != 0 ? Json(appeal.order) : Json(nullptr)},
          {"decision", store::AppealDecisionName(appeal.decision)},
          {"note", appeal.note},
          {"decided_by", appeal.decided_by.empty() ? Json(nullptr) : Json(appeal.decided_by)},
          {"decided", TimeJson(appeal.decided)}};
}

HttpResponse Created(Json body, const std::string& location) {
  HttpResponse response = JsonResponse(201, DumpJson(body));
  response.headers.emplace_back("Location", location);
  return response;
}

}  // namespace

// ---- shared by the rest_abuse*.cc files ----

ApiError StoreError(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return {400, error.message, 0};
    case ErrorCode::kNotFound:
      return {404, error.message, 0};
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kAborted:
      return {409, error.message, 0};
    case ErrorCode::kPermissionDenied:
      return {403, error.message, 0};
    case ErrorCode::kUnavailable:
    case ErrorCode::kIo:
      return {503, error.message, 0};
    default:
      return {500, error.message, 0};
  }
}

ApiResult<std::string> FreeText(const Json& value, std::string_view what, size_t max,
                                bool required) {
  if (!value.is_string()) return ApiFail(400, std::string(what) + " must be a string");
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() > max)
    return ApiFail(422, std::string(what) + " is longer than " + std::to_string(max) + " bytes");
  if (required && text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return ApiFail(422, std::string(what) + " must not be empty");
  }
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n' && c != '\t' && c != '\r') || byte == 0x7f) {
      return ApiFail(422, std::string(what) + " contains a control character");
    }
  }
  return text;
}

Json HostStateJson(const store::HostInfo& host) {
  const bool enforced = host.abuse_state == store::AbuseState::kEnforced;
  return {{"name", host.fqdn.ToText()},
          {"abuse", store::AbuseStateName(host.abuse_state)},
          {"action", enforced ? Json(store::EnforceActionName(host.abuse_action)) : Json(nullptr)},
          {"order", enforced ? Json(host.abuse_order) : Json(nullptr)},
          {"reason", host.abuse_reason},
          {"since", TimeJson(host.abuse_since)}};
}

// ---- who is asking ----

ApiResult<store::UserInfo> RestApi::Caller(const Call& call) const {
  if (call.anonymous) return ApiFail(401, "an API token is required (Authorization: Bearer TOKEN)");
  auto user = services_.directory.UserById(call.identity.user_id);
  if (!user) return ApiFail(401, "the token's account no longer exists");
  return *user;
}

ApiResult<store::UserInfo> RestApi::DeskCaller(const Call& call) const {
  auto user = Caller(call);
  if (!user) return user;
  if (user->role != store::Role::kAbuse && user->role != store::Role::kAdmin) {
    return ApiFail(403,
                   "this is for the abuse desk: the token's user needs the role abuse or admin");
  }
  if (!call.token.hosts.empty() || !call.token.types.empty()) {
    return ApiFail(403, "a token narrowed to hosts or record types cannot act for the abuse desk");
  }
  return user;
}

ApiResult<HttpResponse> RestApi::HandleAbuse(const Call& call) {
  if (services_.store == nullptr || services_.takedowns == nullptr) {
    return ApiFail(503, "the abuse desk is not available on this server");
  }
  switch (call.route) {
    case RestRoute::kCreateReport:
      return CreateReport(call);
    case RestRoute::kListReports:
      return ListReports(call);
    case RestRoute::kGetReport:
      return GetReport(call);
    case RestRoute::kUpdateReport:
      return UpdateReport(call);
    case RestRoute::kCreateAppeal:
      return CreateAppeal(call);
    case RestRoute::kListAppeals:
      return ListAppeals(call);
    case RestRoute::kDecideAppeal:
      return DecideAppeal(call);
    case RestRoute::kAbuseStats:
      return AbuseStats(call);
    case RestRoute::kGetHostState:
      return GetHostState(call);
    case RestRoute::kSetHostState:
      return SetHostState(call);
    case RestRoute::kListTakedowns:
      return ListTakedowns(call);
    case RestRoute::kPreviewTakedown:
      return PreviewTakedown(call);
    case RestRoute::kApplyTakedown:
      return ApplyTakedown(call);
    case RestRoute::kRestoreTakedown:
      return RestoreTakedown(call);
    case RestRoute::kRpzFeed:
      return RpzFeed(call);
    default:
      return ApiFail(500, "not an abuse route");
  }
}

// ---- reports ----

ApiResult<HttpResponse> RestApi::CreateReport(const Call& call) {
  if (auto query = ParseEmptyQuery(call.request.query); !query)
    return tl::unexpected(query.error());
  auto json = ParseJsonObject(call.request.body, {"name", "category", "evidence", "contact"});
  if (!json) return tl::unexpected(json.error());
  for (const char* field : {"name", "category", "evidence", "contact"}) {
    if (!json->contains(field)) return ApiFail(400, std::string("missing field '") + field + "'");
  }
  auto name_text = JsonText((*json)["name"], "name");
  if (!name_text) return tl::unexpected(name_text.error());
  auto name = ParseHostName(*name_text);
  if (!name) return tl::unexpected(name.error());
  auto category = JsonText((*json)["category"], "category");
  if (!category) return tl::unexpected(category.error());
  if (std::find(std::begin(kCategories), std::end(kCategories), *category) ==
      std::end(kCategories)) {
    return ApiFail(422, "category must be one of malware, phishing, botnet, spam, fraud, other");
  }
  auto evidence = FreeText((*json)["evidence"], "evidence", kMaxEvidence, true);
  if (!evidence) return tl::unexpected(evidence.error());
  auto contact = FreeText((*json)["contact"], "contact", kMaxContact, true);
  if (!contact) return tl::unexpected(contact.error());

  store::AbuseCase report;
  report.created = Now();
  report.name = name->ToText();
  report.category = *category;
  report.evidence = *evidence;
  report.contact = *contact;
  report.source = call.request.client_address.substr(0, 64);
  auto stored = services_.store->cases().CreateCase(report);
  if (!stored) return ApiFail(503, "the report could not be stored: " + stored.error().message);
  const std::string id = std::to_string(stored->id);
  return Created({{"id", stored->id}, {"state", store::CaseStateName(stored->state)}},
                 "/api/v1/abuse/reports/" + id);
}

ApiResult<HttpResponse> RestApi::ListReports(const Call& call) {
  if (auto desk = DeskCaller(call); !desk) return tl::unexpected(desk.error());
  auto parameters = ParseQueryParameters(call.request.query, {"state"});
  if (!parameters) return tl::unexpected(parameters.error());
  std::optional<store::CaseState> state;
  for (const auto& [key, value] : *parameters) {
    state = store::CaseStateFromName(value);
    if (!state) return ApiFail(422, "state must be open, acting or closed");
  }
  auto cases = services_.store->cases().ListCases(state);
  if (!cases) return tl::unexpected(StoreError(cases.error()));
  Json list = Json::array();
  for (const auto& report : *cases) list.push_back(CaseJson(report, services_.directory));
  return JsonResponse(200, DumpJson({{"reports", std::move(list)}}));
}

ApiResult<HttpResponse> RestApi::GetReport(const Call& call) {
  if (auto desk = DeskCaller(call); !desk) return tl::unexpected(desk.error());
  if (auto query = ParseEmptyQuery(call.request.query); !query)
    return tl::unexpected(query.error());
  auto id = Id(call.params.at(0), "report");
  if (!id) return tl::unexpected(id.error());
  auto found = services_.store->cases().GetCase(*id);
  if (!found) return tl::unexpected(StoreError(found.error()));
  if (!*found) return ApiFail(404, "no report " + std::to_string(*id));
  return JsonResponse(200, DumpJson(CaseJson(**found, services_.directory)));
}

ApiResult<HttpResponse> RestApi::UpdateReport(const Call& call) {
  auto desk = DeskCaller(call);
  if (!desk) return tl::unexpected(desk.error());
  if (auto query = ParseEmptyQuery(call.request.query); !query)
    return tl::unexpected(query.error());
  auto id = Id(call.params.at(0), "report");
  if (!id) return tl::unexpected(id.error());
  auto json = ParseJsonObject(call.request.body, {"state", "note"});
  if (!json) return tl::unexpected(json.error());
  if (!json->contains("state")) return ApiFail(400, "missing field 'state'");
  auto state_text = JsonText((*json)["state"], "state");
  if (!state_text) return tl::unexpected(state_text.error());
  auto state = store::CaseStateFromName(*state_text);
  if (!state) return ApiFail(422, "state must be open, acting or closed");
  std::string note;
  if (json->contains("note")) {
    auto text = FreeText((*json)["note"], "note", kMaxNote, false);
    if (!text) return tl::unexpected(text.error());
    note = std::move(*text);
  }
  auto found = services_.store->cases().GetCase(*id);
  if (!found) return tl::unexpected(StoreError(found.error()));
  if (!*found) return ApiFail(404, "no report " + std::to_string(*id));
  store::AbuseCase report = **found;
  report.state = *state;
  report.note = note;
  report.updated_by = desk->name;
  report.updated = Now();
  if (auto updated = services_.store->cases().UpdateCase(report); !updated) {
    return tl::unexpected(StoreError(updated.error()));
  }
  return JsonResponse(200, DumpJson(CaseJson(report, services_.directory)));
}

// ---- appeals ----

ApiResult<HttpResponse> RestApi::CreateAppeal(const Call& call) {
  auto user = Caller(call);
  if (!user) return tl::unexpected(user.error());
  if (auto query = ParseEmptyQuery(call.request.query); !query)
    return tl::unexpected(query.error());
  auto json = ParseJsonObject(call.request.body, {"name", "text"});
  if (!json) return tl::unexpected(json.error());
  for (const char* field : {"name", "text"}) {
    if (!json->contains(field)) return ApiFail(400, std::string("missing field '") + field + "'");
  }
  auto name_text = JsonText((*json)["name"], "name");
  if (!name_text) return tl::unexpected(name_text.error());
  auto name = ParseHostName(*name_text);
  if (!name) return tl::unexpected(name.error());
  auto text = FreeText((*json)["text"], "text", kMaxEvidence, true);
  if (!text) return tl::unexpected(text.error());
  // Someone else's host reads as no host: an appeal reveals nothing about other accounts.
  auto host = services_.directory.Host(*name);
  const bool in_scope =
      call.token.hosts.empty() ||
      std::any_of(call.token.hosts.begin(), call.token.hosts.end(),
                  [&](const dns::Name& allowed) { return allowed.EqualsIgnoreCase(*name); });
  if (!host || host->user_id != user->id || !in_scope)
    return ApiFail(404, "no host " + name->ToText());
  if (!store::UpdatesRefused(host->abuse_state)) {
    return ApiFail(409, name->ToText() + " is " + store::AbuseStateName(host->abuse_state) +
                            ": only an enforced or frozen host can be appealed");
  }
  auto mine = services_.store->cases().ListAppeals(user->id);
  if (!mine) return tl::unexpected(StoreError(mine.error()));
  for (const auto& appeal : *mine) {
    if (appeal.name == name->ToText() && appeal.decision == store::AppealDecision::kPending) {
      return ApiFail(409,
                     "appeal " + std::to_string(appeal.id) + " of " + appeal.name + " is pending");
    }
  }
  store::Appeal appeal;
  appeal.created = Now();
  appeal.name = name->ToText();
  appeal.user_id = user->id;
  appeal.text = *text;
  appeal.state = store::AbuseStateName(host->abuse_state);
  appeal.order = host->abuse_state == store::AbuseState::kEnforced ? host->abuse_order : 0;
  auto stored = services_.store->cases().CreateAppeal(appeal);
  if (!stored) return ApiFail(503, "the appeal could not be stored: " + stored.error().message);
  return Created({{"id", stored->id}, {"decision", store::AppealDecisionName(stored->decision)}},
                 "/api/v1/abuse/appeals/" + std::to_string(stored->id));
}

ApiResult<HttpResponse> RestApi::ListAppeals(const Call& call) {
  auto user = Caller(call);
  if (!user) return tl::unexpected(user.error());
  if (auto query = ParseEmptyQuery(call.request.query); !query)
    return tl::unexpected(query.error());
  const bool desk = static_cast<bool>(DeskCaller(call));
  auto appeals =
      services_.store->cases().ListAppeals(desk ? std::nullopt : std::optional<int64_t>(user->id));
  if (!appeals) return tl::unexpected(StoreError(appeals.error()));
  Json list = Json::array();
  for (const auto& appeal : *appeals) list.push_back(AppealJson(appeal, services_.directory));
  return JsonResponse(200, DumpJson({{"appeals", std::move(list)}}));
}

ApiResult<HttpResponse> RestApi::DecideAppeal(const Call& call) {
  auto desk = DeskCaller(call);
  if (!desk) return tl::unexpected(desk.error());
  if (auto query = ParseEmptyQuery(call.request.query); !query)
    return tl::unexpected(query.error());
  auto id = Id(call.params.at(0), "appeal");
  if (!id) return tl::unexpected(id.error());
  auto json = ParseJsonObject(call.request.body, {"decision", "note"});
  if (!json) return tl::unexpected(json.error());
  if (!json->contains("decision")) return ApiFail(400, "missing field 'decision'");
  auto decision_text = JsonText((*json)["decision"], "decision");
  if (!decision_text) return tl::unexpected(decision_text.error());
  if (*decision_text != "reverse" && *decision_text != "uphold") {
    return ApiFail(422, "decision must be reverse or uphold");
  }
  const bool reverse = *decision_text == "reverse";
  std::string note;
  if (json->contains("note")) {
    auto text = FreeText((*json)["note"], "note", kMaxNote, false);
    if (!text) return tl::unexpected(text.error());
    note = std::move(*text);
  }
  auto found = services_.store->cases().GetAppeal(*id);
  if (!found) return tl::unexpected(StoreError(found.error()));
  if (!*found) return ApiFail(404, "no appeal " + std::to_string(*id));
  store::Appeal appeal = **found;
  if (appeal.decision != store::AppealDecision::kPending) {
    return ApiFail(409, "appeal " + std::to_string(*id) + " is " +
                            store::AppealDecisionName(appeal.decision) + " already");
  }
  const std::string why =
      "appeal " + std::to_string(appeal.id) + " reversed" + (note.empty() ? "" : ": " + note);
  if (reverse) {
    auto name = dns::Name::FromText(appeal.name);
    auto host = name ? services_.directory.Host(*name) : std::nullopt;
    // Lifted meanwhile (restored, expired, set to none): nothing left to reverse but the record.
    if (host && host->abuse_state == store::AbuseState::kEnforced) {
      auto restored =
          services_.takedowns->RestoreNames(host->abuse_order, {host->fqdn}, desk->name, why);
      if (!restored) return tl::unexpected(StoreError(restored.error()));
    } else if (host && host->abuse_state == store::AbuseState::kFrozen) {
      auto changed = ChangeHostState(*host, store::AbuseState::kNone, why, desk->name);
      if (!changed) return tl::unexpected(changed.error());
    }
  }
  appeal.decision = reverse ? store::AppealDecision::kReversed : store::AppealDecision::kUpheld;
  appeal.note = note;
  appeal.decided_by = desk->name;
  appeal.decided = Now();
  if (auto updated = services_.store->cases().UpdateAppeal(appeal); !updated) {
    return tl::unexpected(StoreError(updated.error()));
  }
  store::AuditEntry entry;
  entry.time = appeal.decided;
  entry.actor = desk->name;
  entry.action = reverse ? "appeal.reverse" : "appeal.uphold";
  entry.reason = "appeal " + std::to_string(appeal.id) + (note.empty() ? "" : ": " + note);
  entry.names = {appeal.name};
  if (auto appended = services_.store->audit().AppendAudit(entry); !appended) {
    return ApiFail(503, "the appeal is decided, but not recorded in the audit log: " +
                            appended.error().message);
  }
  return JsonResponse(200, DumpJson(AppealJson(appeal, services_.directory)));
}

// ---- host states ----

ApiResult<store::HostInfo> RestApi::ChangeHostState(store::HostInfo host, store::AbuseState state,
                                                    const std::string& reason,
                                                    const std::string& actor) {
  const int64_t now = Now();
  if (auto set = services_.accounts.SetAbuseState(host.id, state, reason, now); !set) {
    return tl::unexpected(StoreError(set.error()));
  }
  host.abuse_state = state;
  host.abuse_reason = reason;
  host.abuse_since = now;
  host.abuse_order = 0;
  services_.directory.PutHost(host);  // write-through: updates on this node see it at once
  store::AuditEntry entry;
  entry.time = now;
  entry.actor = actor;
  entry.action = "host.state";  // as `tether host state --set` records it
  entry.reason = std::string(store::AbuseStateName(state)) + ": " + reason;
  entry.names = {host.fqdn.ToText()};
  if (auto appended = services_.store->audit().AppendAudit(entry); !appended) {
    return ApiFail(503, host.fqdn.ToText() + " is " + store::AbuseStateName(state) +
                            ", but not recorded in the audit log: " + appended.error().message);
  }
  return host;
}

ApiResult<HttpResponse> RestApi::GetHostState(const Call& call) {
  if (auto desk = DeskCaller(call); !desk) return tl::unexpected(desk.error());
  if (auto query = ParseEmptyQuery(call.request.query); !query)
    return tl::unexpected(query.error());
  auto name = ParseHostName(call.params.at(0));
  if (!name) return tl::unexpected(name.error());
  auto host = services_.directory.Host(*name);
  if (!host) return ApiFail(404, "no host " + name->ToText());
  Json body = HostStateJson(*host);
  auto owner = services_.directory.UserById(host->user_id);
  body["account"] = owner ? Json(owner->name) : Json(nullptr);
  body["lifecycle"] = store::LifecycleName(host->lifecycle);
  return JsonResponse(200, DumpJson(body));
}

ApiResult<HttpResponse> RestApi::SetHostState(const Call& call) {
  auto desk = DeskCaller(call);
  if (!desk) return tl::unexpected(desk.error());
  if (auto query = ParseEmptyQuery(call.request.query); !query)
    return tl::unexpected(query.error());
  auto name = ParseHostName(call.params.at(0));
  if (!name) return tl::unexpected(name.error());
  auto json = ParseJsonObject(call.request.body, {"state", "reason"});
  if (!json) return tl::unexpected(json.error());
  for (const char* field : {"state", "reason"}) {
    if (!json->contains(field)) return ApiFail(400, std::string("missing field '") + field + "'");
  }
  auto state_text = JsonText((*json)["state"], "state");
  if (!state_text) return tl::unexpected(state_text.error());
  auto state = store::AbuseStateFromName(*state_text);
  if (!state || *state == store::AbuseState::kEnforced) {
    return ApiFail(422,
                   "state must be watch, frozen or none (enforced comes with a takedown order)");
  }
  auto reason = FreeText((*json)["reason"], "reason", kMaxNote, true);
  if (!reason) return tl::unexpected(reason.error());
  auto host = services_.directory.Host(*name);
  if (!host) return ApiFail(404, "no host " + name->ToText());
  if (host->abuse_state == store::AbuseState::kEnforced) {
    return ApiFail(409, host->fqdn.ToText() + " is enforced by takedown order " +
                            std::to_string(host->abuse_order) + ": restore the order instead");
  }
  auto changed = ChangeHostState(*host, *state, *reason, desk->name);
  if (!changed) return tl::unexpected(changed.error());
  return JsonResponse(200, DumpJson(HostStateJson(*changed)));
}

}  // namespace tether::api
