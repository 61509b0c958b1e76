// The commit path of the Writer (writer.h): one ZoneChange inside the group transaction.
// Zone, key and grant administration is in writer_admin.cc.
#include "store/sqlite/writer.h"

#include <algorithm>
#include <iterator>
#include <limits>

#include "store/blob_codec.h"
#include "store/serial.h"
#include "store/sqlite/rows.h"

namespace tether::store::sqlite {

Result<std::unique_ptr<Writer>> Writer::Create(Db db, JournalLimits limits,
                                               std::function<int64_t()> now) {
  std::unique_ptr<Writer> writer(new Writer(std::move(db), limits, std::move(now)));
  RETURN_IF_ERROR(writer->Prepare());
  return writer;
}

Status Writer::Prepare() {
  const std::string zone_by_id =
      std::string("SELECT ") + kZoneColumns + " FROM zones WHERE id = ?1";
  ASSIGN_OR_RETURN(s_.zone_by_id, db_.Prepare(zone_by_id));
  ASSIGN_OR_RETURN(s_.zone_id_by_origin, db_.Prepare("SELECT id FROM zones WHERE origin = ?1"));
  ASSIGN_OR_RETURN(s_.insert_zone,
                   db_.Prepare("INSERT INTO zones(origin, serial_policy, serial, journal_seq) "
                               "VALUES(?1, ?2, ?3, 0)"));
  ASSIGN_OR_RETURN(s_.get_name,
                   db_.Prepare("SELECT data FROM names WHERE zone_id = ?1 AND owner = ?2"));
  ASSIGN_OR_RETURN(s_.put_name,
                   db_.Prepare("INSERT INTO names(zone_id, owner, data) VALUES(?1, ?2, ?3) "
                               "ON CONFLICT(zone_id, owner) DO UPDATE SET data = excluded.data"));
  ASSIGN_OR_RETURN(s_.insert_name,
                   db_.Prepare("INSERT INTO names(zone_id, owner, data) VALUES(?1, ?2, ?3)"));
  ASSIGN_OR_RETURN(s_.delete_name,
                   db_.Prepare("DELETE FROM names WHERE zone_id = ?1 AND owner = ?2"));
  ASSIGN_OR_RETURN(s_.insert_journal,
                   db_.Prepare("INSERT INTO journal(zone_id, seq, serial_from, serial_to, time, "
                               "removed, added) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  ASSIGN_OR_RETURN(s_.update_zone,
                   db_.Prepare("UPDATE zones SET serial = ?2, journal_seq = ?3 WHERE id = ?1"));
  ASSIGN_OR_RETURN(s_.journal_times,
                   db_.Prepare("SELECT seq, time FROM journal WHERE zone_id = ?1 ORDER BY seq"));
  ASSIGN_OR_RETURN(s_.trim_journal,
                   db_.Prepare("DELETE FROM journal WHERE zone_id = ?1 AND seq <= ?2"));
  // IMMEDIATE takes the write lock at BEGIN, so a group never fails half-way for want of it.
  const char* const txn[] = {"BEGIN IMMEDIATE", "COMMIT",      "ROLLBACK",
                             "SAVEPOINT job",   "RELEASE job", "ROLLBACK TO job"};
  for (size_t i = 0; i < std::size(txn); ++i) {
    ASSIGN_OR_RETURN(s_.txn[i], db_.Prepare(txn[i]));
  }
  return Ok();
}

Status Writer::Run(Txn step) {
  Statement& statement = s_.txn[static_cast<size_t>(step)];
  ResetOnExit reset(statement);
  return statement.Run();
}

Result<ZoneInfo> Writer::ZoneById(int64_t zone_id) {
  ResetOnExit reset(s_.zone_by_id);
  s_.zone_by_id.Bind(1, zone_id);
  ASSIGN_OR_RETURN(bool row, s_.zone_by_id.Step());
  if (!row) return NotFound("no zone with id {}", zone_id);
  return ZoneFromRow(s_.zone_by_id, 0, db_.path());
}

Result<std::optional<int64_t>> Writer::ZoneIdByOrigin(const dns::Name& origin) {
  ResetOnExit reset(s_.zone_id_by_origin);
  s_.zone_id_by_origin.BindStatic(1, origin.wire());
  ASSIGN_OR_RETURN(bool row, s_.zone_id_by_origin.Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(s_.zone_id_by_origin.Int(0));
}

Result<std::vector<zone::Rrset>> Writer::GetName(int64_t zone_id, std::span<const uint8_t> owner) {
  ResetOnExit reset(s_.get_name);
  s_.get_name.Bind(1, zone_id);
  s_.get_name.BindStatic(2, owner);
  ASSIGN_OR_RETURN(bool row, s_.get_name.Step());
  if (!row) return std::vector<zone::Rrset>();
  auto rrsets = DecodeRrsets(s_.get_name.Blob(0));
  if (!rrsets) return DamagedRow(db_.path(), "name data");
  return rrsets;
}

Status Writer::PutName(int64_t zone_id, std::span<const uint8_t> owner,
                       const std::vector<zone::Rrset>& rrsets) {
  if (rrsets.empty()) {
    ResetOnExit reset(s_.delete_name);
    s_.delete_name.Bind(1, zone_id);
    s_.delete_name.BindStatic(2, owner);
    return s_.delete_name.Run();
  }
  EncodeRrsets(rrsets, &buffer_);
  ResetOnExit reset(s_.put_name);
  s_.put_name.Bind(1, zone_id);
  s_.put_name.BindStatic(2, owner);
  s_.put_name.BindStatic(3, buffer_);
  return s_.put_name.Run();
}

namespace {

zone::Rrset* FindType(std::vector<zone::Rrset>& rrsets, dns::RrType type) {
  for (auto& rrset : rrsets) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

void EraseType(std::vector<zone::Rrset>& rrsets, dns::RrType type) {
  std::erase_if(rrsets, [type](const zone::Rrset& rrset) { return rrset.type == type; });
}

// Checks the journal diff of a change and drops apex SOA records from it: the store
// journals the SOAs itself (store.h), and IXFR (RFC 1995 4) allows exactly one SOA at the
// head of each part.
Status CleanDiff(const dns::Name& origin, std::vector<JournalRr>* rrs) {
  for (auto& rr : *rrs) {
    rr.owner.Lowercase();
    if (!rr.owner.IsSubdomainOf(origin)) {
      return InvalidArgument("journal record {} is outside zone {}", rr.owner.ToText(),
                             origin.ToText());
    }
    if (rr.rdata.size() > 65535) {
      return InvalidArgument("journal record {} has RDATA over 65535 bytes", rr.owner.ToText());
    }
  }
  std::erase_if(*rrs, [&](const JournalRr& rr) {
    return rr.type == dns::RrType::kSoa && rr.owner == origin;
  });
  return Ok();
}

}  // namespace

Result<CommitResult> Writer::Commit(ZoneChange& change) {
  ASSIGN_OR_RETURN(ZoneInfo zone, ZoneById(change.zone_id));
  const dns::Name& origin = zone.origin;

  // Check the whole change before writing any of it.
  const zone::NameUpdate* apex_update = nullptr;
  for (auto& update : change.names) {
    update.name.Lowercase();
    if (!update.name.IsSubdomainOf(origin)) {
      return InvalidArgument("{} is outside zone {}", update.name.ToText(), origin.ToText());
    }
    RETURN_IF_ERROR(NormalizeForStore(update.name, &update.rrsets));
    if (update.name == origin) apex_update = &update;  // the last one wins, as for other names
  }
  RETURN_IF_ERROR(CleanDiff(origin, &change.removed));
  RETURN_IF_ERROR(CleanDiff(origin, &change.added));

  // The stored apex: its SOA serial must agree with the zones row.
  ASSIGN_OR_RETURN(std::vector<zone::Rrset> apex, GetName(zone.id, {}));
  const zone::Rrset* stored_soa = FindType(apex, dns::RrType::kSoa);
  if (stored_soa == nullptr || stored_soa->rdatas.size() != 1) {
    return DamagedRow(db_.path(), "apex of " + origin.ToText() + " (no SOA)");
  }
  auto stored_serial = SoaSerial(stored_soa->rdatas.front());
  if (!stored_serial || *stored_serial != zone.serial) {
    return DamagedRow(db_.path(), "apex SOA of " + origin.ToText());
  }
  const zone::Rrset old_soa = *stored_soa;

  // Allocate the serial; the apex update may carry a new SOA (RFC 2136 3.4.2.2 lets an
  // UPDATE replace it), whose serial wins if it is ahead of the allocated one.
  const int64_t now = now_();
  uint32_t new_serial = NextSerial(zone.serial_policy, zone.serial, now);
  zone::Rrset new_soa = old_soa;
  if (apex_update != nullptr) {
    std::vector<zone::Rrset> content = apex_update->rrsets;
    if (zone::Rrset* requested = FindType(content, dns::RrType::kSoa)) {
      if (requested->rdatas.size() != 1)
        return InvalidArgument("the SOA RRset must have one record");
      auto requested_serial = SoaSerial(requested->rdatas.front());
      if (!requested_serial) return tl::unexpected(requested_serial.error());
      if (SerialGreater(*requested_serial, new_serial)) new_serial = *requested_serial;
      new_soa = *requested;
    }
    apex = std::move(content);
  }
  RETURN_IF_ERROR(SetSoaSerial(&new_soa.rdatas.front(), new_serial));
  EraseType(apex, dns::RrType::kSoa);
  apex.push_back(new_soa);
  RETURN_IF_ERROR(NormalizeForStore(origin, &apex));

  for (const auto& update : change.names) {
    if (update.name == origin) continue;
    RETURN_IF_ERROR(PutName(zone.id, OwnerKey(update.name, origin), update.rrsets));
  }
  RETURN_IF_ERROR(PutName(zone.id, {}, apex));

  // RFC 1995 4: each part of the difference starts with the SOA it leaves or reaches.
  const uint64_t seq = zone.journal_seq + 1;
  change.removed.insert(change.removed.begin(),
                        JournalRr{origin, dns::RrType::kSoa, old_soa.ttl, old_soa.rdatas.front()});
  change.added.insert(change.added.begin(),
                      JournalRr{origin, dns::RrType::kSoa, new_soa.ttl, new_soa.rdatas.front()});
  {
    std::vector<uint8_t> removed;
    EncodeJournalRrs(change.removed, &removed);
    EncodeJournalRrs(change.added, &buffer_);
    ResetOnExit reset(s_.insert_journal);
    s_.insert_journal.Bind(1, zone.id);
    s_.insert_journal.Bind(2, static_cast<int64_t>(seq));
    s_.insert_journal.Bind(3, int64_t{zone.serial});
    s_.insert_journal.Bind(4, int64_t{new_serial});
    s_.insert_journal.Bind(5, now);
    s_.insert_journal.BindStatic(6, removed);
    s_.insert_journal.BindStatic(7, buffer_);
    RETURN_IF_ERROR(s_.insert_journal.Run());
  }
  {
    ResetOnExit reset(s_.update_zone);
    s_.update_zone.Bind(1, zone.id);
    s_.update_zone.Bind(2, int64_t{new_serial});
    s_.update_zone.Bind(3, static_cast<int64_t>(seq));
    RETURN_IF_ERROR(s_.update_zone.Run());
  }
  RETURN_IF_ERROR(TrimJournal(zone.id, seq, now));

  CommitResult result;
  result.old_serial = zone.serial;
  result.new_serial = new_serial;
  result.journal_seq = seq;
  result.soa = std::move(new_soa);
  return result;
}

// Deletes a prefix of the zone's journal, never a middle part: IXFR needs an unbroken
// chain of serials from any entry kept to the newest. Both bounds go by primary key, so a
// commit costs O(log n + entries deleted), not a scan of the journal.
Status Writer::TrimJournal(int64_t zone_id, uint64_t seq, int64_t now) {
  uint64_t trim_to = 0;  // delete entries with seq <= trim_to
  if (seq > limits_.max_entries) trim_to = seq - limits_.max_entries;
  {
    // Entries are in commit order, so the old ones are at the front; stop at the first
    // young one. (A clock stepping back may leave an old entry behind a young one for a
    // while; it goes once the entries before it do.)
    const int64_t cutoff = limits_.max_age_seconds > std::numeric_limits<int64_t>::max() / 2
                               ? std::numeric_limits<int64_t>::min()
                               : now - limits_.max_age_seconds;
    ResetOnExit reset(s_.journal_times);
    s_.journal_times.Bind(1, zone_id);
    while (true) {
      ASSIGN_OR_RETURN(bool row, s_.journal_times.Step());
      if (!row || s_.journal_times.Int(1) >= cutoff) break;
      trim_to = std::max(trim_to, static_cast<uint64_t>(s_.journal_times.Int(0)));
    }
  }
  if (trim_to == 0) return Ok();
  ResetOnExit reset(s_.trim_journal);
  s_.trim_journal.Bind(1, zone_id);
  s_.trim_journal.Bind(2, static_cast<int64_t>(trim_to));
  return s_.trim_journal.Run();
}

}  // namespace tether::store::sqlite
