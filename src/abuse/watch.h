// Watched hosts' queries (docs/abuse.md, "Host states"): the query path logs the queries of
// a name whose node carries zone::kNodeStateLogQueries (server/query_watch_log.h). This keeps
// that bit in step with the hosts' abuse state.
//
// Thread-safety: any thread.
#pragma once

#include "accounts/directory.h"
#include "store/accounts.h"
#include "update/update_service.h"

namespace tether::abuse {

// Sets the bit on the host's name if it is watched, clears it otherwise. A name with no node
// (no records) has nothing to mark; a host's name made again later is marked by the next
// call (state changes, and the start of tetherd).
void SyncQueryLogging(update::UpdateService& updates, const store::HostInfo& host);
// The same for every watched host of `directory` (at start, after the zones are loaded).
void SyncQueryLogging(update::UpdateService& updates, const accounts::Directory& directory);

}  // namespace tether::abuse
