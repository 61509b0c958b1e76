// PostgresStore: the zone transfer settings (store.h TransferSettings), in the
// transfer_peers table, and a secondary zone's primaries (PrimarySettings) in the
// primaries table, with the SQLite store's meaning (sqlite/transfers.cc).
#include "base/cidr.h"
#include "store/account_rows.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"

namespace tether::store::postgres {

namespace {

constexpr const char* kSecondary = "secondary";
constexpr const char* kKey = "key";
constexpr const char* kAddress = "address";

Result<dns::Name> KeyFromColumn(std::string_view text) {
  auto name = dns::Name::FromText(text);
  if (text.empty() || text.back() != '.' || !name) return Damaged("transfer key name");
  return name->Lowercased();
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
      const std::string value(row.Text(1));
      const std::string_view key_name = row.Text(2);
      if (!row.ok()) return Damaged("transfer_peers row");
      if (kind == kSecondary) {
        Secondary secondary{value, std::nullopt};
        if (value.empty()) return Damaged("secondary address");
        if (!key_name.empty()) {
          ASSIGN_OR_RETURN(dns::Name key, KeyFromColumn(key_name));
          secondary.key = std::move(key);
        }
        settings.secondaries.push_back(std::move(secondary));
      } else if (kind == kKey) {
        ASSIGN_OR_RETURN(dns::Name key, KeyFromColumn(value));
        settings.keys.push_back(std::move(key));
      } else if (kind == kAddress && Cidr::Parse(value)) {
        settings.cidrs.push_back(value);
      } else {
        return Damaged("transfer_peers row");
      }
    }
    return settings;
  });
}

Status PostgresStore::SetTransferSettings(int64_t zone_id, const TransferSettings& settings) {
  for (const auto& secondary : settings.secondaries) {
    if (secondary.address.empty()) return InvalidArgument("a secondary without an address");
  }
  for (const auto& cidr : settings.cidrs) {
    if (!Cidr::Parse(cidr)) return InvalidArgument("bad network '{}'", cidr);
  }
  return committer_->Run([&](Conn& conn) -> Status {
    // Locks the zone row: settings replaced by two nodes at once end as one or the other.
    ASSIGN_OR_RETURN(Rows zone, conn.Query("SELECT 1 FROM zones WHERE id = $1 FOR UPDATE",
                                           Params().Int(zone_id)));
    if (zone.size() == 0) return NotFound("no zone with id {}", zone_id);
    RETURN_IF_ERROR(conn.Exec("DELETE FROM transfer_peers WHERE zone_id = $1", Params().Int(zone_id)));
    // ON CONFLICT: a value given twice is stored once.
    auto put = [&](const char* kind, const std::string& value, const std::string& key) {
      return conn.Exec(
          "INSERT INTO transfer_peers(zone_id, kind, value, key_name) VALUES($1, $2, $3, $4) "
          "ON CONFLICT DO NOTHING",
          Params().Int(zone_id).Text(kind).Text(value).Text(key));
    };
    for (const auto& secondary : settings.secondaries) {
      RETURN_IF_ERROR(put(kSecondary, secondary.address,
                          secondary.key ? secondary.key->Lowercased().ToText() : ""));
    }
    for (const auto& key : settings.keys) RETURN_IF_ERROR(put(kKey, key.Lowercased().ToText(), ""));
    for (const auto& cidr : settings.cidrs) RETURN_IF_ERROR(put(kAddress, cidr, ""));
    return Ok();
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
      ASSIGN_OR_RETURN(dns::Name key, KeyFromColumn(key_name));
      settings.key = std::move(key);
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
    ASSIGN_OR_RETURN(Rows zone, conn.Query("SELECT 1 FROM zones WHERE id = $1 FOR UPDATE",
                                           Params().Int(zone_id)));
    if (zone.size() == 0) return NotFound("no zone with id {}", zone_id);
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
