// Folding (writer.h): bringing the names table forward over the journal, in bounded steps
// between the committer's group transactions.
#include <algorithm>
#include <deque>
#include <limits>
#include <unordered_set>

#include "store/blob_codec.h"
#include "store/replay.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/writer.h"

namespace tether::store::sqlite {

// One pass: the zones that had unfolded entries when it began, each up to the journal_seq
// it had then. Entries committed during the pass are left to the next one.
struct Writer::FoldPass {
  struct Target {
    int64_t zone_id;
    uint64_t seq;
  };
  std::deque<Target> zones;  // the front one is being folded

  // The front zone, once its reading has begun.
  struct Zone {
    dns::Name origin;
    uint64_t read_seq;  // entries up to here are in `replay`
    Replay replay;
    std::vector<std::pair<std::string, NameDelta>> names{};  // sorted, once all are read
    // Folding from the memo instead: the names' contents (EncodeRrsets; empty: no name),
    // sorted by owner key. Never empty then: the apex is among them.
    std::vector<std::pair<std::string, std::vector<uint8_t>>> contents{};
    size_t written = 0;   // names (or contents) [0, written) are written
    bool folded = false;  // folded_seq is set: the journal is being trimmed
  };
  std::optional<Zone> zone;
};

// Here, where FoldPass is complete.
Writer::Writer(Db db, JournalLimits limits, std::function<int64_t()> now, FoldOptions fold)
    : db_(std::move(db)), limits_(limits), now_(std::move(now)), fold_(fold) {}
Writer::~Writer() = default;

void Writer::ForgetCaches() {
  history_heads_.clear();
  memo_.clear();
}

void Writer::RememberForFold(const ZoneInfo& zone, const CommitResult& result,
                             const ZoneChange& change) {
  if (!fold_.from_memory) return;
  auto [it, inserted] = memo_.try_emplace(zone.id);
  Memo& memo = it->second;
  // Entries join one after another; a gap (or another zone under the id) starts afresh.
  if (inserted || memo.origin != zone.origin || memo.seq + 1 != result.journal_seq) {
    memo = Memo{};
    memo.origin = zone.origin;
    memo.base_seq = result.journal_seq - 1;
  }
  memo.seq = result.journal_seq;
  memo.soa = result.soa;
  // A listed name without a record in the diff differs, if at all, in what the journal
  // does not carry (an SOA RRset): it is left as replay leaves it.
  auto wire = [](const dns::Name& name) {
    return std::string_view(reinterpret_cast<const char*>(name.wire().data()), name.size());
  };
  // A set, not a sorted vector: sorting the owners (each one twice, removed and added,
  // compared byte by byte) cost as much as the rest of this function.
  std::unordered_set<std::string_view> touched;
  touched.reserve(change.removed.size() + change.added.size());
  for (const auto* part : {&change.removed, &change.added}) {
    for (const JournalRr& rr : *part) touched.insert(wire(rr.owner));
  }
  for (const zone::NameUpdate& update : change.names) {
    if (!touched.contains(wire(update.name))) continue;
    const auto key = OwnerKey(update.name, zone.origin);  // lowercased by PlanCommit
    std::vector<uint8_t>& blob = memo.names[std::string(key.begin(), key.end())];
    blob.clear();  // empty: the name is gone
    if (!update.rrsets.empty()) EncodeRrsets(update.rrsets, &blob);
  }
  // A memo past this many names is dropped: a fold that keeps failing would let it grow
  // without end, and the journal holds the same.
  if (memo.names.size() > std::max<uint64_t>(fold_.max_names, 1) * 2 + 65536) memo_.erase(it);
}

void Writer::ForgetFold(int64_t zone_id) {
  memo_.erase(zone_id);
  if (!pass_) return;
  auto& zones = pass_->zones;
  if (!zones.empty() && zones.front().zone_id == zone_id) pass_->zone.reset();
  std::erase_if(zones, [&](const FoldPass::Target& target) { return target.zone_id == zone_id; });
}

Result<bool> Writer::FoldStep() {
  if (!pass_) {
    RETURN_IF_ERROR(StartPass());
    if (!pass_) return false;
  }
  Status stepped = FoldPassStep();
  if (!stepped) {
    pass_.reset();
    if (db_.InTransaction()) (void)Run(Txn::kRollback);
    return tl::unexpected(stepped.error());
  }
  return true;
}

Status Writer::StartPass() {
  auto pass = std::make_unique<FoldPass>();
  {
    ResetOnExit reset(s_.unfolded_zones);
    while (true) {
      ASSIGN_OR_RETURN(bool row, s_.unfolded_zones.Step());
      if (!row) break;
      pass->zones.push_back({s_.unfolded_zones.Int(0), static_cast<uint64_t>(std::max<int64_t>(
                                                           s_.unfolded_zones.Int(1), 0))});
    }
  }
  // From now on the cue counts the changes this pass leaves out.
  unfolded_ = 0;
  if (!pass->zones.empty()) pass_ = std::move(pass);
  return Ok();
}

Status Writer::FoldPassStep() {
  FoldPass& pass = *pass_;
  if (pass.zones.empty()) {
    pass_.reset();
    return Ok();
  }
  if (!pass.zone) {
    auto row = ZoneById(pass.zones.front().zone_id);
    if (!row && row.error().code != ErrorCode::kNotFound) return tl::unexpected(row.error());
    if (!row || row->folded_seq >= pass.zones.front().seq) {
      pass.zones.pop_front();  // gone, or folded meanwhile
      return Ok();
    }
    pass.zone.emplace(FoldPass::Zone{.origin = row->info.origin,
                                     .read_seq = row->folded_seq,
                                     .replay = Replay(row->info.origin)});
    ASSIGN_OR_RETURN(bool from_memo, TakeMemo(*row));
    if (from_memo) return Ok();
  }
  if (pass.zone->read_seq < pass.zones.front().seq) return ReadForFold();
  if (!pass.zone->folded) return WriteFoldSlice();
  return TrimStep();
}

Result<bool> Writer::TakeMemo(const ZoneRow& row) {
  if (!fold_.from_memory) return false;
  auto found = memo_.find(row.info.id);
  if (found == memo_.end()) return false;
  Memo& memo = found->second;
  if (memo.origin != row.info.origin || memo.seq != row.info.journal_seq) {
    memo_.erase(found);  // not the zone's, or it misses entries: of no use any more
    return false;
  }
  // Begun after entries not folded yet: of use once a pass from the journal folded them.
  if (memo.base_seq > row.folded_seq) return false;
  FoldPass::Zone& zone = *pass_->zone;
  // The apex with the newest SOA, as replaying the entries sets it.
  std::vector<zone::Rrset> apex;
  if (auto stored = memo.names.find(std::string()); stored != memo.names.end()) {
    if (!stored->second.empty()) {
      auto decoded = DecodeRrsets(stored->second);
      if (!decoded) return DamagedRow(db_.path(), "fold memo of " + row.info.origin.ToText());
      apex = std::move(*decoded);
    }
  } else {
    ASSIGN_OR_RETURN(apex, GetName(row.info.id, {}));
  }
  std::erase_if(apex, [](const zone::Rrset& rrset) { return rrset.type == dns::RrType::kSoa; });
  apex.push_back(memo.soa);
  (void)zone::NormalizeRrsets(&apex);  // one RRset of each type still
  EncodeRrsets(apex, &memo.names[std::string()]);

  // In owner order, sorted by reference (moving the pairs themselves cost more than the
  // comparisons). std::string compares as unsigned bytes, as SQLite compares the BLOBs.
  std::vector<std::pair<const std::string, std::vector<uint8_t>>*> order;
  order.reserve(memo.names.size());
  for (auto& name : memo.names) order.push_back(&name);
  std::sort(order.begin(), order.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  zone.contents.reserve(order.size());
  for (auto* name : order) zone.contents.emplace_back(name->first, std::move(name->second));
  zone.read_seq = memo.seq;
  pass_->zones.front().seq = memo.seq;
  // Later commits join the memo afresh, complete from here on.
  memo.names.clear();
  memo.base_seq = memo.seq;
  return true;
}

Status Writer::ReadForFold() {
  FoldPass::Zone& zone = *pass_->zone;
  FoldPass::Target& target = pass_->zones.front();
  const size_t limit = std::max<size_t>(fold_.step, 1);
  size_t rows = 0;
  {
    Statement& read = s_.read_journal;
    ResetOnExit reset(read);
    read.Bind(1, target.zone_id);
    read.Bind(2, static_cast<int64_t>(zone.read_seq));
    read.Bind(3, static_cast<int64_t>(target.seq));
    read.Bind(4, static_cast<int64_t>(limit));
    for (;; ++rows) {
      ASSIGN_OR_RETURN(bool row, read.Step());
      if (!row) break;
      // The entries after folded_seq are never trimmed: a gap is damage.
      if (read.Int(0) != static_cast<int64_t>(zone.read_seq + 1)) {
        return DamagedRow(db_.path(), fmt::format("journal of {} (entry {} missing)",
                                                  zone.origin.ToText(), zone.read_seq + 1));
      }
      auto removed = DecodeJournalRrs(read.Blob(1));
      auto added = DecodeJournalRrs(read.Blob(2));
      if (!removed || !added || !zone.replay.Add(*removed, *added)) {
        return DamagedRow(db_.path(), fmt::format("journal entry {}", zone.read_seq + 1));
      }
      ++zone.read_seq;
    }
  }
  if (zone.read_seq < target.seq && rows < limit) {
    return DamagedRow(db_.path(), fmt::format("journal of {} (entry {} missing)",
                                              zone.origin.ToText(), zone.read_seq + 1));
  }
  // A pass holds the changes of the names it folds in memory: a backlog of more names (a
  // long outage of folding) is folded by several passes.
  if (zone.read_seq < target.seq && zone.replay.size() >= std::max<uint64_t>(fold_.max_names, 1)) {
    unfolded_ += target.seq - zone.read_seq;  // the cue for the next pass
    target.seq = zone.read_seq;
  }
  if (zone.read_seq < target.seq) return Ok();
  zone.names = zone.replay.TakeSorted();
  return Ok();
}

Status Writer::WriteFoldSlice() {
  FoldPass::Zone& zone = *pass_->zone;
  const FoldPass::Target target = pass_->zones.front();
  RETURN_IF_ERROR(Run(Txn::kBegin));
  const bool from_memo = !zone.contents.empty();
  const size_t count = from_memo ? zone.contents.size() : zone.names.size();
  const size_t end = std::min(count, zone.written + std::max<size_t>(fold_.step, 1));
  for (size_t i = zone.written; i < end; ++i) {
    const std::string& key = from_memo ? zone.contents[i].first : zone.names[i].first;
    const std::span<const uint8_t> owner(reinterpret_cast<const uint8_t*>(key.data()), key.size());
    if (from_memo) {
      RETURN_IF_ERROR(PutNameBlob(target.zone_id, owner, zone.contents[i].second));
      continue;
    }
    const NameDelta& delta = zone.names[i].second;
    ASSIGN_OR_RETURN(std::vector<zone::Rrset> rrsets, GetName(target.zone_id, owner));
    delta.ApplyTo(&rrsets);
    if (!CheckRrsetSizes(zone.origin, rrsets)) {
      return DamagedRow(db_.path(), "journal of " + zone.origin.ToText() + " (RRset too large)");
    }
    RETURN_IF_ERROR(PutName(target.zone_id, owner, rrsets));
  }
  const bool last = end == count;
  if (last) {
    ResetOnExit reset(s_.set_folded);
    s_.set_folded.Bind(1, target.zone_id);
    s_.set_folded.Bind(2, static_cast<int64_t>(target.seq));
    RETURN_IF_ERROR(s_.set_folded.Run());
  }
  RETURN_IF_ERROR(Run(Txn::kCommit));
  zone.written = end;
  zone.folded = last;
  return Ok();
}

Status Writer::TrimStep() {
  const int64_t zone_id = pass_->zones.front().zone_id;
  const uint64_t limit = std::max<size_t>(fold_.step, 1);
  RETURN_IF_ERROR(Run(Txn::kBegin));
  auto row = ZoneById(zone_id);
  if (!row) return tl::unexpected(row.error());
  ASSIGN_OR_RETURN(uint64_t deleted,
                   TrimJournal(zone_id, row->info.journal_seq, row->folded_seq, now_(), limit));
  RETURN_IF_ERROR(Run(Txn::kCommit));
  if (deleted < limit) {
    pass_->zone.reset();
    pass_->zones.pop_front();
  }
  return Ok();
}

// Deletes a prefix of the zone's journal, never a middle part: IXFR needs an unbroken
// chain of serials from any entry kept to the newest. Both bounds go by primary key, so it
// costs O(log n + entries deleted), not a scan of the journal.
Result<uint64_t> Writer::TrimJournal(int64_t zone_id, uint64_t seq, uint64_t folded_seq,
                                     int64_t now, uint64_t limit) {
  uint64_t trim_to = 0;  // delete entries with seq <= trim_to
  if (seq > limits_.max_entries) trim_to = seq - limits_.max_entries;
  uint64_t first = 0;  // the oldest entry kept now
  {
    // Entries are in commit order, so the old ones are at the front; stop at the first
    // young one. (A clock stepping back may leave an old entry behind a young one for a
    // while; it goes once the entries before it do.)
    const int64_t cutoff = limits_.max_age_seconds > std::numeric_limits<int64_t>::max() / 2
                               ? std::numeric_limits<int64_t>::min()
                               : now - limits_.max_age_seconds;
    ResetOnExit reset(s_.journal_times);
    s_.journal_times.Bind(1, zone_id);
    for (uint64_t rows = 0; rows < limit; ++rows) {
      ASSIGN_OR_RETURN(bool row, s_.journal_times.Step());
      if (!row) break;
      const auto entry = static_cast<uint64_t>(s_.journal_times.Int(0));
      if (first == 0) first = entry;
      if (s_.journal_times.Int(1) >= cutoff) break;
      trim_to = std::max(trim_to, entry);
    }
  }
  if (first == 0) return 0;
  // The names table does not reflect the later entries yet: they are part of the content.
  trim_to = std::min({trim_to, folded_seq, first + limit - 1});
  if (trim_to < first) return 0;
  ResetOnExit reset(s_.trim_journal);
  s_.trim_journal.Bind(1, zone_id);
  s_.trim_journal.Bind(2, static_cast<int64_t>(trim_to));
  RETURN_IF_ERROR(s_.trim_journal.Run());
  return static_cast<uint64_t>(db_.Changes());
}

}  // namespace tether::store::sqlite
