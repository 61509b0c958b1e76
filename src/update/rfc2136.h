// RFC 2136 dynamic UPDATE over DNS: message checks, TSIG (RFC 8945) and access control on
// the receiving thread, then prerequisites (3.2), permissions (3.3), prescan (3.4.1) and
// the update itself (3.4.2) on the zone's updater, against the batch view, so a message is
// applied wholly or not at all and answered only once durable.
//
// Thread-safety: HandleUpdateMessage may be called from any thread; `reply` is called
// exactly once, possibly on another thread (the zone's updater).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "dns/wire/message.h"
#include "update/access.h"
#include "update/update_service.h"
#include "zone/zone_set.h"

namespace tether::update {

struct Rfc2136Context {
  UpdateService* updates = nullptr;
  const AccessControl* access = nullptr;
  const zone::ZoneRegistry* zones = nullptr;  // every served zone (static ones included)
  std::function<uint64_t()> now;              // unix seconds (injectable for tests)
};

using Reply = std::function<void(std::vector<uint8_t> response)>;

// The core of RFC 2136 on one parsed UPDATE message whose zone section names `view`'s zone:
// prerequisites (3.2), permissions (3.3, `key` null: no key restrictions), prescan (3.4.1)
// and the updates (3.4.2), applied to `view`. A result other than NOERROR means the caller
// must discard the view's changes. Exposed for fuzzing; HandleUpdateMessage uses it.
dns::Rcode ApplyUpdateMessage(const dns::Message& message, const KeyEntry* key, ZoneView& view);

// Handles one UPDATE message (opcode 5, QR=0) received from `peer`.
void HandleUpdateMessage(std::span<const uint8_t> message, const sockaddr* peer,
                         const Rfc2136Context& context, Reply reply);

}  // namespace tether::update
