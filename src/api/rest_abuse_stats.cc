// RestApi: the abuse desk's monthly counts (GET /api/v1/abuse/stats?month=YYYY-MM, UTC),
// computed from what is stored — the cases and appeals, the takedown orders and the audit
// log — so they need no counters of their own and agree with the log:
//
//   actions        takedown orders applied, by action; host state changes (host.state), by
//                  the state set; by source: the audit entry's actor
//   time_to_act    median seconds from a report to the first action on its name after it
//                  (takedown.apply or a host.state other than none), over the month's reports
//   time_to_restore  median seconds from apply to restore, over the orders restored that month
//   appeals        filed, reversed and upheld that month
#include <algorithm>
#include <chrono>
#include <map>

#include <nlohmann/json.hpp>

#include "api/rest_abuse.h"
#include "api/rest_api.h"
#include "api/rest_call.h"
#include "api/rest_json.h"
#include "api/rest_render.h"
#include "store/store.h"

namespace tether::api {

namespace {

using Json = nlohmann::json;

constexpr size_t kAuditPage = 1000;

struct Month {
  int year = 0;
  unsigned month = 0;
  int64_t begin = 0;  // unix seconds, inclusive
  int64_t end = 0;    // exclusive
  bool Contains(int64_t time) const { return time >= begin && time < end; }
};

int64_t UnixDays(std::chrono::year_month_day day) {
  return std::chrono::sys_days(day).time_since_epoch().count() * int64_t{86400};
}

Month MonthOf(int year, unsigned month) {
  using namespace std::chrono;
  const year_month_day first{std::chrono::year(year), std::chrono::month(month),
                             std::chrono::day(1)};
  const year_month_day next = first + months(1);
  return {year, month, UnixDays(first), UnixDays(next)};
}

ApiResult<Month> ParseMonth(const std::string& text) {
  int year = 0;
  unsigned month = 0;
  if (text.size() != 7 || text[4] != '-' || !std::all_of(text.begin(), text.end(), [](char c) {
        return c == '-' || (c >= '0' && c <= '9');
      })) {
    return ApiFail(422, "month must be YYYY-MM");
  }
  year = std::stoi(text.substr(0, 4));
  month = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  if (year < 1970 || month < 1 || month > 12) return ApiFail(422, "month must be YYYY-MM");
  return MonthOf(year, month);
}

Month MonthAt(int64_t unix_seconds) {
  using namespace std::chrono;
  const year_month_day day{floor<days>(sys_seconds(seconds(unix_seconds)))};
  return MonthOf(static_cast<int>(day.year()), static_cast<unsigned>(day.month()));
}

Json Median(std::vector<int64_t> values) {
  if (values.empty()) return nullptr;
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  if (values.size() % 2 == 1) return values[middle];
  return (values[middle - 1] + values[middle]) / 2;
}

// The state a host.state entry set: its reason starts with "STATE: ".
std::string StateOf(const store::AuditEntry& entry) {
  const size_t colon = entry.reason.find(':');
  return colon == std::string::npos ? entry.reason : entry.reason.substr(0, colon);
}

bool IsAction(const store::AuditEntry& entry) {
  return entry.action == "takedown.apply" ||
         (entry.action == "host.state" && StateOf(entry) != "none");
}

}  // namespace

ApiResult<HttpResponse> RestApi::AbuseStats(const Call& call) {
  if (auto desk = DeskCaller(call); !desk) return tl::unexpected(desk.error());
  auto parameters = ParseQueryParameters(call.request.query, {"month"});
  if (!parameters) return tl::unexpected(parameters.error());
  Month month = MonthAt(Now());
  if (!parameters->empty()) {
    auto parsed = ParseMonth(parameters->front().second);
    if (!parsed) return tl::unexpected(parsed.error());
    month = *parsed;
  }
  store::Store& store = *services_.store;

  // The whole log, oldest first: first actions may come after the month of their report.
  std::vector<store::AuditEntry> audit;
  for (uint64_t after = 0;;) {
    auto page = store.audit().ReadAudit(after, kAuditPage);
    if (!page) return tl::unexpected(StoreError(page.error()));
    if (page->empty()) break;
    after = page->back().seq;
    for (auto& entry : *page) {
      if (IsAction(entry) || month.Contains(entry.time)) audit.push_back(std::move(entry));
    }
    if (page->size() < kAuditPage) break;
  }

  std::map<std::string, int64_t> by_action;
  std::map<std::string, int64_t> by_state;
  std::map<std::string, int64_t> by_source;
  int64_t restores = 0;
  for (const auto& entry : audit) {
    if (!month.Contains(entry.time)) continue;
    if (entry.action == "takedown.restore") ++restores;
    if (entry.action == "host.state") {
      ++by_state[StateOf(entry)];
      ++by_source[entry.actor];
    }
  }
  auto takedowns = store.takedowns().ListTakedowns();
  if (!takedowns) return tl::unexpected(StoreError(takedowns.error()));
  std::vector<int64_t> to_restore;
  for (const auto& order : *takedowns) {
    if (!order.is_order()) continue;
    if (order.applied != 0 && month.Contains(order.applied))
      ++by_action[store::EnforceActionName(order.action)];
    if (order.restored != 0 && order.applied != 0 && month.Contains(order.restored)) {
      to_restore.push_back(order.restored - order.applied);
    }
  }
  // The source of an order is whoever applied it (the audit log's actor, one entry per zone).
  std::map<int64_t, std::string> appliers;
  for (const auto& entry : audit) {
    if (entry.action != "takedown.apply" || !month.Contains(entry.time)) continue;
    const std::string prefix = "order ";
    const int64_t id =
        entry.reason.rfind(prefix, 0) == 0 ? std::atoll(entry.reason.c_str() + prefix.size()) : 0;
    appliers[id] = entry.actor;
  }
  for (const auto& [id, actor] : appliers) ++by_source[actor];

  auto cases = store.cases().ListCases(std::nullopt);
  if (!cases) return tl::unexpected(StoreError(cases.error()));
  int64_t reports = 0;
  std::vector<int64_t> to_act;
  for (const auto& report : *cases) {
    if (!month.Contains(report.created)) continue;
    ++reports;
    for (const auto& entry : audit) {  // oldest first: the first match is the first action
      if (entry.time < report.created || !IsAction(entry)) continue;
      if (std::find(entry.names.begin(), entry.names.end(), report.name) == entry.names.end())
        continue;
      to_act.push_back(entry.time - report.created);
      break;
    }
  }
  auto appeals = store.cases().ListAppeals(std::nullopt);
  if (!appeals) return tl::unexpected(StoreError(appeals.error()));
  int64_t filed = 0, reversed = 0, upheld = 0;
  for (const auto& appeal : *appeals) {
    if (month.Contains(appeal.created)) ++filed;
    if (appeal.decided == 0 || !month.Contains(appeal.decided)) continue;
    if (appeal.decision == store::AppealDecision::kReversed) ++reversed;
    if (appeal.decision == store::AppealDecision::kUpheld) ++upheld;
  }

  char label[16];
  std::snprintf(label, sizeof(label), "%04d-%02u", month.year, month.month);
  Json body = {
      {"month", label},
      {"from", TimeJson(month.begin)},
      {"until", TimeJson(month.end)},
      {"reports", reports},
      {"actions",
       {{"takedowns", Json(by_action)},
        {"host_states", Json(by_state)},
        {"by_source", Json(by_source)}}},
      {"restores", restores},
      {"median_seconds_to_act", Median(std::move(to_act))},
      {"median_seconds_to_restore", Median(std::move(to_restore))},
      {"appeals", {{"filed", filed}, {"reversed", reversed}, {"upheld", upheld}}},
  };
  return JsonResponse(200, DumpJson(body));
}

}  // namespace tether::api
