// RestApi::Call: one REST request in flight — what was asked, who asked (the token and the
// identity it grants), and how to answer. Internal to the rest_*.cc files.
//
// Shared (std::shared_ptr) between the event loop, the work pool and the update path's
// Done; written only before it is shared, read-only afterwards.
#pragma once

#include <sys/socket.h>

#include <string>
#include <utility>
#include <vector>

#include "accounts/authenticator.h"
#include "api/http_message.h"
#include "api/rest_api.h"
#include "api/rest_render.h"
#include "api/rest_routes.h"
#include "store/accounts.h"
#include "zone/zone_set.h"

namespace tether::api {

struct RestApi::Call {
  HttpRequest request;
  Respond respond;
  RestRoute route = RestRoute::kOpenApi;
  std::vector<std::string> params;  // the route's {…} segments
  store::TokenInfo token;           // the token presented (never shown: it has the digest)
  accounts::Identity identity;      // what that token may do
  sockaddr_storage client{};        // request.client_address as a socket address
  std::string user_agent;           // for the history, truncated
  bool anonymous = false;           // no token (only where a route allows it; identity is empty)
};

// The names a host may have data at through the API, with their subnames: the host itself
// (""), its wildcard child ("*") and its ACME DNS-01 name ("_acme-challenge").
std::vector<std::pair<dns::Name, std::string>> HostOwners(const dns::Name& host);

// The current RRsets of the host's names (HostOwners), read from the published zone; empty
// if the host's zone is not loaded.
std::vector<HostRrset> ReadHostRrsets(zone::ZoneRegistry& zones, const dns::Name& host);

}  // namespace tether::api
