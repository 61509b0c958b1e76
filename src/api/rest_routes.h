// The routes of the REST API: one table of (method, path template) that the dispatcher
// matches requests against and that tests compare with the OpenAPI document, so a route
// cannot be served without being documented or documented without being served.
//
// Pure; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tether::api {

enum class RestRoute {
  kOpenApi,       // GET    /api/v1/openapi.json
  kAccount,       // GET    /api/v1/account
  kListHosts,     // GET    /api/v1/hosts
  kCreateHost,    // POST   /api/v1/hosts
  kGetHost,       // GET    /api/v1/hosts/{name}
  kDeleteHost,    // DELETE /api/v1/hosts/{name}
  kListRecords,   // GET    /api/v1/hosts/{name}/records
  kGetRecords,    // GET    /api/v1/hosts/{name}/records/{type}
  kPutRecords,    // PUT    /api/v1/hosts/{name}/records/{type}
  kDeleteRecords, // DELETE /api/v1/hosts/{name}/records/{type}
  kHistory,       // GET    /api/v1/hosts/{name}/history
  kListTokens,    // GET    /api/v1/tokens
  kCreateToken,   // POST   /api/v1/tokens
  kGetToken,      // GET    /api/v1/tokens/{id}
  kDeleteToken,   // DELETE /api/v1/tokens/{id}
  // The abuse desk (rest_abuse.cc, docs/abuse.md "REST API").
  kCreateReport,     // POST /api/v1/abuse/reports (no token needed)
  kListReports,      // GET  /api/v1/abuse/reports
  kGetReport,        // GET  /api/v1/abuse/reports/{id}
  kUpdateReport,     // POST /api/v1/abuse/reports/{id}
  kCreateAppeal,     // POST /api/v1/abuse/appeals
  kListAppeals,      // GET  /api/v1/abuse/appeals
  kDecideAppeal,     // POST /api/v1/abuse/appeals/{id}
  kAbuseStats,       // GET  /api/v1/abuse/stats
  kGetHostState,     // GET  /api/v1/abuse/hosts/{name}
  kSetHostState,     // POST /api/v1/abuse/hosts/{name}
  kListTakedowns,    // GET  /api/v1/abuse/takedowns
  kPreviewTakedown,  // POST /api/v1/abuse/takedowns/preview
  kApplyTakedown,    // POST /api/v1/abuse/takedowns/{id}/apply
  kRestoreTakedown,  // POST /api/v1/abuse/takedowns/{id}/restore
  kRpzFeed,          // GET  /api/v1/abuse/feed/rpz.zone (no token needed from a transfer network)
};

struct RouteSpec {
  const char* method;  // "GET", "POST", "PUT" or "DELETE"
  const char* path;    // a template: "{x}" matches one non-empty path segment
  RestRoute route;
};

// Every route, in the order of the table above.
std::span<const RouteSpec> RestRoutes();

struct RouteMatch {
  enum class Kind { kFound, kNoPath, kWrongMethod };
  Kind kind = Kind::kNoPath;
  RestRoute route = RestRoute::kOpenApi;  // kFound only
  std::vector<std::string> params;        // the {…} segments in order (kFound only)
  std::string allow;                      // kWrongMethod: "GET, DELETE" (RFC 9110 15.5.6)
};

// Matches `method` and `path` (percent-decoded, without the query) against the table.
RouteMatch MatchRoute(std::string_view method, std::string_view path);

}  // namespace tether::api
