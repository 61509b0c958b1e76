// The commit path of the Writer (writer.h): one ZoneChange inside the group transaction.
// Zone, key and grant administration is in writer_admin.cc.
#include "store/sqlite/writer.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <string_view>

#include "store/blob_codec.h"
#include "store/serial.h"
#include "store/sqlite/rows.h"

namespace tether::store::sqlite {

Result<std::unique_ptr<Writer>> Writer::Create(Db db, JournalLimits limits,
                                               std::function<int64_t()> now, FoldOptions fold) {
  std::unique_ptr<Writer> writer(new Writer(std::move(db), limits, std::move(now), fold));
  RETURN_IF_ERROR(writer->Prepare());
  // A backlog left by the last run (a crash, or a close that could not fold) is folded
  // like one made now.
  ASSIGN_OR_RETURN(
      int64_t backlog,
      writer->db_.QueryInt("SELECT coalesce(sum(journal_seq - folded_seq), 0) FROM zones"));
  writer->unfolded_ = static_cast<uint64_t>(std::max<int64_t>(backlog, 0));
  return writer;
}

Status Writer::Prepare() {
  const std::string zone_by_id =
      std::string("SELECT ") + kZoneColumns + ", folded_seq, soa FROM zones WHERE id = ?1";
  ASSIGN_OR_RETURN(s_.zone_by_id, db_.Prepare(zone_by_id));
  ASSIGN_OR_RETURN(s_.zone_id_by_origin, db_.Prepare("SELECT id FROM zones WHERE origin = ?1"));
  ASSIGN_OR_RETURN(s_.insert_zone,
                   db_.Prepare("INSERT INTO zones(origin, serial_policy, serial, journal_seq, "
                               "folded_seq, soa) VALUES(?1, ?2, ?3, 0, 0, ?4)"));
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
  ASSIGN_OR_RETURN(
      s_.update_zone,
      db_.Prepare("UPDATE zones SET serial = ?2, journal_seq = ?3, soa = ?4 WHERE id = ?1"));
  ASSIGN_OR_RETURN(s_.journal_times,
                   db_.Prepare("SELECT seq, time FROM journal WHERE zone_id = ?1 ORDER BY seq"));
  ASSIGN_OR_RETURN(s_.trim_journal,
                   db_.Prepare("DELETE FROM journal WHERE zone_id = ?1 AND seq <= ?2"));
  ASSIGN_OR_RETURN(s_.unfolded_zones,
                   db_.Prepare("SELECT id, journal_seq FROM zones WHERE journal_seq > folded_seq "
                               "ORDER BY id"));
  ASSIGN_OR_RETURN(s_.read_journal,
                   db_.Prepare("SELECT seq, removed, added FROM journal WHERE zone_id = ?1 AND "
                               "seq > ?2 AND seq <= ?3 ORDER BY seq LIMIT ?4"));
  ASSIGN_OR_RETURN(s_.set_folded, db_.Prepare("UPDATE zones SET folded_seq = ?2 WHERE id = ?1"));
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

Result<Writer::ZoneRow> Writer::ZoneById(int64_t zone_id) {
  ResetOnExit reset(s_.zone_by_id);
  s_.zone_by_id.Bind(1, zone_id);
  ASSIGN_OR_RETURN(bool row, s_.zone_by_id.Step());
  if (!row) return NotFound("no zone with id {}", zone_id);
  ZoneRow zone;
  ASSIGN_OR_RETURN(zone.info, ZoneFromRow(s_.zone_by_id, 0, db_.path()));
  const int64_t folded_seq = s_.zone_by_id.Int(kZoneColumnCount);
  if (folded_seq < 0 || static_cast<uint64_t>(folded_seq) > zone.info.journal_seq) {
    return DamagedRow(db_.path(), "zone row of " + zone.info.origin.ToText());
  }
  zone.folded_seq = static_cast<uint64_t>(folded_seq);
  // Checked by Commit, which needs it; the fold does not.
  auto soa = DecodeRrsets(s_.zone_by_id.Blob(kZoneColumnCount + 1));
  if (soa && soa->size() == 1 && soa->front().type == dns::RrType::kSoa &&
      soa->front().rdatas.size() == 1) {
    zone.soa = std::move(soa->front());
  }
  zone.soa.type = dns::RrType::kSoa;
  return zone;
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

const zone::Rrset* FindType(const std::vector<zone::Rrset>& rrsets, dns::RrType type) {
  for (const auto& rrset : rrsets) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

std::string_view WireKey(const dns::Name& name) {
  return {reinterpret_cast<const char*>(name.wire().data()), name.size()};
}

// The checks store.h promises: what the change tells without the stored names. Both parts
// of the diff are cleaned and the names lowercased and normalised.
Status CheckDiff(const ZoneChange& change) {
  if (change.removed.empty() && change.added.empty()) return Ok();
  std::map<std::string_view, const std::vector<zone::Rrset>*> contents;
  for (const auto& update : change.names) contents[WireKey(update.name)] = &update.rrsets;
  auto rrset_of = [&](const JournalRr& rr) -> Result<const zone::Rrset*> {
    auto found = contents.find(WireKey(rr.owner));
    if (found == contents.end()) {
      return InvalidArgument("the diff changes {}, which the change does not list",
                             rr.owner.ToText());
    }
    return FindType(*found->second, rr.type);
  };
  auto holds = [](const zone::Rrset* rrset, const std::vector<uint8_t>& rdata) {
    return rrset != nullptr &&
           std::binary_search(rrset->rdatas.begin(), rrset->rdatas.end(), rdata);
  };
  for (const JournalRr& rr : change.added) {
    ASSIGN_OR_RETURN(const zone::Rrset* rrset, rrset_of(rr));
    if (!holds(rrset, rr.rdata) || rrset->ttl != rr.ttl) {
      return InvalidArgument("the diff adds a {} record at {} that its new content lacks",
                             dns::RrTypeToString(rr.type), rr.owner.ToText());
    }
  }
  for (const JournalRr& rr : change.removed) {
    ASSIGN_OR_RETURN(const zone::Rrset* rrset, rrset_of(rr));
    if (!holds(rrset, rr.rdata)) continue;
    // Still there: only if added again (a TTL change removes and adds the whole RRset).
    const bool again = std::any_of(change.added.begin(), change.added.end(), [&](const auto& add) {
      return add.type == rr.type && add.owner == rr.owner && add.rdata == rr.rdata;
    });
    if (!again) {
      return InvalidArgument("the diff removes a {} record at {} that its new content keeps",
                             dns::RrTypeToString(rr.type), rr.owner.ToText());
    }
  }
  return Ok();
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
  ASSIGN_OR_RETURN(ZoneRow zone, ZoneById(change.zone_id));
  const dns::Name& origin = zone.info.origin;

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
  RETURN_IF_ERROR(CheckDiff(change));

  // The stored SOA: its serial must agree with the zones row.
  if (zone.soa.rdatas.size() != 1) {
    return DamagedRow(db_.path(), "SOA of " + origin.ToText() + " (zones.soa)");
  }
  auto stored_serial = SoaSerial(zone.soa.rdatas.front());
  if (!stored_serial || *stored_serial != zone.info.serial) {
    return DamagedRow(db_.path(), "SOA serial of " + origin.ToText());
  }
  const zone::Rrset& old_soa = zone.soa;

  // Allocate the serial; the apex update may carry a new SOA (RFC 2136 3.4.2.2 lets an
  // UPDATE replace it), whose serial wins if it is ahead of the allocated one.
  const int64_t now = now_();
  uint32_t new_serial = NextSerial(zone.info.serial_policy, zone.info.serial, now);
  zone::Rrset new_soa = old_soa;
  if (apex_update != nullptr) {
    if (const zone::Rrset* requested = FindType(apex_update->rrsets, dns::RrType::kSoa)) {
      if (requested->rdatas.size() != 1)
        return InvalidArgument("the SOA RRset must have one record");
      auto requested_serial = SoaSerial(requested->rdatas.front());
      if (!requested_serial) return tl::unexpected(requested_serial.error());
      if (SerialGreater(*requested_serial, new_serial)) new_serial = *requested_serial;
      new_soa = *requested;
    }
  }
  RETURN_IF_ERROR(SetSoaSerial(&new_soa.rdatas.front(), new_serial));

  // RFC 1995 4: each part of the difference starts with the SOA it leaves or reaches. The
  // entry is all that is written of the change; folding applies it to the names later.
  const uint64_t seq = zone.info.journal_seq + 1;
  change.removed.insert(change.removed.begin(),
                        JournalRr{origin, dns::RrType::kSoa, old_soa.ttl, old_soa.rdatas.front()});
  change.added.insert(change.added.begin(),
                      JournalRr{origin, dns::RrType::kSoa, new_soa.ttl, new_soa.rdatas.front()});
  {
    std::vector<uint8_t> removed;
    EncodeJournalRrs(change.removed, &removed);
    EncodeJournalRrs(change.added, &buffer_);
    ResetOnExit reset(s_.insert_journal);
    s_.insert_journal.Bind(1, zone.info.id);
    s_.insert_journal.Bind(2, static_cast<int64_t>(seq));
    s_.insert_journal.Bind(3, int64_t{zone.info.serial});
    s_.insert_journal.Bind(4, int64_t{new_serial});
    s_.insert_journal.Bind(5, now);
    s_.insert_journal.BindStatic(6, removed);
    s_.insert_journal.BindStatic(7, buffer_);
    RETURN_IF_ERROR(s_.insert_journal.Run());
  }
  {
    EncodeRrsets({new_soa}, &buffer_);
    ResetOnExit reset(s_.update_zone);
    s_.update_zone.Bind(1, zone.info.id);
    s_.update_zone.Bind(2, int64_t{new_serial});
    s_.update_zone.Bind(3, static_cast<int64_t>(seq));
    s_.update_zone.BindStatic(4, buffer_);
    RETURN_IF_ERROR(s_.update_zone.Run());
  }
  // Trimming the journal is the fold's business: an entry may go only once folded.
  unfolded_ += std::max<size_t>(change.names.size(), 1);

  CommitResult result;
  result.old_serial = zone.info.serial;
  result.new_serial = new_serial;
  result.journal_seq = seq;
  result.soa = std::move(new_soa);
  return result;
}

}  // namespace tether::store::sqlite
