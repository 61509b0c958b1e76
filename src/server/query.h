// The query path: one request in, one response out (or nothing), with no allocation and no
// lock. Parses the header and question, applies the message-level rules (QR=1 is never
// answered, opcodes other than QUERY get NOTIMP, QDCOUNT != 1 or a malformed message gets
// FORMERR, EDNS(0) per RFC 6891 including BADVERS), calls the answer algorithm and
// finishes the header and OPT record.
//
// Thread-safety: call on a reader thread inside a QSBR read section, with the ZoneSet
// snapshot loaded in that section.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "update/access.h"
#include "zone/zone_set.h"

namespace tether::server {

enum class Transport { kUdp, kTcp };

struct QueryOptions {
  // The largest UDP payload we send and advertise in OPT (RFC 6891 6.2.5; the 2020 DNS flag
  // day value).
  uint16_t max_udp_payload = 1232;
  // TSIG keys for signed queries (RFC 8945): a signed query is verified and its answer
  // signed. Null: signed queries get NOTAUTH/BADKEY.
  const update::AccessControl* keys = nullptr;
};

// Writes the response to `request` into `out` (capacity `out_capacity`) and returns its
// size, or 0 if the request must be dropped (shorter than a header, or a response).
// `watched` (if not null) is set when the question's name is a watched host's
// (server/query_watch_log.h).
size_t HandleQuery(const zone::ZoneSet& zones, std::span<const uint8_t> request,
                   Transport transport, const QueryOptions& options, uint8_t* out,
                   size_t out_capacity, bool* watched = nullptr);

}  // namespace tether::server
