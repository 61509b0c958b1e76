// The zone transfer settings as both stores (SQLite, PostgreSQL) keep them, so the two
// cannot drift apart: one transfer_peers row per secondary, transfer key and network
// (kind, value, key_name), and key names as absolute lower-case text.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "store/store.h"

namespace tether::store::transfer_rows {

struct PeerRow {
  const char* kind;  // "secondary", "key" or "address"
  std::string value;
  std::string key_name;  // a secondary's key; "" for none
};

// The rows of `settings`, or kInvalidArgument (a secondary without an address, a bad
// network) before anything is written.
Result<std::vector<PeerRow>> PeerRowsOf(const TransferSettings& settings);
// Adds one stored row to `settings`; false if the row does not parse (a damaged store).
bool AddPeerRow(std::string_view kind, std::string_view value, std::string_view key_name, TransferSettings* settings);
// A key name column (absolute text), lower-cased; nullopt if it does not parse.
std::optional<dns::Name> KeyFromColumn(std::string_view text);

}  // namespace tether::store::transfer_rows
