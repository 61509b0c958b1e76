// SvcParams of the SVCB and HTTPS records (RFC 9460 2.2 wire form, 2.1 and Appendix A
// presentation form). Internal to dns/rdata*.cc. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "dns/rdata.h"

namespace tether::dns {

// RFC 9460 2.2: keys strictly increasing, key 65535 absent, and the values of the keys
// defined in RFC 9460 7 and RFC 9461 well-formed.
bool ValidSvcParams(std::span<const uint8_t> params);

// RFC 9460 8 and 7.1.1: every key listed in "mandatory" is present, and "no-default-alpn"
// comes with "alpn". Presentation input must satisfy this; wire input that does not is
// printed in the RFC 3597 form. REQUIRES: ValidSvcParams(params).
bool SvcParamsSelfConsistent(std::span<const uint8_t> params);

// Parses "key=value" tokens (in any order) into wire SvcParams, sorted by key, appended to
// `out`. `type_name` is used in error messages.
Status ParseSvcParams(std::span<const TextToken> tokens, const char* type_name,
                      std::vector<uint8_t>* out);

// Appends the presentation form (" key=value" for each parameter, each preceded by a
// space). Returns false if the parameters cannot be presented (see SvcParamsSelfConsistent
// and an empty "ech"). REQUIRES: ValidSvcParams(params).
bool AppendSvcParams(std::span<const uint8_t> params, std::string* out);

}  // namespace tether::dns
