// Helpers shared by the abuse desk's handlers (rest_abuse.cc, rest_abuse_takedowns.cc,
// rest_abuse_stats.cc). Internal to those files. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "api/rest_error.h"
#include "base/result.h"
#include "store/accounts.h"

namespace tether::api {

// The REST form of an error from the store or the takedown engine: invalid argument 400,
// not found 404, failed precondition (and already exists, aborted) 409, permission denied
// 403, unavailable and I/O 503, anything else 500.
ApiError StoreError(const Error& error);

// Free text a client wrote (evidence, notes, reasons): a JSON string of at most `max` bytes;
// newlines and tabs are allowed, other control characters are not. With `required`, blank
// text is refused (422).
ApiResult<std::string> FreeText(const nlohmann::json& value, std::string_view what, size_t max,
                                bool required);

// A host's abuse state: {name, abuse, action, order, reason, since}.
nlohmann::json HostStateJson(const store::HostInfo& host);

}  // namespace tether::api
