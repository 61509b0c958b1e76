// The network side of tetherd as a secondary: the SOA query to a primary (RFC 1034 4.3.5,
// over UDP, over TCP when the answer is truncated) and the zone transfer itself, always
// over TCP (RFC 1995 2 lets a client send IXFR over TCP directly; RFC 5936 4.2 requires it
// for AXFR): IXFR when we have a version of the zone, AXFR otherwise. Requests are built by
// request.h, answers read by TransferReader, and signed with the zone's key if it has one.
//
// Blocking calls bounded by `timeout` per wait (connect, each read); thread-safe (each
// call uses its own socket).
#pragma once

#include <chrono>
#include <cstdint>

#include "base/result.h"
#include "dns/name.h"
#include "dns/wire/tsig.h"
#include "xfr/transfer_policy.h"
#include "xfr/transfer_reader.h"
#include "zone/rrset.h"

namespace tether::xfr {

struct PrimaryRequest {
  const PeerAddress* primary = nullptr;
  dns::Name origin;                   // lowercase
  const dns::TsigKey* key = nullptr;  // null: unsigned
  std::chrono::milliseconds timeout{5000};
};

// The primary's SOA RRset for the zone (one record), from an authoritative NOERROR answer
// that verifies when signed. Errors: kUnavailable (no answer, an error RCODE),
// kPermissionDenied (TSIG), kInvalidArgument (a malformed answer).
Result<zone::Rrset> QuerySoa(const PrimaryRequest& request);

// Transfers the zone: IXFR from `current_soa` (our SOA) if given, else AXFR. The reader's
// errors are returned as they are (TransferReader); an IXFR the primary refuses to serve
// (an error RCODE) is kUnavailable, so the caller may try AXFR.
Result<Transfer> FetchTransfer(const PrimaryRequest& request, const zone::Rrset* current_soa);

}  // namespace tether::xfr
