// Conversions between the PostgreSQL store's rows and the store's values, shared by its
// read and write paths. Rows are untrusted: every parser checks ranges and formats and
// fails (kIo, "postgresql: damaged ...") instead of returning a half-read value. The list
// columns (allow_update, grant types) use the SQLite store's text forms (sqlite/rows.h).
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "base/result.h"
#include "store/postgres/conn.h"
#include "store/store.h"

namespace tether::store::postgres {

inline constexpr const char* kWhere = "postgresql";

// The zones columns ZoneFromRow expects, in order, for SELECT lists.
inline constexpr const char* kZoneColumns =
    "id, origin, serial_policy, serial, journal_seq, allow_update, service, rpz";
inline constexpr int kZoneColumnCount = 8;
Result<ZoneInfo> ZoneFromRow(Row& row, int first);

// A name stored in wire form, validated.
Result<dns::Name> NameFromColumn(std::span<const uint8_t> wire);

tl::unexpected<Error> Damaged(std::string_view what);

}  // namespace tether::store::postgres
