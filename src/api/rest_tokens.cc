// RestApi: API tokens — list, show, create, revoke. A token sees, creates and revokes only
// tokens no wider than itself (and itself), so a narrow token handed to a router cannot be
// used to mint a wider one or to revoke the owner's main token.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "accounts/secrets.h"
#include "api/rest_api.h"
#include "api/rest_call.h"
#include "api/rest_json.h"
#include "api/rest_render.h"
#include "base/cidr.h"

namespace tether::api {

namespace {

using Json = nlohmann::json;

// True if the network `inner` ("ADDRESS/PREFIX", as Cidr::ToString prints it) lies within
// `outer`.
bool NetworkWithin(const std::string& inner, const std::string& outer) {
  auto outer_cidr = Cidr::Parse(outer);
  size_t slash = inner.find('/');
  if (!outer_cidr || slash == std::string::npos) return false;
  int inner_prefix = 0;
  auto [end, error] = std::from_chars(inner.data() + slash + 1, inner.data() + inner.size(), inner_prefix);
  if (error != std::errc() || end != inner.data() + inner.size()) return false;
  size_t outer_slash = outer.find('/');
  int outer_prefix = 0;
  if (outer_slash == std::string::npos) {
    outer_prefix = outer.find(':') == std::string::npos ? 32 : 128;
  } else {
    std::from_chars(outer.data() + outer_slash + 1, outer.data() + outer.size(), outer_prefix);
  }
  // Same family: an IPv4 network never lies within an IPv6 one here (no mapped forms).
  const bool inner_v6 = inner.find(':') != std::string::npos;
  const bool outer_v6 = outer.find(':') != std::string::npos;
  if (inner_v6 != outer_v6 || inner_prefix < outer_prefix) return false;
  sockaddr_storage address{};
  const std::string host = inner.substr(0, slash);
  if (inner_v6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    v6->sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) != 1) return false;
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) != 1) return false;
  }
  return outer_cidr->Contains(reinterpret_cast<const sockaddr*>(&address));
}

template <class T, class Within>
bool ListNoWider(const std::vector<T>& inner, const std::vector<T>& outer, Within within) {
  if (outer.empty()) return true;  // the outer list does not restrict
  if (inner.empty()) return false;
  return std::all_of(inner.begin(), inner.end(), [&](const T& item) {
    return std::any_of(outer.begin(), outer.end(), [&](const T& limit) { return within(item, limit); });
  });
}

// True if everything `inner` allows, `outer` allows too.
bool NoWider(const store::TokenInfo& inner, const store::TokenInfo& outer) {
  if (inner.user_id != outer.user_id) return false;
  if (!ListNoWider(inner.hosts, outer.hosts, [](const dns::Name& a, const dns::Name& b) { return a.EqualsIgnoreCase(b); })) {
    return false;
  }
  if (!ListNoWider(inner.types, outer.types, [](dns::RrType a, dns::RrType b) { return a == b; })) return false;
  if (!ListNoWider(inner.networks, outer.networks, NetworkWithin)) return false;
  return outer.expires == 0 || (inner.expires != 0 && inner.expires <= outer.expires);
}

ApiResult<int64_t> TokenId(const std::string& text) {
  int64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || id <= 0) {
    return ApiFail(404, "no token '" + text.substr(0, 32) + "'");
  }
  return id;
}

}  // namespace

ApiResult<std::vector<store::TokenInfo>> RestApi::VisibleTokens(const Call& call) {
  auto tokens = services_.accounts.ListTokens(call.identity.user_id);
  if (!tokens) return ApiFail(503, "the tokens could not be read: " + tokens.error().message);
  std::vector<store::TokenInfo> out;
  for (auto& token : *tokens) {
    if (token.user_id == call.identity.user_id && (token.id == call.token.id || NoWider(token, call.token))) {
      out.push_back(std::move(token));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

ApiResult<HttpResponse> RestApi::ListTokens(const Call& call) {
  if (auto query = ParseEmptyQuery(call.request.query); !query) return tl::unexpected(query.error());
  auto tokens = VisibleTokens(call);
  if (!tokens) return tl::unexpected(tokens.error());
  const int64_t now = Now();
  Json list = Json::array();
  for (const auto& token : *tokens) {
    Json item = TokenJson(token, now);
    item["current"] = token.id == call.token.id;
    list.push_back(std::move(item));
  }
  return JsonResponse(200, DumpJson({{"tokens", std::move(list)}}));
}

ApiResult<HttpResponse> RestApi::GetToken(const Call& call) {
  if (auto query = ParseEmptyQuery(call.request.query); !query) return tl::unexpected(query.error());
  auto id = TokenId(call.params.at(0));
  if (!id) return tl::unexpected(id.error());
  auto tokens = VisibleTokens(call);
  if (!tokens) return tl::unexpected(tokens.error());
  for (const auto& token : *tokens) {
    if (token.id != *id) continue;
    Json item = TokenJson(token, Now());
    item["current"] = token.id == call.token.id;
    return JsonResponse(200, DumpJson(item));
  }
  return ApiFail(404, "no token " + std::to_string(*id));
}

ApiResult<HttpResponse> RestApi::CreateToken(const Call& call) {
  if (auto query = ParseEmptyQuery(call.request.query); !query) return tl::unexpected(query.error());
  const int64_t now = Now();
  auto body = ParseTokenBody(call.request.body, now);
  if (!body) return tl::unexpected(body.error());
  // What the request leaves out, the new token inherits from the one creating it.
  store::TokenInfo token;
  token.user_id = call.identity.user_id;
  token.hosts = body->hosts.value_or(call.token.hosts);
  token.types = body->types.value_or(call.token.types);
  token.networks = body->networks.value_or(call.token.networks);
  token.expires = body->expires.value_or(call.token.expires);
  for (const auto& fqdn : token.hosts) {
    auto host = services_.directory.Host(fqdn);
    if (!host || host->user_id != token.user_id) return ApiFail(422, fqdn.ToText() + " is not a host of this account");
  }
  if (!NoWider(token, call.token)) {
    return ApiFail(403, "a token may only create tokens no wider than itself (hosts, types, networks, expiry)");
  }
  const std::string secret = accounts::RandomSecret(24);
  token.digest = accounts::SecretDigest(secret);
  token.created = now;
  auto created = services_.accounts.CreateToken(token);
  if (!created) return ApiFail(503, "the token could not be stored: " + created.error().message);
  services_.directory.PutToken(*created);
  Json item = TokenJson(*created, now);
  item["token"] = secret;  // shown this once; only its digest is kept
  HttpResponse response = JsonResponse(201, DumpJson(item));
  response.headers.emplace_back("Location", "/api/v1/tokens/" + std::to_string(created->id));
  // RFC 9111 5.2.2.5: no cache along the way keeps a copy of the secret.
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

ApiResult<HttpResponse> RestApi::DeleteToken(const Call& call) {
  if (auto query = ParseEmptyQuery(call.request.query); !query) return tl::unexpected(query.error());
  auto id = TokenId(call.params.at(0));
  if (!id) return tl::unexpected(id.error());
  auto tokens = VisibleTokens(call);
  if (!tokens) return tl::unexpected(tokens.error());
  auto target = std::find_if(tokens->begin(), tokens->end(), [&](const auto& token) { return token.id == *id; });
  if (target == tokens->end()) return ApiFail(404, "no token " + std::to_string(*id));
  auto revoked = services_.accounts.RevokeToken(*id);
  if (!revoked) return ApiFail(503, "the token could not be revoked: " + revoked.error().message);
  if (!*revoked) return ApiFail(404, "no token " + std::to_string(*id));
  // The directory follows the store: the token, revoked, and its owner's new credential
  // version (RevokeToken bumped it) so cached proofs elsewhere are dropped.
  target->revoked = true;
  services_.directory.PutToken(*target);
  if (auto owner = services_.accounts.GetUser(call.identity.user_id); owner && *owner) {
    services_.directory.PutUser(**owner);
  }
  return JsonResponse(204, "");
}

}  // namespace tether::api
