// The log line of an update of a host in the abuse state `watch` (DESIGN.md "Abuse
// handling"): answers and updates are unchanged, but the security team can follow every
// update of the host — who sent it (source address, user agent, credential) and what came
// of it — in tetherd's log at info level.
//
// Thread-safety: a pure function over its arguments plus spdlog, which is thread-safe.
#pragma once

#include <string_view>

#include "store/accounts.h"

namespace tether::api {

// Logs the update if `host` is watched; nothing otherwise. The client's texts are
// untrusted: control characters are replaced and they are cut at 200 bytes.
void LogIfWatched(const store::HostInfo& host, std::string_view source, std::string_view user_agent,
                  std::string_view credential, std::string_view result);

}  // namespace tether::api
