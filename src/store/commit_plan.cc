// The decisions of Store::Commit (commit_plan.h), moved here from the SQLite writer so
// that the PostgreSQL store makes the same ones.
#include "store/commit_plan.h"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "store/blob_codec.h"
#include "store/serial.h"

namespace tether::store {

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
  // The names' contents by owner, sorted (one allocation, where a map took one a name);
  // of a name listed twice, the last listing (a stable sort keeps their order).
  using Content = std::pair<std::string_view, const std::vector<zone::Rrset>*>;
  std::vector<Content> contents;
  contents.reserve(change.names.size());
  for (const auto& update : change.names) {
    contents.emplace_back(WireKey(update.name), &update.rrsets);
  }
  std::stable_sort(contents.begin(), contents.end(),
                   [](const Content& a, const Content& b) { return a.first < b.first; });
  auto rrset_of = [&](const JournalRr& rr) -> Result<const zone::Rrset*> {
    const std::string_view key = WireKey(rr.owner);
    auto after = std::upper_bound(contents.begin(), contents.end(), key,
                                  [](std::string_view k, const Content& c) { return k < c.first; });
    if (after == contents.begin() || std::prev(after)->first != key) {
      return InvalidArgument("the diff changes {}, which the change does not list",
                             rr.owner.ToText());
    }
    return FindType(*std::prev(after)->second, rr.type);
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
  // A removed record the new content still holds must be added again (a TTL change removes
  // and adds the whole RRset). The added records are sorted for that once, when first
  // needed: a change of many TTLs costs N log N, where a scan of them for each cost N².
  auto before = [](const JournalRr* a, const JournalRr* b) {
    const std::string_view key_a = WireKey(a->owner);
    const std::string_view key_b = WireKey(b->owner);
    if (key_a != key_b) return key_a < key_b;
    if (a->type != b->type) return dns::ToU16(a->type) < dns::ToU16(b->type);
    return a->rdata < b->rdata;
  };
  std::vector<const JournalRr*> added;
  for (const JournalRr& rr : change.removed) {
    ASSIGN_OR_RETURN(const zone::Rrset* rrset, rrset_of(rr));
    if (!holds(rrset, rr.rdata)) continue;
    if (added.empty()) {
      added.reserve(change.added.size());
      for (const JournalRr& add : change.added) added.push_back(&add);
      std::sort(added.begin(), added.end(), before);
    }
    const bool again = std::binary_search(added.begin(), added.end(), &rr, before);
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

Result<CommitResult> PlanCommit(const ZoneInfo& zone, const zone::Rrset& stored_soa,
                                ZoneChange& change, int64_t now, std::string_view where) {
  const dns::Name& origin = zone.origin;
  auto damaged = [&](const std::string& what) {
    return MakeError(ErrorCode::kIo, fmt::format("{}: damaged {} in the store", where, what));
  };

  // A change computed on a view the zone has left (another node committed meanwhile) would
  // undo that commit or keep a prerequisite it no longer meets: the caller computes it again.
  if (change.base_journal_seq && *change.base_journal_seq != zone.journal_seq) {
    return MakeError(
        ErrorCode::kAborted,
        fmt::format("zone {} changed meanwhile (journal {}, the change was made on {})",
                    origin.ToText(), zone.journal_seq, *change.base_journal_seq));
  }

  // Check the whole change before deciding anything.
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

  // The stored SOA: its serial must agree with the zone's row.
  if (stored_soa.rdatas.size() != 1) return damaged("SOA of " + origin.ToText() + " (zones.soa)");
  auto stored_serial = SoaSerial(stored_soa.rdatas.front());
  if (!stored_serial || *stored_serial != zone.serial) {
    return damaged("SOA serial of " + origin.ToText());
  }

  // Allocate the serial; the apex update may carry a new SOA (RFC 2136 3.4.2.2 lets an
  // UPDATE replace it), whose serial wins if it is ahead of the allocated one.
  uint32_t new_serial = NextSerial(zone.serial_policy, zone.serial, now);
  zone::Rrset new_soa = stored_soa;
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

  // RFC 1995 4: each part of the difference starts with the SOA it leaves or reaches.
  change.removed.insert(change.removed.begin(), JournalRr{origin, dns::RrType::kSoa,
                                                          stored_soa.ttl, stored_soa.rdatas.front()});
  change.added.insert(change.added.begin(),
                      JournalRr{origin, dns::RrType::kSoa, new_soa.ttl, new_soa.rdatas.front()});

  CommitResult result;
  result.old_serial = zone.serial;
  result.new_serial = new_serial;
  result.journal_seq = zone.journal_seq + 1;
  result.soa = std::move(new_soa);
  return result;
}

}  // namespace tether::store
