// RestApi: the JSON REST API under /api/v1/ (docs in the OpenAPI 3.0 document it serves at
// GET /api/v1/openapi.json, source src/api/openapi.json): the token's account, its hosts
// and their records, API tokens and update history; and the abuse desk under
// /api/v1/abuse/ (rest_abuse.cc, docs/abuse.md "REST API"): reports, appeals, host states,
// takedown orders, monthly counts and the RPZ feed as a zone file.
//
// Authentication: API tokens only, as `Authorization: Bearer TOKEN`, `Token TOKEN`, or HTTP
// Basic with the token as the password. Two abuse routes also answer without a token: filing
// a report (limited per client address) and the RPZ feed from its zone's transfer networks. Passwords and per-host credentials are for the
// update protocols (api/ddns_handler.h); a token carries a scope (hosts, record types,
// networks, expiry) and nothing a token does can widen it.
//
// Every change of DNS data goes through the one update path (update/update_service.h) as
// one FunctionRequest per request; the response is sent only from the request's Done, i.e.
// once the change is durable and published. Store calls (which wait for a commit) run on
// `RestServices::work`, never on the event loop.
//
// Thread-safety: Handle may be called from any thread concurrently. Lifetime: the RestApi
// must outlive the requests it has started — stop the HTTP server, the update service and
// the work pool before destroying it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "accounts/authenticator.h"
#include "accounts/directory.h"
#include "accounts/name_policy.h"
#include "api/http_message.h"
#include "api/rest_error.h"
#include "api/rest_routes.h"
#include "base/mutex.h"
#include "base/rate_limiter.h"
#include "base/work_pool.h"
#include "store/accounts.h"
#include "update/update_service.h"
#include "zone/zone_set.h"

namespace tether::abuse {
class TakedownEngine;
}  // namespace tether::abuse

namespace tether::store {
class Store;
}  // namespace tether::store

namespace tether::api {

struct RestOptions {
  // TTLs below the floor are raised to it (the response shows the TTL stored): ACME clients
  // and libraries send small fixed TTLs and should not fail over the operator's policy.
  uint32_t ttl_floor = 60;
  uint32_t default_ttl = 60;  // when a PUT names no TTL
  size_t max_body = size_t{64} * 1024;  // larger bodies: 413 too_large
  // Rate limits (token buckets; the burst is one minute's worth).
  double requests_per_minute = 300;  // per token, every request
  double changes_per_minute = 60;    // per account, every POST, PUT and DELETE
  double failures_per_minute = 30;   // failed authentications per client address
  double reports_per_minute = 5;     // abuse reports per client address (anonymous ones too)
  // Unix seconds now (token expiry, creation times); empty: the system clock. For tests.
  std::function<int64_t()> now;
};

// What the REST API works on; every reference must outlive the RestApi.
struct RestServices {
  accounts::Directory& directory;
  accounts::Authenticator& authenticator;
  store::AccountStore& accounts;
  update::UpdateService& updates;
  zone::ZoneRegistry& zones;
  WorkPool& work;  // runs store calls off the event loops
  // The store id of the service zone `origin`, or nullopt if it is not one (hosts can be
  // registered only in service zones). Store::GetZone(origin)->service in tetherd.
  std::function<std::optional<int64_t>(const dns::Name& origin)> service_zone_id;
  // The abuse desk's routes (rest_abuse.cc) need both; without them they answer 503.
  store::Store* store = nullptr;                 // cases, appeals, audit log, zones' settings
  abuse::TakedownEngine* takedowns = nullptr;    // takedown orders
};

class RestApi {
 public:
  RestApi(RestServices services, accounts::NamePolicy policy, RestOptions options);
  RestApi(const RestApi&) = delete;
  RestApi& operator=(const RestApi&) = delete;

  // Answers one request whose path starts with /api/v1/. Does not block: authentication is
  // a digest and a map lookup, everything slower runs on the work pool or the update path.
  void Handle(HttpRequest request, Respond respond);

 private:
  struct Call;
  using CallPtr = std::shared_ptr<Call>;

  int64_t Now() const;
  ApiResult<void> Authenticate(Call& call);
  void Dispatch(const CallPtr& call);
  static void Reply(const Call& call, ApiResult<HttpResponse> response);

  // rest_api.cc
  ApiResult<HttpResponse> GetAccount(const Call& call);

  // rest_hosts.cc
  ApiResult<store::HostInfo> OwnHost(const Call& call, const std::string& name_param) const;
  ApiResult<HttpResponse> ListHosts(const Call& call);
  ApiResult<HttpResponse> CreateHost(const Call& call);
  ApiResult<HttpResponse> GetHost(const Call& call);
  void DeleteHost(const CallPtr& call);
  ApiResult<HttpResponse> History(const Call& call);

  // rest_records.cc
  ApiResult<HttpResponse> ListRecords(const Call& call);
  ApiResult<HttpResponse> GetRecords(const Call& call);
  void ChangeRecords(const CallPtr& call);  // PUT and DELETE

  // rest_tokens.cc
  ApiResult<std::vector<store::TokenInfo>> VisibleTokens(const Call& call);
  ApiResult<HttpResponse> ListTokens(const Call& call);
  ApiResult<HttpResponse> GetToken(const Call& call);
  ApiResult<HttpResponse> CreateToken(const Call& call);
  ApiResult<HttpResponse> DeleteToken(const Call& call);

  // rest_abuse.cc: the abuse desk
  ApiResult<HttpResponse> HandleAbuse(const Call& call);
  ApiResult<store::UserInfo> Caller(const Call& call) const;
  ApiResult<store::UserInfo> DeskCaller(const Call& call) const;  // role abuse or admin
  ApiResult<HttpResponse> CreateReport(const Call& call);
  ApiResult<HttpResponse> ListReports(const Call& call);
  ApiResult<HttpResponse> GetReport(const Call& call);
  ApiResult<HttpResponse> UpdateReport(const Call& call);
  ApiResult<HttpResponse> CreateAppeal(const Call& call);
  ApiResult<HttpResponse> ListAppeals(const Call& call);
  ApiResult<HttpResponse> DecideAppeal(const Call& call);
  ApiResult<HttpResponse> GetHostState(const Call& call);
  ApiResult<HttpResponse> SetHostState(const Call& call);
  // Sets a host's abuse state other than enforced (store, directory, audit log).
  ApiResult<store::HostInfo> ChangeHostState(store::HostInfo host, store::AbuseState state, const std::string& reason,
                                             const std::string& actor);
  // rest_abuse_takedowns.cc
  ApiResult<HttpResponse> ListTakedowns(const Call& call);
  ApiResult<HttpResponse> PreviewTakedown(const Call& call);
  ApiResult<HttpResponse> ApplyTakedown(const Call& call);
  ApiResult<HttpResponse> RestoreTakedown(const Call& call);
  ApiResult<HttpResponse> RpzFeed(const Call& call);
  // rest_abuse_stats.cc
  ApiResult<HttpResponse> AbuseStats(const Call& call);

  RestServices services_;
  const accounts::NamePolicy policy_;
  const RestOptions options_;
  RateLimiter requests_;  // per token id
  RateLimiter changes_;   // per account id
  RateLimiter failures_;  // per client address
  RateLimiter reports_;   // per client address: abuse reports
  // Host creation checks the name and the account's limit, then writes: one at a time, so
  // two concurrent creations cannot both pass the limit check.
  Mutex create_mu_;
};

}  // namespace tether::api
