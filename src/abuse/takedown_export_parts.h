// The pieces of a legal-hold export (takedown_export.h): what was gathered for the listed
// names, and the text of each file of the bundle (takedown_export_files.cc). Internal to
// tether_takedown and its tests. Values; not synchronised.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dns/name.h"
#include "store/store.h"
#include "zone/rrset.h"

namespace tether::abuse::export_parts {

// A listed name and what the bundle holds of it.
struct ListedName {
  dns::Name name;
  std::optional<dns::Name> zone;        // the dynamic zone holding it; none: not served here now
  std::set<dns::Name> owned;            // the name and the names that are its (takedown_export.h)
  std::optional<store::HostInfo> host;  // none: no host (a forced name, or removed since)
  std::vector<zone::NameUpdate> snapshot;    // its owned names' records before the order
  std::vector<zone::NameUpdate> current;     // its owned names' records published now
  std::vector<store::HistoryEntry> history;  // oldest first
};

// A zone's journal as kept now: how far back the record history reaches.
struct JournalSpan {
  dns::Name zone;
  std::vector<store::JournalEntry> entries;  // oldest first

  // One line, e.g. "journal of dyn.example.: entries 5-20 kept, the oldest of
  // 2027-01-01T00:00:00Z (serial 14 -> 15); older changes were trimmed and are not in this bundle".
  std::string Describe() const;
};

// The files' text. `now` is the export time (unix seconds).
std::string OrderJson(const store::Takedown& order, const std::vector<ListedName>& names,
                      const std::map<dns::Name, JournalSpan>& journals, int64_t now);
std::string RecordsFile(const store::Takedown& order, const ListedName& name,
                        const JournalSpan* journal, int64_t now);
std::string UpdatesFile(const ListedName& name);
std::string HostsFile(const std::vector<ListedName>& names,
                      const std::map<int64_t, store::UserInfo>& owners);
std::string AccountsFile(const std::map<int64_t, store::UserInfo>& owners);
std::string AuditFile(const std::vector<store::AuditEntry>& entries);
// "HEX  PATH" per file (sha256sum's format), after '#' comment lines (which sha256sum -c
// skips) naming the order, the time and each journal's span.
std::string Manifest(const store::Takedown& order, const std::map<std::string, std::string>& files,
                     const std::map<dns::Name, JournalSpan>& journals, int64_t now);

// Whether the audit entry belongs in the bundle: an entry of the order (takedown.apply or
// takedown.restore whose reason starts "order ID (") or a host.state entry, and every name
// it names is listed.
bool AuditEntryBelongs(const store::AuditEntry& entry, int64_t order_id,
                       const std::set<std::string>& listed);

}  // namespace tether::abuse::export_parts
