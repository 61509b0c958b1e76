// PostgresStore: the read methods (postgres_store.h). Everything read back is parsed as
// untrusted; a damaged row fails the call.
#include <algorithm>
#include <limits>
#include <map>

#include "store/blob_codec.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/rows.h"
#include "store/sqlite/rows.h"

namespace tether::store::postgres {

Result<std::vector<ZoneInfo>> PostgresStore::ListZones() {
  return Read<std::vector<ZoneInfo>>([](Conn& conn) -> Result<std::vector<ZoneInfo>> {
    ASSIGN_OR_RETURN(Rows rows, conn.Query(std::string("SELECT ") + kZoneColumns +
                                           " FROM zones ORDER BY origin"));
    std::vector<ZoneInfo> zones;
    for (int i = 0; i < rows.size(); ++i) {
      Row row = rows.At(i);
      ASSIGN_OR_RETURN(ZoneInfo info, ZoneFromRow(row, 0));
      zones.push_back(std::move(info));
    }
    return zones;
  });
}

Result<std::optional<ZoneInfo>> PostgresStore::GetZone(const dns::Name& origin) {
  const dns::Name lower = origin.Lowercased();
  return Read<std::optional<ZoneInfo>>([&](Conn& conn) -> Result<std::optional<ZoneInfo>> {
    ASSIGN_OR_RETURN(Rows rows, conn.Query(std::string("SELECT ") + kZoneColumns +
                                               " FROM zones WHERE origin = $1",
                                           Params().Bytes(lower.wire())));
    if (rows.size() == 0) return std::optional<ZoneInfo>();
    Row row = rows.At(0);
    ASSIGN_OR_RETURN(ZoneInfo info, ZoneFromRow(row, 0));
    return std::optional<ZoneInfo>(std::move(info));
  });
}

Status PostgresStore::LoadZone(int64_t zone_id,
                               const std::function<void(zone::NameUpdate&&)>& sink) {
  // A connection of its own: a long load blocks no other read, and the sink may call the
  // store. One snapshot, so that the SOA and the names agree.
  ASSIGN_OR_RETURN(Conn conn, Conn::Connect(conninfo_));
  RETURN_IF_ERROR(conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  ASSIGN_OR_RETURN(Rows zone, conn.Query("SELECT origin, soa FROM zones WHERE id = $1",
                                         Params().Int(zone_id)));
  if (zone.size() == 0) return NotFound("no zone with id {}", zone_id);
  Row zone_row = zone.At(0);
  ASSIGN_OR_RETURN(const dns::Name origin, NameFromColumn(zone_row.Bytes(0)));
  auto soa = DecodeRrsets(zone_row.Bytes(1));
  if (!zone_row.ok() || !soa || soa->size() != 1 || soa->front().type != dns::RrType::kSoa) {
    return Damaged("SOA of " + origin.ToText() + " (zones.soa)");
  }
  // The apex row leaves the SOA out (postgres_store.cc); it is put back in type order.
  auto with_soa = [&](std::vector<zone::Rrset>* rrsets) {
    auto at = std::find_if(rrsets->begin(), rrsets->end(), [](const zone::Rrset& rrset) {
      return rrset.type >= dns::RrType::kSoa;
    });
    if (at != rrsets->end() && at->type == dns::RrType::kSoa) {
      *at = soa->front();
    } else {
      rrsets->insert(at, soa->front());
    }
  };
  bool apex_seen = false;
  RETURN_IF_ERROR(conn.Stream("SELECT owner, data FROM names WHERE zone_id = $1",
                              Params().Int(zone_id), [&](Row& row) -> Status {
                                const std::span<const uint8_t> owner = row.Bytes(0);
                                auto name = NameFromOwnerKey(owner, origin);
                                if (!row.ok() || !name) {
                                  return Damaged("owner name in zone " + origin.ToText());
                                }
                                auto rrsets = DecodeRrsets(row.Bytes(1));
                                if (!row.ok() || !rrsets) return Damaged("data of " + name->ToText());
                                if (owner.empty()) {
                                  apex_seen = true;
                                  with_soa(&*rrsets);
                                }
                                sink(zone::NameUpdate{std::move(*name), std::move(*rrsets)});
                                return Ok();
                              }));
  if (!apex_seen) sink(zone::NameUpdate{origin, {soa->front()}});
  return conn.Exec("COMMIT");
}

Result<std::vector<JournalEntry>> PostgresStore::ReadJournal(int64_t zone_id, uint64_t after_seq) {
  const auto after = static_cast<int64_t>(
      std::min<uint64_t>(after_seq, std::numeric_limits<int64_t>::max()));
  return Read<std::vector<JournalEntry>>([&](Conn& conn) -> Result<std::vector<JournalEntry>> {
    ASSIGN_OR_RETURN(Rows rows,
                     conn.Query("SELECT seq, serial_from, serial_to, time, removed, added "
                                "FROM journal WHERE zone_id = $1 AND seq > $2 ORDER BY seq",
                                Params().Int(zone_id).Int(after)));
    std::vector<JournalEntry> entries;
    for (int i = 0; i < rows.size(); ++i) {
      Row row = rows.At(i);
      JournalEntry& entry = entries.emplace_back();
      const int64_t seq = row.Int(0);
      const int64_t from = row.Int(1);
      const int64_t to = row.Int(2);
      entry.time = row.Int(3);
      auto removed = DecodeJournalRrs(row.Bytes(4));
      auto added = DecodeJournalRrs(row.Bytes(5));
      // RFC 1995 4: each part starts with an SOA; without it the entry cannot be sent.
      if (!row.ok() || seq <= 0 || from < 0 || from > int64_t{UINT32_MAX} || to < 0 ||
          to > int64_t{UINT32_MAX} || !removed || !added || removed->empty() ||
          added->empty() || removed->front().type != dns::RrType::kSoa ||
          added->front().type != dns::RrType::kSoa) {
        return Damaged(fmt::format("journal entry {}", seq));
      }
      entry.seq = static_cast<uint64_t>(seq);
      entry.serial_from = static_cast<uint32_t>(from);
      entry.serial_to = static_cast<uint32_t>(to);
      entry.removed = std::move(*removed);
      entry.added = std::move(*added);
    }
    return entries;
  });
}

// ---- the change feed ----

Result<uint64_t> PostgresStore::ChangeFeedHead() {
  return Read<uint64_t>([](Conn& conn) { return FeedHead(conn); });
}

Result<ChangeBatch> PostgresStore::WaitForChanges(uint64_t after, std::chrono::milliseconds wait) {
  MutexLock lock(feed_mu_);
  return feed_reader_.Wait(after, wait);
}

Result<std::vector<TsigKeyInfo>> PostgresStore::ListKeys() {
  return Read<std::vector<TsigKeyInfo>>([](Conn& conn) -> Result<std::vector<TsigKeyInfo>> {
    // One snapshot for keys and grants.
    RETURN_IF_ERROR(conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    auto keys_rows = conn.Query("SELECT name, algorithm, secret FROM keys ORDER BY name");
    auto grant_rows = keys_rows ? conn.Query(
                                      "SELECT g.key_name, z.origin, g.scope, g.name, g.types "
                                      "FROM grants g JOIN zones z ON z.id = g.zone_id ORDER BY g.id")
                                : Result<Rows>(tl::unexpected(keys_rows.error()));
    (void)conn.Exec(grant_rows ? "COMMIT" : "ROLLBACK");
    if (!grant_rows) return tl::unexpected(grant_rows.error());
    std::vector<TsigKeyInfo> keys;
    std::map<std::string, size_t> by_name;  // wire form -> index in keys
    for (int i = 0; i < keys_rows->size(); ++i) {
      Row row = keys_rows->At(i);
      TsigKeyInfo& key = keys.emplace_back();
      ASSIGN_OR_RETURN(key.name, NameFromColumn(row.Bytes(0)));
      key.algorithm = std::string(row.Text(1));
      const std::span<const uint8_t> secret = row.Bytes(2);
      key.secret.assign(secret.begin(), secret.end());
      if (!row.ok()) return Damaged("key");
      const auto wire = key.name.wire();
      by_name[std::string(wire.begin(), wire.end())] = keys.size() - 1;
    }
    for (int i = 0; i < grant_rows->size(); ++i) {
      Row row = grant_rows->At(i);
      const auto key_wire = row.Bytes(0);
      auto key = by_name.find(std::string(key_wire.begin(), key_wire.end()));
      auto scope = sqlite::GrantScopeFromName(row.Text(2));
      auto types = sqlite::SplitTypes(row.Text(4));
      if (key == by_name.end() || !scope || !types) return Damaged("key grant");
      KeyGrant grant;
      ASSIGN_OR_RETURN(grant.zone, NameFromColumn(row.Bytes(1)));
      grant.scope = *scope;
      if (*scope != GrantScope::kZone) {
        ASSIGN_OR_RETURN(grant.name, NameFromColumn(row.Bytes(3)));
      }
      if (!row.ok()) return Damaged("key grant");
      grant.types = std::move(*types);
      keys[key->second].grants.push_back(std::move(grant));
    }
    return keys;
  });
}

}  // namespace tether::store::postgres
