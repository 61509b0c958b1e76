#include "api/rest_routes.h"

#include <array>

namespace tether::api {

namespace {

constexpr std::array<RouteSpec, 30> kRoutes = {{
    {"GET", "/api/v1/openapi.json", RestRoute::kOpenApi},
    {"GET", "/api/v1/account", RestRoute::kAccount},
    {"GET", "/api/v1/hosts", RestRoute::kListHosts},
    {"POST", "/api/v1/hosts", RestRoute::kCreateHost},
    {"GET", "/api/v1/hosts/{name}", RestRoute::kGetHost},
    {"DELETE", "/api/v1/hosts/{name}", RestRoute::kDeleteHost},
    {"GET", "/api/v1/hosts/{name}/records", RestRoute::kListRecords},
    {"GET", "/api/v1/hosts/{name}/records/{type}", RestRoute::kGetRecords},
    {"PUT", "/api/v1/hosts/{name}/records/{type}", RestRoute::kPutRecords},
    {"DELETE", "/api/v1/hosts/{name}/records/{type}", RestRoute::kDeleteRecords},
    {"GET", "/api/v1/hosts/{name}/history", RestRoute::kHistory},
    {"GET", "/api/v1/tokens", RestRoute::kListTokens},
    {"POST", "/api/v1/tokens", RestRoute::kCreateToken},
    {"GET", "/api/v1/tokens/{id}", RestRoute::kGetToken},
    {"DELETE", "/api/v1/tokens/{id}", RestRoute::kDeleteToken},
    {"POST", "/api/v1/abuse/reports", RestRoute::kCreateReport},
    {"GET", "/api/v1/abuse/reports", RestRoute::kListReports},
    {"GET", "/api/v1/abuse/reports/{id}", RestRoute::kGetReport},
    {"POST", "/api/v1/abuse/reports/{id}", RestRoute::kUpdateReport},
    {"POST", "/api/v1/abuse/appeals", RestRoute::kCreateAppeal},
    {"GET", "/api/v1/abuse/appeals", RestRoute::kListAppeals},
    {"POST", "/api/v1/abuse/appeals/{id}", RestRoute::kDecideAppeal},
    {"GET", "/api/v1/abuse/stats", RestRoute::kAbuseStats},
    {"GET", "/api/v1/abuse/hosts/{name}", RestRoute::kGetHostState},
    {"POST", "/api/v1/abuse/hosts/{name}", RestRoute::kSetHostState},
    {"GET", "/api/v1/abuse/takedowns", RestRoute::kListTakedowns},
    {"POST", "/api/v1/abuse/takedowns/preview", RestRoute::kPreviewTakedown},
    {"POST", "/api/v1/abuse/takedowns/{id}/apply", RestRoute::kApplyTakedown},
    {"POST", "/api/v1/abuse/takedowns/{id}/restore", RestRoute::kRestoreTakedown},
    {"GET", "/api/v1/abuse/feed/rpz.zone", RestRoute::kRpzFeed},
}};

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// True if `path` fits `pattern`; the {…} segments are appended to `params`.
bool Fits(const std::vector<std::string_view>& pattern, const std::vector<std::string_view>& path,
          std::vector<std::string>* params) {
  if (pattern.size() != path.size()) return false;
  std::vector<std::string> found;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i].size() > 2 && pattern[i].front() == '{' && pattern[i].back() == '}') {
      if (path[i].empty()) return false;
      found.emplace_back(path[i]);
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  *params = std::move(found);
  return true;
}

}  // namespace

std::span<const RouteSpec> RestRoutes() { return kRoutes; }

RouteMatch MatchRoute(std::string_view method, std::string_view path) {
  RouteMatch match;
  if (path.empty() || path.front() != '/') return match;
  const std::vector<std::string_view> segments = Segments(path);
  for (const RouteSpec& spec : kRoutes) {
    std::vector<std::string> params;
    if (!Fits(Segments(spec.path), segments, &params)) continue;
    if (method == spec.method) {
      match.kind = RouteMatch::Kind::kFound;
      match.route = spec.route;
      match.params = std::move(params);
      return match;
    }
    match.kind = RouteMatch::Kind::kWrongMethod;
    match.allow += (match.allow.empty() ? "" : ", ") + std::string(spec.method);
  }
  return match;
}

}  // namespace tether::api
