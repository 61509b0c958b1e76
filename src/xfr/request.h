// The requests Tether sends about a zone — NOTIFY to its secondaries (RFC 1996), and as a
// secondary the SOA query and the AXFR/IXFR request to its primaries (RFC 5936, RFC 1995)
// — built in one place: the question (ORIGIN, QTYPE, IN), at most one SOA record of the
// zone (in the answer section for NOTIFY's hint, in the authority section for IXFR's
// client serial), and a TSIG signature when a key is given. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "dns/name.h"
#include "dns/rr_type.h"
#include "dns/wire/tsig.h"
#include "zone/rrset.h"

namespace tether::xfr {

enum class SoaSection { kNone, kAnswer, kAuthority };

struct ZoneRequest {
  uint16_t id = 0;
  dns::Opcode opcode = dns::Opcode::kQuery;
  bool aa = false;  // NOTIFY sets it (RFC 1996 3.7)
  dns::Name origin;
  dns::RrType qtype = dns::RrType::kSoa;
  const zone::Rrset* soa = nullptr;  // its first record is sent, if `soa_section` says so
  SoaSection soa_section = SoaSection::kNone;
  const dns::TsigKey* key = nullptr;  // null: unsigned
};

struct BuiltRequest {
  std::vector<uint8_t> wire;
  std::vector<uint8_t> mac;  // the request MAC, to verify the answers with; empty if unsigned
};

// Fails (nullopt) only if the message does not fit 4 KiB, which a valid SOA always does.
std::optional<BuiltRequest> BuildRequest(const ZoneRequest& request, uint64_t now);

// A random message ID (RFC 5452 9.2).
uint16_t RandomId();
// Unix seconds now, for TSIG.
uint64_t UnixNow();

}  // namespace tether::xfr
