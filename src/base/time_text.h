// Dates as operators type them and as lists print them: ISO 8601 (`2027-01-31`,
// `2027-01-31T12:00:00Z`) or relative to now (`+30d`, `+12h`, `+90m`, `+45s`), in UTC.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tether {

// Unix seconds of `text`. A bare date means the end of that day (valid through it).
Result<int64_t> ParseTimeText(std::string_view text, int64_t now);
// "2027-01-31T12:00:00Z"
std::string FormatTime(int64_t unix_seconds);

}  // namespace tether
