// SqliteStore: the zone transfer settings (store.h TransferSettings), kept in the
// transfer_peers table, and a secondary zone's primaries (PrimarySettings) in the primaries
// table (schema.h). Rows are untrusted: every value is parsed back and a
// row that does not parse fails the read naming the file.
#include "store/account_rows.h"
#include "store/transfer_rows.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace tether::store::sqlite {

Result<TransferSettings> SqliteStore::GetTransferSettings(int64_t zone_id) {
  MutexLock lock(read_mu_);
  ASSIGN_OR_RETURN(Statement rows,
                   read_db_.Prepare("SELECT kind, value, key_name FROM transfer_peers "
                                    "WHERE zone_id = ?1 ORDER BY rowid"));
  rows.Bind(1, zone_id);
  TransferSettings settings;
  while (true) {
    ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    const std::string_view kind = rows.Text(0);
    const std::string_view value = rows.Text(1);
    if (!transfer_rows::AddPeerRow(kind, value, rows.Text(2), &settings)) {
      return DamagedRow(path_, "transfer_peers row");
    }
  }
  return settings;
}

Status SqliteStore::SetTransferSettings(int64_t zone_id, const TransferSettings& settings) {
  ASSIGN_OR_RETURN(std::vector<transfer_rows::PeerRow> peers, transfer_rows::PeerRowsOf(settings));
  return committer_->Run([&](Writer& writer) -> Status {
    Db& db = writer.db();
    ASSIGN_OR_RETURN(Statement zone, db.Prepare("SELECT 1 FROM zones WHERE id = ?1"));
    zone.Bind(1, zone_id);
    ASSIGN_OR_RETURN(bool found, zone.Step());
    if (!found) return NotFound("no zone with id {}", zone_id);
    ASSIGN_OR_RETURN(Statement clear, db.Prepare("DELETE FROM transfer_peers WHERE zone_id = ?1"));
    clear.Bind(1, zone_id);
    RETURN_IF_ERROR(clear.Run());
    // OR IGNORE: a value given twice is stored once.
    ASSIGN_OR_RETURN(Statement insert,
                     db.Prepare("INSERT OR IGNORE INTO transfer_peers(zone_id, kind, value, "
                                "key_name) VALUES(?1, ?2, ?3, ?4)"));
    auto put = [&](const char* kind, const std::string& value, const std::string& key) {
      ResetOnExit reset(insert);
      insert.Bind(1, zone_id);
      insert.BindText(2, kind);
      insert.BindText(3, value);
      insert.BindText(4, key);
      return insert.Run();
    };
    for (const auto& peer : peers) RETURN_IF_ERROR(put(peer.kind, peer.value, peer.key_name));
    return Ok();
  });
}

Result<std::optional<PrimarySettings>> SqliteStore::GetPrimarySettings(int64_t zone_id) {
  MutexLock lock(read_mu_);
  ASSIGN_OR_RETURN(Statement row, read_db_.Prepare("SELECT addresses, key_name, refreshed FROM "
                                                   "primaries WHERE zone_id = ?1"));
  row.Bind(1, zone_id);
  ASSIGN_OR_RETURN(bool found, row.Step());
  if (!found) return std::optional<PrimarySettings>();
  PrimarySettings settings;
  const std::string_view addresses = row.Text(0);
  auto primaries = account_rows::SplitListStrict(addresses);
  if (!primaries) return DamagedRow(path_, "primaries.addresses");
  settings.primaries = std::move(*primaries);
  if (!row.Text(1).empty()) {
    settings.key = transfer_rows::KeyFromColumn(row.Text(1));
    if (!settings.key) return DamagedRow(path_, "transfer key name");
  }
  settings.refreshed = row.Int(2);
  return std::optional<PrimarySettings>(std::move(settings));
}

Status SqliteStore::SetPrimarySettings(int64_t zone_id,
                                       const std::optional<PrimarySettings>& settings) {
  std::string addresses;
  if (settings) {
    if (settings->primaries.empty()) return InvalidArgument("a secondary zone without primaries");
    ASSIGN_OR_RETURN(addresses, account_rows::JoinList(settings->primaries));
  }
  return committer_->Run([&](Writer& writer) -> Status {
    Db& db = writer.db();
    ASSIGN_OR_RETURN(Statement zone, db.Prepare("SELECT 1 FROM zones WHERE id = ?1"));
    zone.Bind(1, zone_id);
    ASSIGN_OR_RETURN(bool found, zone.Step());
    if (!found) return NotFound("no zone with id {}", zone_id);
    if (!settings) {
      ASSIGN_OR_RETURN(Statement clear, db.Prepare("DELETE FROM primaries WHERE zone_id = ?1"));
      clear.Bind(1, zone_id);
      return clear.Run();
    }
    ASSIGN_OR_RETURN(Statement put,
                     db.Prepare("INSERT OR REPLACE INTO primaries(zone_id, addresses, key_name, "
                                "refreshed) VALUES(?1, ?2, ?3, ?4)"));
    put.Bind(1, zone_id);
    put.BindText(2, addresses);
    put.BindText(3, settings->key ? settings->key->Lowercased().ToText() : "");
    put.Bind(4, settings->refreshed);
    return put.Run();
  });
}

}  // namespace tether::store::sqlite
