// The account tables' rows as both stores (SQLite, PostgreSQL) write and read them, so the
// two cannot drift apart: the columns in the order of the k*Columns lists, and the list
// columns of a token (hosts, types, networks) as comma-separated text.
//
// `Row` is a store's result row with Int(i), Text(i) (a string_view), Bytes(i) (a span of
// bytes) and Bool(i), and optionally ok() (false once a value could not be read). The
// decoders return nullopt for a damaged row; the store says where it was.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/rr_type.h"
#include "store/accounts.h"
#include "store/audit.h"
#include "store/takedowns.h"

namespace tether::store::account_rows {

inline constexpr const char* kUserColumns = "id, name, role, password_hash, credential_version, created, host_limit";
// PostgreSQL's hosts table; SQLite keeps the abuse state in host_abuse and reads the same
// columns through a join (sqlite/account_store.cc kHostSelect).
inline constexpr const char* kHostColumns =
    "id, fqdn, user_id, zone_id, lifecycle, created, last_update, abuse_state, abuse_reason, "
    "abuse_since, abuse_action, abuse_order";
inline constexpr const char* kTokenColumns = "id, user_id, digest, hosts, types, networks, expires, created, revoked";
inline constexpr const char* kCredentialColumns = "id, host_id, username, digest, created";
// The audit table (store/audit.h); names one per line (JoinAuditNames).
// The takedowns table (store/takedowns.h); names and ns one per line. SQLite keeps the
// snapshot in takedown_snapshots and reads the same columns through a join.
inline constexpr const char* kTakedownColumns =
    "id, status, preview_id, created, author, approver, action, ns, reason, reference, expires, "
    "forced, names, report, snapshot, serials, applied, restored";
// The same without the large report and snapshot (ListTakedowns).
inline constexpr const char* kTakedownListColumns =
    "id, status, preview_id, created, author, approver, action, ns, reason, reference, expires, "
    "forced, names, '', '', serials, applied, restored";
// The stored text of an abuse state change's action: "" unless enforced.
inline const char* AbuseActionText(const AbuseStateChange& change) {
  return change.state == AbuseState::kEnforced ? EnforceActionName(change.action) : "";
}
inline constexpr const char* kAuditColumns =
    "seq, time, actor, action, reason, reference, names, serial_before, serial_after, prev_hash, hash";

// A list column (also of other tables, e.g. a secondary zone's primaries): the items,
// comma-separated. SplitList skips empty items (an empty text is no item); SplitListStrict
// refuses them (nullopt) and needs at least one.
std::vector<std::string> SplitList(std::string_view text);
std::optional<std::vector<std::string>> SplitListStrict(std::string_view text);
// Fails for an empty item or one with a comma.
Result<std::string> JoinList(const std::vector<std::string>& items);

// A token's scope as its hosts and types columns store it.
struct TokenLists {
  std::string hosts;
  std::string types;
  std::string networks;
};
Result<TokenLists> TokenListsOf(const TokenInfo& token);

template <class Row>
bool RowOk(Row& row) {
  if constexpr (requires { row.ok(); }) {
    return row.ok();
  } else {
    return true;
  }
}

template <class Row>
std::optional<UserInfo> User(Row& row) {
  UserInfo user;
  user.id = row.Int(0);
  user.name = std::string(row.Text(1));
  auto role = RoleFromName(row.Text(2));
  user.password_hash = std::string(row.Text(3));
  user.credential_version = static_cast<uint64_t>(row.Int(4));
  user.created = row.Int(5);
  user.host_limit = static_cast<int>(row.Int(6));
  if (!RowOk(row) || !role) return std::nullopt;
  user.role = *role;
  return user;
}

template <class Row>
std::optional<HostInfo> Host(Row& row) {
  HostInfo host;
  host.id = row.Int(0);
  auto fqdn = dns::Name::FromWire(row.Bytes(1));
  host.user_id = row.Int(2);
  host.zone_id = row.Int(3);
  auto lifecycle = LifecycleFromName(row.Text(4));
  host.created = row.Int(5);
  host.last_update = row.Int(6);
  auto abuse_state = AbuseStateFromName(row.Text(7));
  host.abuse_reason = std::string(row.Text(8));
  host.abuse_since = row.Int(9);
  const std::string_view action_text = row.Text(10);
  auto action = action_text.empty() ? std::optional(EnforceAction::kNxdomain) : EnforceActionFromName(action_text);
  host.abuse_order = row.Int(11);
  if (!RowOk(row) || !fqdn || !lifecycle || !abuse_state || !action) return std::nullopt;
  host.fqdn = *fqdn;
  host.lifecycle = *lifecycle;
  host.abuse_state = *abuse_state;
  host.abuse_action = *action;
  return host;
}

template <class Row>
std::optional<TokenInfo> Token(Row& row) {
  TokenInfo token;
  token.id = row.Int(0);
  token.user_id = row.Int(1);
  token.digest = std::string(row.Text(2));
  for (const auto& text : SplitList(row.Text(3))) {
    auto name = dns::Name::FromText(text);
    if (!name) return std::nullopt;
    token.hosts.push_back(*name);
  }
  for (const auto& text : SplitList(row.Text(4))) {
    auto type = dns::RrTypeFromString(text);
    if (!type) return std::nullopt;
    token.types.push_back(*type);
  }
  token.networks = SplitList(row.Text(5));
  token.expires = row.Int(6);
  token.created = row.Int(7);
  token.revoked = row.Bool(8);
  if (!RowOk(row)) return std::nullopt;
  return token;
}

template <class Row>
std::optional<HostCredentialInfo> Credential(Row& row) {
  HostCredentialInfo credential;
  credential.id = row.Int(0);
  credential.host_id = row.Int(1);
  credential.username = std::string(row.Text(2));
  credential.digest = std::string(row.Text(3));
  credential.created = row.Int(4);
  if (!RowOk(row)) return std::nullopt;
  return credential;
}

template <class Row>
std::optional<AuditEntry> Audit(Row& row) {
  AuditEntry entry;
  const int64_t seq = row.Int(0);
  entry.time = row.Int(1);
  entry.actor = std::string(row.Text(2));
  entry.action = std::string(row.Text(3));
  entry.reason = std::string(row.Text(4));
  entry.reference = std::string(row.Text(5));
  entry.names = SplitAuditNames(std::string(row.Text(6)));
  const int64_t before = row.Int(7);
  const int64_t after = row.Int(8);
  entry.prev_hash = std::string(row.Text(9));
  entry.hash = std::string(row.Text(10));
  if (!RowOk(row) || seq < 1 || before < 0 || before > UINT32_MAX || after < 0 || after > UINT32_MAX) {
    return std::nullopt;
  }
  entry.seq = static_cast<uint64_t>(seq);
  entry.serial_before = static_cast<uint32_t>(before);
  entry.serial_after = static_cast<uint32_t>(after);
  return entry;
}

template <class Row>
std::optional<Takedown> TakedownRow(Row& row) {
  Takedown takedown;
  takedown.id = row.Int(0);
  auto status = TakedownStatusFromName(row.Text(1));
  takedown.preview_id = row.Int(2);
  takedown.created = row.Int(3);
  takedown.author = std::string(row.Text(4));
  takedown.approver = std::string(row.Text(5));
  auto action = EnforceActionFromName(row.Text(6));
  takedown.ns = SplitAuditNames(std::string(row.Text(7)));
  takedown.reason = std::string(row.Text(8));
  takedown.reference = std::string(row.Text(9));
  takedown.expires = row.Int(10);
  takedown.forced = row.Int(11) != 0;
  takedown.names = SplitAuditNames(std::string(row.Text(12)));
  takedown.report = std::string(row.Text(13));
  takedown.snapshot = std::string(row.Text(14));
  takedown.serials = std::string(row.Text(15));
  takedown.applied = row.Int(16);
  takedown.restored = row.Int(17);
  if (!RowOk(row) || !status || !action) return std::nullopt;
  takedown.status = *status;
  takedown.action = *action;
  return takedown;
}

}  // namespace tether::store::account_rows
