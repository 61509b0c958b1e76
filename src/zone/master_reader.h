// Internal to src/zone: the master-file reader with source locations, which the zone loader
// needs to report "FILE:LINE" for problems found after a record was read (a CNAME next to
// other data, a name outside the zone). master_file.h is the public interface.
//
// Pure functions over their arguments; thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "zone/master_file.h"
#include "zone/zone.h"

namespace tether::zone {

// Where a record was read. `source` is valid only during the sink call.
struct MasterLocation {
  std::string_view source;  // the file name as given (or the text's source_name)
  size_t line = 0;
};

using LocatedSink = std::function<Status(MasterRecord&&, const MasterLocation&)>;

// As ReadMasterFile / ReadMasterText, with each record's location. Errors returned by the
// sink are passed through unchanged.
Status ReadMasterFileLocated(const std::string& path, const MasterFileOptions& options,
                             const LocatedSink& sink);
Status ReadMasterTextLocated(std::string_view text, std::string_view source_name,
                             const MasterFileOptions& options, const LocatedSink& sink);

// LoadZoneUpdates over text in memory (for tests and the fuzzer); `source_name` is used in
// error messages and $INCLUDE is resolved as in ReadMasterText.
Result<std::vector<NameUpdate>> LoadZoneUpdatesFromText(std::string_view text,
                                                        std::string_view source_name,
                                                        const MasterFileOptions& options);

// Formats "SOURCE:LINE: reason".
inline tl::unexpected<Error> LocatedError(std::string_view source, size_t line,
                                          std::string_view reason) {
  return InvalidArgument("{}:{}: {}", source, line, reason);
}

}  // namespace tether::zone
