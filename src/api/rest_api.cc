// RestApi: request intake (routing, limits, authentication), dispatch and the account
// resource. Hosts, records and tokens are in rest_hosts.cc, rest_records.cc and
// rest_tokens.cc.
#include "api/rest_api.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "accounts/secrets.h"
#include "api/credentials.h"
#include "api/rest_call.h"
#include "api/rest_json.h"
#include "api/rest_openapi.h"
#include "api/rest_render.h"

namespace tether::api {

namespace {

// The client's address for a token's networks: the forwarded one if the transport trusted
// a proxy, else the TCP peer.
sockaddr_storage ClientSocketAddress(const HttpRequest& request) {
  sockaddr_storage out{};
  const std::string& text = request.client_address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (!text.empty() && inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
  } else if (!text.empty() && inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
  } else {
    out = request.peer;
  }
  return out;
}

long RetrySeconds(double seconds) { return std::max(1L, std::lround(std::ceil(seconds))); }

bool ChangesData(RestRoute route) {
  switch (route) {
    case RestRoute::kCreateHost:
    case RestRoute::kDeleteHost:
    case RestRoute::kPutRecords:
    case RestRoute::kDeleteRecords:
    case RestRoute::kCreateToken:
    case RestRoute::kDeleteToken:
    case RestRoute::kUpdateReport:
    case RestRoute::kCreateAppeal:
    case RestRoute::kDecideAppeal:
    case RestRoute::kSetHostState:
    case RestRoute::kPreviewTakedown:
    case RestRoute::kApplyTakedown:
    case RestRoute::kRestoreTakedown:
      return true;
    default:
      return false;
  }
}

// Bodies must be declared JSON. Besides being the contract, this keeps browsers from
// sending cross-site forms here: a form can post text/plain without a CORS preflight, and
// a browser that cached Basic credentials for this origin would attach them.
bool IsJsonContentType(const std::string* header) {
  if (header == nullptr) return false;
  std::string_view type(*header);
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return type.size() == 16 && strncasecmp(type.data(), "application/json", 16) == 0;
}

}  // namespace

RestApi::RestApi(RestServices services, accounts::NamePolicy policy, RestOptions options)
    : services_(std::move(services)),
      policy_(std::move(policy)),
      options_(std::move(options)),
      requests_(options_.requests_per_minute / 60.0, options_.requests_per_minute),
      changes_(options_.changes_per_minute / 60.0, options_.changes_per_minute),
      failures_(options_.failures_per_minute / 60.0, options_.failures_per_minute),
      reports_(options_.reports_per_minute / 60.0, options_.reports_per_minute) {}

int64_t RestApi::Now() const {
  if (options_.now) return options_.now();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void RestApi::Reply(const Call& call, ApiResult<HttpResponse> response) {
  call.respond(response ? std::move(*response) : ErrorResponse(response.error()));
}

void RestApi::Handle(HttpRequest request, Respond respond) {
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->respond = std::move(respond);
  RouteMatch match = MatchRoute(call->request.method, call->request.path);
  if (match.kind == RouteMatch::Kind::kNoPath) return Reply(*call, ApiFail(404, "no such resource"));
  if (match.kind == RouteMatch::Kind::kWrongMethod) {
    HttpResponse response = ErrorResponse({405, call->request.method.substr(0, 16) + " is not allowed here", 0});
    response.headers.emplace_back("Allow", match.allow);
    return call->respond(std::move(response));
  }
  call->route = match.route;
  call->params = std::move(match.params);
  // The API's description is public: clients generate code from it before they have a token.
  if (call->route == RestRoute::kOpenApi) {
    if (auto query = ParseEmptyQuery(call->request.query); !query) return Reply(*call, tl::unexpected(query.error()));
    return call->respond(JsonResponse(200, std::string(OpenApiDocument())));
  }
  if (call->request.body.size() > options_.max_body) {
    return Reply(*call, ApiFail(413, "the body is larger than " + std::to_string(options_.max_body) + " bytes"));
  }
  if (call->route == RestRoute::kCreateReport && !reports_.Allow(call->request.client_address)) {
    ApiError error{429, "too many abuse reports from this address",
                   RetrySeconds(reports_.RetryAfter(call->request.client_address))};
    return Reply(*call, tl::unexpected(error));
  }
  // Reports may come from anyone, and resolvers without TSIG fetch the policy zone from
  // its transfer networks: these two routes go on without a token (rest_abuse.cc decides).
  if ((call->route == RestRoute::kCreateReport || call->route == RestRoute::kRpzFeed) &&
      call->request.Header("authorization") == nullptr) {
    if (call->request.method == "POST" && !IsJsonContentType(call->request.Header("content-type"))) {
      return Reply(*call, ApiFail(415, "the body must be sent as Content-Type: application/json"));
    }
    // The per-token budget, per client address instead.
    const std::string address_key = "address " + call->request.client_address;
    if (!requests_.Allow(address_key)) {
      ApiError error{429, "too many requests from this address", RetrySeconds(requests_.RetryAfter(address_key))};
      return Reply(*call, tl::unexpected(error));
    }
    call->anonymous = true;
    call->client = ClientSocketAddress(call->request);
    return Dispatch(call);
  }
  if (auto auth = Authenticate(*call); !auth) return Reply(*call, tl::unexpected(auth.error()));
  const std::string token_key = std::to_string(call->token.id);
  if (!requests_.Allow(token_key)) {
    ApiError error{429, "too many requests with this token", RetrySeconds(requests_.RetryAfter(token_key))};
    return Reply(*call, tl::unexpected(error));
  }
  if (ChangesData(call->route)) {
    const std::string account_key = std::to_string(call->identity.user_id);
    if (!changes_.Allow(account_key)) {
      ApiError error{429, "too many changes for this account", RetrySeconds(changes_.RetryAfter(account_key))};
      return Reply(*call, tl::unexpected(error));
    }
  }
  if ((call->request.method == "POST" || call->request.method == "PUT") &&
      !IsJsonContentType(call->request.Header("content-type"))) {
    return Reply(*call, ApiFail(415, "the body must be sent as Content-Type: application/json"));
  }
  if (const std::string* agent = call->request.Header("user-agent")) call->user_agent = agent->substr(0, 200);
  Dispatch(call);
}

ApiResult<void> RestApi::Authenticate(Call& call) {
  const std::string& address = call.request.client_address;
  // Checked before the credentials, so a guesser learns nothing more once over the limit.
  if (!failures_.WouldAllow(address)) {
    return tl::unexpected(
        ApiError{429, "too many failed authentications from this address", RetrySeconds(failures_.RetryAfter(address))});
  }
  const std::string* header = call.request.Header("authorization");
  if (header == nullptr) return ApiFail(401, "an API token is required (Authorization: Bearer TOKEN)");
  // Only the Authorization header: a token in a URL ends up in logs and browser history.
  HttpRequest header_only;
  header_only.headers.emplace_back("authorization", *header);
  auto presented = PresentedCredentials(header_only, std::nullopt, std::nullopt);
  std::optional<store::TokenInfo> token;
  if (presented && !presented->secret.empty()) {
    token = services_.directory.TokenByDigest(accounts::SecretDigest(presented->secret));
  }
  call.client = ClientSocketAddress(call.request);
  if (!token || services_.authenticator.Authenticate(*presented, address, reinterpret_cast<const sockaddr*>(&call.client),
                                                      &call.identity) != accounts::AuthResult::kOk ||
      call.identity.kind != accounts::Identity::Kind::kToken) {
    failures_.Allow(address);
    // One answer for unknown, revoked, expired and wrong-network tokens alike.
    return ApiFail(401, "the token is not valid (unknown, revoked, expired or not allowed from this address)");
  }
  call.token = std::move(*token);
  return {};
}

void RestApi::Dispatch(const CallPtr& call) {
  // Everything after authentication may wait for the store: off the event loop.
  services_.work.Submit([this, call] {
    switch (call->route) {
      case RestRoute::kOpenApi:
        return Reply(*call, ApiFail(500, "unreachable"));
      case RestRoute::kAccount:
        return Reply(*call, GetAccount(*call));
      case RestRoute::kListHosts:
        return Reply(*call, ListHosts(*call));
      case RestRoute::kCreateHost:
        return Reply(*call, CreateHost(*call));
      case RestRoute::kGetHost:
        return Reply(*call, GetHost(*call));
      case RestRoute::kDeleteHost:
        return DeleteHost(call);
      case RestRoute::kListRecords:
        return Reply(*call, ListRecords(*call));
      case RestRoute::kGetRecords:
        return Reply(*call, GetRecords(*call));
      case RestRoute::kPutRecords:
      case RestRoute::kDeleteRecords:
        return ChangeRecords(call);
      case RestRoute::kHistory:
        return Reply(*call, History(*call));
      case RestRoute::kListTokens:
        return Reply(*call, ListTokens(*call));
      case RestRoute::kCreateToken:
        return Reply(*call, CreateToken(*call));
      case RestRoute::kGetToken:
        return Reply(*call, GetToken(*call));
      case RestRoute::kDeleteToken:
        return Reply(*call, DeleteToken(*call));
      case RestRoute::kCreateReport:
      case RestRoute::kListReports:
      case RestRoute::kGetReport:
      case RestRoute::kUpdateReport:
      case RestRoute::kCreateAppeal:
      case RestRoute::kListAppeals:
      case RestRoute::kDecideAppeal:
      case RestRoute::kAbuseStats:
      case RestRoute::kGetHostState:
      case RestRoute::kSetHostState:
      case RestRoute::kListTakedowns:
      case RestRoute::kPreviewTakedown:
      case RestRoute::kApplyTakedown:
      case RestRoute::kRestoreTakedown:
      case RestRoute::kRpzFeed:
        return Reply(*call, HandleAbuse(*call));
    }
    Reply(*call, ApiFail(500, "unknown route"));
  });
}

ApiResult<HttpResponse> RestApi::GetAccount(const Call& call) {
  if (auto query = ParseEmptyQuery(call.request.query); !query) return tl::unexpected(query.error());
  auto user = services_.directory.UserById(call.identity.user_id);
  if (!user) return ApiFail(401, "the token's account no longer exists");
  const int limit = user->host_limit > 0 ? user->host_limit : policy_.default_host_limit;
  nlohmann::json body = {{"name", user->name},
                         {"role", store::RoleName(user->role)},
                         {"host_limit", limit > 0 ? nlohmann::json(limit) : nlohmann::json(nullptr)},
                         {"hosts", services_.directory.HostsOf(user->id).size()},
                         {"created", TimeJson(user->created)},
                         {"token", TokenJson(call.token, Now())}};
  return JsonResponse(200, DumpJson(body));
}

}  // namespace tether::api
