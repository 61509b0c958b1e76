// The credentials an update request presents, wherever the client put them: HTTP Basic,
// `Authorization: Token …` or `Bearer …`, userinfo in an absolute request-target
// (`http://user:pass@host/nic/update?…`, as some routers send it), or `username`/`password`
// query parameters. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "accounts/authenticator.h"
#include "api/http_message.h"

namespace tether::api {

// `query_username`/`query_password`: from the request's parameters, if any.
std::optional<accounts::Presented> PresentedCredentials(const HttpRequest& request,
                                                        const std::optional<std::string>& query_username,
                                                        const std::optional<std::string>& query_password);

}  // namespace tether::api
