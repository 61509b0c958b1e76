// SOA serial arithmetic for the store: RFC 1982 comparison, the next serial under a zone's
// policy, and finding the serial field inside (untrusted) SOA RDATA. Pure functions;
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "store/store.h"

namespace tether::store {

// RFC 1982 3.2: true if `a` is greater than `b` in sequence space arithmetic. Pairs exactly
// 2^31 apart are incomparable: neither is greater.
bool SerialGreater(uint32_t a, uint32_t b);

// The serial that follows `serial` under `policy` at unix time `now` (RFC 1982 3.1
// addition, so serial 2^32-1 is followed by 0 under kIncrement).
uint32_t NextSerial(SerialPolicy policy, uint32_t serial, int64_t now);

// The offset of the SERIAL field in SOA RDATA (RFC 1035 3.3.13: MNAME, RNAME, then five
// 32-bit fields). Both names must be uncompressed, as stored RDATA is. Fails, never reads
// out of bounds, if `rdata` is malformed.
Result<size_t> SoaSerialOffset(std::span<const uint8_t> rdata);
Result<uint32_t> SoaSerial(std::span<const uint8_t> rdata);
// Rewrites the serial of `rdata` in place.
Status SetSoaSerial(std::vector<uint8_t>* rdata, uint32_t serial);

}  // namespace tether::store
