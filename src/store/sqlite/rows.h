// Conversions between the store's values and the columns of its tables, shared by the
// read and write connections. Rows are untrusted: every parser checks ranges and formats
// and fails with a message naming the database file instead of returning a half-read value.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/sqlite/db.h"
#include "store/store.h"

namespace tether::store::sqlite {

// The zones columns ZoneFromRow expects, in order, for SELECT lists.
inline constexpr const char* kZoneColumns =
    "id, origin, serial_policy, serial, journal_seq, allow_update, service, rpz";
inline constexpr int kZoneColumnCount = 8;
// Parses a row whose columns [first, first + kZoneColumnCount) are kZoneColumns.
Result<ZoneInfo> ZoneFromRow(const Statement& row, int first, const std::string& path);

// allow_update: CIDRs joined by ','. Fails if a CIDR is empty or contains ',' (it would not
// come back as it went in).
Result<std::string> JoinCidrs(const std::vector<std::string>& cidrs);
std::vector<std::string> SplitCidrs(std::string_view text);

const char* GrantScopeName(GrantScope scope);
std::optional<GrantScope> GrantScopeFromName(std::string_view name);
// Types of a grant as mnemonics joined by ','; '' for every type.
std::string JoinTypes(const std::vector<dns::RrType>& types);
Result<std::vector<dns::RrType>> SplitTypes(std::string_view text);

// A name stored in wire form (zones.origin, keys.name, grants.name), validated.
Result<dns::Name> NameFromColumn(std::span<const uint8_t> wire, const std::string& path);

// An error for a row that does not parse.
tl::unexpected<Error> DamagedRow(const std::string& path, std::string_view what);

}  // namespace tether::store::sqlite
