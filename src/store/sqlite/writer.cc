// The commit path of the Writer (writer.h): one ZoneChange inside the group transaction.
// Zone, key and grant administration is in writer_admin.cc.
#include "store/sqlite/writer.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <string_view>

#include "store/blob_codec.h"
#include "store/commit_plan.h"
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
  if (rrsets.empty()) return PutNameBlob(zone_id, owner, {});
  EncodeRrsets(rrsets, &buffer_);
  return PutNameBlob(zone_id, owner, buffer_);
}

Status Writer::PutNameBlob(int64_t zone_id, std::span<const uint8_t> owner,
                           std::span<const uint8_t> blob) {
  if (blob.empty()) {
    ResetOnExit reset(s_.delete_name);
    s_.delete_name.Bind(1, zone_id);
    s_.delete_name.BindStatic(2, owner);
    return s_.delete_name.Run();
  }
  ResetOnExit reset(s_.put_name);
  s_.put_name.Bind(1, zone_id);
  s_.put_name.BindStatic(2, owner);
  s_.put_name.BindStatic(3, blob);
  return s_.put_name.Run();
}

Result<CommitResult> Writer::Commit(ZoneChange& change) {
  ASSIGN_OR_RETURN(ZoneRow zone, ZoneById(change.zone_id));
  const int64_t now = now_();
  ASSIGN_OR_RETURN(CommitResult result, PlanCommit(zone.info, zone.soa, change, now, db_.path()));

  // The entry is all that is written of the change; folding applies it to the names later.
  {
    std::vector<uint8_t> removed;
    EncodeJournalRrs(change.removed, &removed);
    EncodeJournalRrs(change.added, &buffer_);
    ResetOnExit reset(s_.insert_journal);
    s_.insert_journal.Bind(1, zone.info.id);
    s_.insert_journal.Bind(2, static_cast<int64_t>(result.journal_seq));
    s_.insert_journal.Bind(3, int64_t{result.old_serial});
    s_.insert_journal.Bind(4, int64_t{result.new_serial});
    s_.insert_journal.Bind(5, now);
    s_.insert_journal.BindStatic(6, removed);
    s_.insert_journal.BindStatic(7, buffer_);
    RETURN_IF_ERROR(s_.insert_journal.Run());
  }
  {
    EncodeRrsets({result.soa}, &buffer_);
    ResetOnExit reset(s_.update_zone);
    s_.update_zone.Bind(1, zone.info.id);
    s_.update_zone.Bind(2, int64_t{result.new_serial});
    s_.update_zone.Bind(3, static_cast<int64_t>(result.journal_seq));
    s_.update_zone.BindStatic(4, buffer_);
    RETURN_IF_ERROR(s_.update_zone.Run());
  }
  // Trimming the journal is the fold's business: an entry may go only once folded.
  unfolded_ += std::max<size_t>(change.names.size(), 1);
  RememberForFold(zone.info, result, change);
  return result;
}

}  // namespace tether::store::sqlite
