// The text of each file of a legal-hold export (takedown_export_parts.h; the layout is in
// docs/abuse.md, "Legal-hold export").
#include <algorithm>

#include "abuse/takedown_export.h"
#include "abuse/takedown_export_parts.h"
#include "base/json_text.h"
#include "base/time_text.h"

namespace tether::abuse::export_parts {
namespace {

std::string TimeOrNone(int64_t unix_seconds) {
  return unix_seconds != 0 ? FormatTime(unix_seconds) : "-";
}

std::string JsonTimeOrNull(int64_t unix_seconds) {
  return unix_seconds != 0 ? JsonString(FormatTime(unix_seconds)) : "null";
}

std::string JsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + JsonString(items[i]);
  return out + "]";
}

std::string Row(const std::vector<std::string>& fields) {
  std::string row;
  for (size_t i = 0; i < fields.size(); ++i) row += (i ? "\t" : "") + TsvField(fields[i]);
  return row + "\n";
}

// The records of `names` (one section of records.txt); a name without records says so.
std::string NameRecords(const std::vector<zone::NameUpdate>& names) {
  std::string text;
  for (const zone::NameUpdate& update : names) {
    if (update.rrsets.empty()) text += "; " + update.name.ToText() + ": no records\n";
    for (const zone::Rrset& rrset : update.rrsets) {
      for (const auto& rdata : rrset.rdatas)
        text += RecordLine(update.name, rrset.type, rrset.ttl, rdata);
    }
  }
  return text;
}

// The RRs of `rrs` owned by `name` (the zone's SOA, in every entry, is left out).
std::string OwnedRecords(const std::vector<store::JournalRr>& rrs, const ListedName& name) {
  std::string text;
  for (const store::JournalRr& rr : rrs) {
    if (rr.type == dns::RrType::kSoa || name.owned.count(rr.owner.Lowercased()) == 0) continue;
    text += RecordLine(rr.owner, rr.type, rr.ttl, rr.rdata);
  }
  return text;
}

std::string JournalRecords(const ListedName& name, const JournalSpan& journal) {
  std::string text;
  for (const store::JournalEntry& entry : journal.entries) {
    const std::string removed = OwnedRecords(entry.removed, name);
    const std::string added = OwnedRecords(entry.added, name);
    if (removed.empty() && added.empty()) continue;
    const std::string head = "; " + FormatTime(entry.time) + " seq " + std::to_string(entry.seq) +
                             ", serial " + std::to_string(entry.serial_from) + " -> " +
                             std::to_string(entry.serial_to);
    if (!removed.empty()) text += head + ": removed\n" + removed;
    if (!added.empty()) text += head + ": added\n" + added;
  }
  return text;
}

}  // namespace

std::string JournalSpan::Describe() const {
  if (entries.empty())
    return "journal of " + zone.ToText() + ": no entries kept (no changes in this bundle)";
  const store::JournalEntry& first = entries.front();
  std::string text = "journal of " + zone.ToText() + ": entries " + std::to_string(first.seq) +
                     "-" + std::to_string(entries.back().seq) + " kept, the oldest of " +
                     FormatTime(first.time) + " (serial " + std::to_string(first.serial_from) +
                     " -> " + std::to_string(first.serial_to) + ")";
  return text + (first.seq == 1 ? "; every change since the zone was created"
                                : "; older changes were trimmed and are not in this bundle");
}

std::string OrderJson(const store::Takedown& order, const std::vector<ListedName>& names,
                      const std::map<dns::Name, JournalSpan>& journals, int64_t now) {
  std::vector<std::string> listed, serials, spans;
  for (const ListedName& name : names) listed.push_back(name.name.ToText());
  for (size_t begin = 0, end; begin < order.serials.size(); begin = end + 1) {
    end = order.serials.find('\n', begin);
    if (end == std::string::npos) end = order.serials.size();
    if (end > begin) serials.push_back(order.serials.substr(begin, end - begin));
  }
  for (const auto& [zone, journal] : journals) spans.push_back(journal.Describe());
  return "{\n  \"order\": " + std::to_string(order.id) +
         ",\n  \"status\": " + JsonString(store::TakedownStatusName(order.status)) +
         ",\n  \"preview\": " + std::to_string(order.preview_id) +
         ",\n  \"created\": " + JsonString(FormatTime(order.created)) +
         ",\n  \"author\": " + JsonString(order.author) +
         ",\n  \"approver\": " + JsonString(order.approver) +
         ",\n  \"action\": " + JsonString(store::EnforceActionName(order.action)) +
         ",\n  \"ns\": " + JsonList(order.ns) + ",\n  \"reason\": " + JsonString(order.reason) +
         ",\n  \"reference\": " + JsonString(order.reference) +
         ",\n  \"expires\": " + JsonTimeOrNull(order.expires) +
         ",\n  \"forced\": " + (order.forced ? "true" : "false") +
         ",\n  \"applied\": " + JsonTimeOrNull(order.applied) +
         ",\n  \"restored\": " + JsonTimeOrNull(order.restored) +
         ",\n  \"serials\": " + JsonList(serials) + ",\n  \"names\": " + JsonList(listed) +
         ",\n  \"journals\": " + JsonList(spans) +
         ",\n  \"exported\": " + JsonString(FormatTime(now)) + "\n}\n";
}

std::string RecordsFile(const store::Takedown& order, const ListedName& name,
                        const JournalSpan* journal, int64_t now) {
  std::string owned;
  for (const dns::Name& below : name.owned) owned += " " + below.ToText();
  std::string text = "; records of" + owned + "\n; legal-hold export of takedown order " +
                     std::to_string(order.id) + ", " + FormatTime(now) + "\n";
  text +=
      "\n; == before the order: its snapshot (order applied " + TimeOrNone(order.applied) + ")\n";
  text += NameRecords(name.snapshot);
  text += "\n; == now: published at " + FormatTime(now) + "\n";
  text += name.zone ? NameRecords(name.current) : "; not in a zone served here now\n";
  text += "\n; == changes, oldest first: " +
          (journal != nullptr ? journal->Describe()
                              : std::string("no journal (not in a zone served here now)")) +
          "\n";
  if (journal != nullptr) text += JournalRecords(name, *journal);
  return text;
}

std::string UpdatesFile(const ListedName& name) {
  std::string text =
      Row({"time", "source", "user_agent", "credential", "old_value", "new_value", "result"});
  for (const store::HistoryEntry& entry : name.history) {
    text += Row({FormatTime(entry.time), entry.source, entry.user_agent, entry.credential,
                 entry.old_value, entry.new_value, entry.result});
  }
  return text;
}

std::string HostsFile(const std::vector<ListedName>& names,
                      const std::map<int64_t, store::UserInfo>& owners) {
  std::string text =
      Row({"name", "host_id", "owner_id", "owner", "created", "last_update", "lifecycle",
           "abuse_state", "abuse_action", "abuse_order", "abuse_since", "abuse_reason"});
  for (const ListedName& name : names) {
    if (!name.host) continue;
    const store::HostInfo& host = *name.host;
    auto owner = owners.find(host.user_id);
    const bool enforced = host.abuse_state == store::AbuseState::kEnforced;
    text += Row({name.name.ToText(), std::to_string(host.id), std::to_string(host.user_id),
                 owner != owners.end() ? owner->second.name : "-", TimeOrNone(host.created),
                 TimeOrNone(host.last_update), store::LifecycleName(host.lifecycle),
                 store::AbuseStateName(host.abuse_state),
                 enforced ? store::EnforceActionName(host.abuse_action) : "-",
                 enforced ? std::to_string(host.abuse_order) : "-", TimeOrNone(host.abuse_since),
                 host.abuse_reason});
  }
  return text;
}

std::string AccountsFile(const std::map<int64_t, store::UserInfo>& owners) {
  std::string text = Row({"id", "name", "role", "created"});
  for (const auto& [id, user] : owners) {
    text +=
        Row({std::to_string(id), user.name, store::RoleName(user.role), TimeOrNone(user.created)});
  }
  return text;
}

std::string AuditFile(const std::vector<store::AuditEntry>& entries) {
  std::string text = Row({"seq", "time", "time_utc", "actor", "action", "reason", "reference",
                          "names", "serial_before", "serial_after", "prev_hash", "hash"});
  for (const store::AuditEntry& entry : entries) {
    std::string names;
    for (const std::string& name : entry.names) names += (names.empty() ? "" : ",") + name;
    text += Row({std::to_string(entry.seq), std::to_string(entry.time), FormatTime(entry.time),
                 entry.actor, entry.action, entry.reason, entry.reference, names,
                 std::to_string(entry.serial_before), std::to_string(entry.serial_after),
                 entry.prev_hash, entry.hash});
  }
  return text;
}

std::string Manifest(const store::Takedown& order, const std::map<std::string, std::string>& files,
                     const std::map<dns::Name, JournalSpan>& journals, int64_t now) {
  std::string text = "# legal-hold export of takedown order " + std::to_string(order.id) + ", " +
                     FormatTime(now) + "\n# check: cd DIR && sha256sum -c MANIFEST.sha256\n";
  for (const auto& [zone, journal] : journals) text += "# " + journal.Describe() + "\n";
  for (const auto& [path, bytes] : files) text += Sha256Hex(bytes) + "  " + path + "\n";
  return text;
}

bool AuditEntryBelongs(const store::AuditEntry& entry, int64_t order_id,
                       const std::set<std::string>& listed) {
  const bool of_order = (entry.action == "takedown.apply" || entry.action == "takedown.restore") &&
                        entry.reason.rfind("order " + std::to_string(order_id) + " (", 0) == 0;
  if (!of_order && entry.action != "host.state") return false;
  return !entry.names.empty() &&
         std::all_of(entry.names.begin(), entry.names.end(),
                     [&](const std::string& name) { return listed.count(name) > 0; });
}

}  // namespace tether::abuse::export_parts
