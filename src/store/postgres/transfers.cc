// PostgresStore: the zone transfer settings (store.h TransferSettings), in the
// transfer_peers table, and a secondary zone's primaries (PrimarySettings) in the
// primaries table, with the SQLite store's meaning (sqlite/transfers.cc).
#include "store/account_rows.h"
#include "store/postgres/feed.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "store/transfer_rows.h"

namespace tether::store::postgres {

namespace {

// Locks the zone's row for the rest of the transaction; returns its origin.
Result<dns::Name> LockZone(Conn& conn, int64_t zone_id) {
  ASSIGN_OR_RETURN(Rows zone, conn.Query("SELECT origin FROM zones WHERE id = $1 FOR UPDATE",
                                         Params().Int(zone_id)));
  if (zone.size() == 0) return NotFound("no zone with id {}", zone_id);
  Row row = zone.At(0);
  return NameFromColumn(row.Bytes(0));
}

}  // namespace

Result<TransferSettings> PostgresStore::GetTransferSettings(int64_t zone_id) {
  return Read<TransferSettings>([&](Conn& conn) -> Result<TransferSettings> {
    ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT kind, value, key_name FROM transfer_peers "
                                           "WHERE zone_id = $1 ORDER BY id",
                                           Params().Int(zone_id)));
    TransferSettings settings;
    for (int i = 0; i < rows.size(); ++i) {
      Row row = rows.At(i);
      const std::string_view kind = row.Text(0);
      const std::string_view value = row.Text(1);
      const std::string_view key_name = row.Text(2);
      if (!row.ok() || !transfer_rows::AddPeerRow(kind, value, key_name, &settings)) {
        return Damaged("transfer_peers row");
      }
    }
    return settings;
  });
}

Status PostgresStore::SetTransferSettings(int64_t zone_id, const TransferSettings& settings) {
  ASSIGN_OR_RETURN(std::vector<transfer_rows::PeerRow> peers, transfer_rows::PeerRowsOf(settings));
  return committer_->Run([&](Conn& conn) -> Status {
    // Locks the zone row: settings replaced by two nodes at once end as one or the other.
    ASSIGN_OR_RETURN(const dns::Name origin, LockZone(conn, zone_id));
    RETURN_IF_ERROR(conn.Exec("DELETE FROM transfer_peers WHERE zone_id = $1", Params().Int(zone_id)));
    // ON CONFLICT: a value given twice is stored once.
    auto put = [&](const char* kind, const std::string& value, const std::string& key) {
      return conn.Exec(
          "INSERT INTO transfer_peers(zone_id, kind, value, key_name) VALUES($1, $2, $3, $4) "
          "ON CONFLICT DO NOTHING",
          Params().Int(zone_id).Text(kind).Text(value).Text(key));
    };
    for (const auto& peer : peers) RETURN_IF_ERROR(put(peer.kind, peer.value, peer.key_name));
    return RecordChange(conn, feed_limits_, ChangeKind::kZone, zone_id, origin.ToText(), now_());
  });
}

Result<std::optional<PrimarySettings>> PostgresStore::GetPrimarySettings(int64_t zone_id) {
  using Found = std::optional<PrimarySettings>;
  return Read<Found>([&](Conn& conn) -> Result<Found> {
    ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT addresses, key_name, refreshed FROM primaries "
                                           "WHERE zone_id = $1",
                                           Params().Int(zone_id)));
    if (rows.size() == 0) return Found();
    Row row = rows.At(0);
    PrimarySettings settings;
    const std::string_view addresses = row.Text(0);
    const std::string_view key_name = row.Text(1);
    settings.refreshed = row.Int(2);
    if (!row.ok()) return Damaged("primaries row");
    auto primaries = account_rows::SplitListStrict(addresses);
    if (!primaries) return Damaged("primaries.addresses");
    settings.primaries = std::move(*primaries);
    if (!key_name.empty()) {
      settings.key = transfer_rows::KeyFromColumn(key_name);
      if (!settings.key) return Damaged("transfer key name");
    }
    return Found(std::move(settings));
  });
}

Status PostgresStore::SetPrimarySettings(int64_t zone_id,
                                         const std::optional<PrimarySettings>& settings) {
  std::string addresses;
  if (settings) {
    if (settings->primaries.empty()) return InvalidArgument("a secondary zone without primaries");
    ASSIGN_OR_RETURN(addresses, account_rows::JoinList(settings->primaries));
  }
  return committer_->Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(const dns::Name origin, LockZone(conn, zone_id));
    RETURN_IF_ERROR(
        RecordChange(conn, feed_limits_, ChangeKind::kZone, zone_id, origin.ToText(), now_()));
    if (!settings) {
      return conn.Exec("DELETE FROM primaries WHERE zone_id = $1", Params().Int(zone_id));
    }
    return conn.Exec(
        "INSERT INTO primaries(zone_id, addresses, key_name, refreshed) VALUES($1, $2, $3, $4) "
        "ON CONFLICT (zone_id) DO UPDATE SET addresses = excluded.addresses, "
        "key_name = excluded.key_name, refreshed = excluded.refreshed",
        Params()
            .Int(zone_id)
            .Text(addresses)
            .Text(settings->key ? settings->key->Lowercased().ToText() : "")
            .Int(settings->refreshed));
  });
}

}  // namespace tether::store::postgres
