// UpdateRequest: one change request for one zone, from any source — an RFC 2136 UPDATE
// message now; the HTTP update API, admin commands and takedown orders later. Every
// request goes through the same path: the zone's updater applies it to a savepoint of the
// batch view, commits the batch durably, publishes it, then calls Done() — so no client
// hears "done" before its change is durable.
//
// Thread-safety: Apply and Done are called on the zone's updater thread, once each.
#pragma once

#include <cstdint>

#include "dns/rr_type.h"
#include "update/zone_view.h"

namespace tether::update {

struct UpdateOutcome {
  dns::Rcode rcode = dns::Rcode::kNoError;
  uint32_t serial = 0;  // the zone's serial after the batch (0 if nothing was committed)
};

class UpdateRequest {
 public:
  virtual ~UpdateRequest() = default;
  // Checks and applies the request to `view`. A result other than NOERROR discards every
  // change the request made to the view.
  virtual dns::Rcode Apply(ZoneView& view) = 0;
  // True if Apply changes the view only when it returns NOERROR: the updater then applies
  // it without a savepoint of its own (one view and a merge fewer per request).
  virtual bool AppliesAtomically() const { return false; }
  // True if the request's client may send its next one as soon as it is answered (a
  // keep-alive HTTP client, a script) and no front end gathered the requests already: a
  // busy zone's next batch waits for the clients of such requests
  // (UpdateServiceOptions::batch_wait).
  virtual bool JoinsCohort() const { return true; }
  // Reports the final outcome: the Apply result, or SERVFAIL if the batch could not be
  // made durable.
  virtual void Done(const UpdateOutcome& outcome) = 0;
};

}  // namespace tether::update
