// LOC RDATA (RFC 1876): wire checks and the presentation form BIND prints
// ("52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m"). Internal to dns/rdata*.cc.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "dns/rdata.h"

namespace tether::dns {

// Version 0: exactly 16 bytes, size and precisions with mantissa and exponent <= 9 and the
// coordinates within +-90 / +-180 degrees (as BIND checks). Other versions are opaque.
bool ValidLoc(std::span<const uint8_t> rdata);

// RFC 1876 3: d1 [m1 [s1]] {N|S} d2 [m2 [s2]] {E|W} alt[m] [siz[m] [hp[m] [vp[m]]]].
Status ParseLoc(std::span<const TextToken> tokens, std::vector<uint8_t>* out);

// False for a version other than 0, or a zero size or precision with a non-zero exponent
// (which would read back as 0x00); those are printed in the RFC 3597 form instead.
// REQUIRES: ValidLoc(rdata).
bool AppendLoc(std::span<const uint8_t> rdata, std::string* out);

}  // namespace tether::dns
