#include "abuse/takedown_export.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "abuse/takedown.h"
#include "abuse/takedown_export_parts.h"

namespace tether::abuse {
namespace {

namespace fs = std::filesystem;
using export_parts::JournalSpan;
using export_parts::ListedName;

constexpr size_t kHistoryLimit = 10'000'000;  // per host: in effect all the store keeps
constexpr size_t kAuditPage = 1000;
constexpr const char* kManifest = "MANIFEST.sha256";

std::optional<dns::Name> DynamicZone(const update::UpdateService& updates, const dns::Name& name) {
  for (dns::Name up = name;; up = up.Parent()) {
    if (updates.IsDynamic(up)) return up;
    if (up.IsRoot()) return std::nullopt;
  }
}

// The name and, unless it is an apex, the names an order and the update API give a host.
std::set<dns::Name> OwnedNames(const dns::Name& name, bool apex) {
  std::set<dns::Name> owned = {name};
  if (apex) return owned;
  for (const char* label : {"*", "_acme-challenge", "_withheld"}) {
    if (auto below = name.Prepend(label)) owned.insert(*below);
  }
  return owned;
}

Status Gather(store::Store& store, const update::UpdateService& updates,
              const std::vector<zone::NameUpdate>& snapshot, ListedName& listed) {
  for (const zone::NameUpdate& update : snapshot) {
    if (listed.owned.count(update.name) > 0) listed.snapshot.push_back(update);
  }
  if (auto zone = listed.zone ? updates.GetZone(*listed.zone) : nullptr) {
    for (const dns::Name& name : listed.owned) listed.current.push_back({name, zone->Get(name)});
  }
  ASSIGN_OR_RETURN(listed.host, store.accounts().GetHost(listed.name));
  if (listed.host) {
    ASSIGN_OR_RETURN(listed.history, store.accounts().ReadHistory(listed.host->id, kHistoryLimit));
    std::reverse(listed.history.begin(), listed.history.end());  // oldest first
  }
  return Ok();
}

Result<std::vector<ListedName>> ListNames(store::Store& store, const update::UpdateService& updates,
                                          const store::Takedown& order) {
  ASSIGN_OR_RETURN(std::vector<zone::NameUpdate> snapshot, DecodeSnapshot(order.snapshot));
  std::vector<ListedName> names;
  for (const std::string& text : order.names) {
    auto parsed = dns::Name::FromText(text);
    if (!parsed)
      return MakeError(ErrorCode::kInternal,
                       "order " + std::to_string(order.id) + " lists '" + text + "'");
    ListedName listed;
    listed.name = parsed->Lowercased();
    listed.zone = DynamicZone(updates, listed.name);
    listed.owned = OwnedNames(listed.name, listed.zone == listed.name);
    RETURN_IF_ERROR(Gather(store, updates, snapshot, listed));
    names.push_back(std::move(listed));
  }
  std::sort(names.begin(), names.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return names;
}

Result<std::map<dns::Name, JournalSpan>> ReadJournals(store::Store& store,
                                                      const std::vector<ListedName>& names) {
  std::map<dns::Name, JournalSpan> journals;
  for (const ListedName& listed : names) {
    if (!listed.zone || journals.count(*listed.zone) > 0) continue;
    JournalSpan& journal = journals[*listed.zone];
    journal.zone = *listed.zone;
    ASSIGN_OR_RETURN(auto info, store.GetZone(*listed.zone));
    if (!info) continue;
    ASSIGN_OR_RETURN(journal.entries, store.ReadJournal(info->id, 0));
  }
  return journals;
}

Result<std::map<int64_t, store::UserInfo>> ReadOwners(store::Store& store,
                                                      const std::vector<ListedName>& names) {
  std::map<int64_t, store::UserInfo> owners;
  for (const ListedName& listed : names) {
    if (!listed.host || owners.count(listed.host->user_id) > 0) continue;
    ASSIGN_OR_RETURN(auto user, store.accounts().GetUser(listed.host->user_id));
    if (user) owners[user->id] = std::move(*user);
  }
  return owners;
}

Result<std::vector<store::AuditEntry>> ReadOrderAudit(store::Store& store,
                                                      const store::Takedown& order) {
  const std::set<std::string> listed(order.names.begin(), order.names.end());
  std::vector<store::AuditEntry> entries;
  for (uint64_t after = 0;;) {
    ASSIGN_OR_RETURN(auto page, store.audit().ReadAudit(after, kAuditPage));
    if (page.empty()) return entries;
    for (store::AuditEntry& entry : page) {
      after = entry.seq;
      if (export_parts::AuditEntryBelongs(entry, order.id, listed))
        entries.push_back(std::move(entry));
    }
  }
}

// ---- writing ----

Status PrepareDirectory(const fs::path& dir) {
  std::error_code error;
  if (fs::exists(fs::symlink_status(dir, error))) {
    if (!fs::is_directory(dir, error) || !fs::is_empty(dir, error)) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       dir.string() + " exists and is not an empty directory");
    }
  } else if (fs::create_directories(dir, error); error) {
    return MakeError(ErrorCode::kIo, "cannot create " + dir.string() + ": " + error.message());
  }
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, error);
  if (error)
    return MakeError(ErrorCode::kIo, "cannot restrict " + dir.string() + ": " + error.message());
  return Ok();
}

// The directories below `dir` the files go into, parents first. Each is new: mkdir refuses
// one that exists, so nothing placed in `dir` meanwhile is written through.
Status MakeDirectories(const fs::path& dir, const std::map<std::string, std::string>& files) {
  std::set<std::string> needed;
  for (const auto& [path, bytes] : files) {
    for (fs::path up = fs::path(path).parent_path(); !up.empty(); up = up.parent_path())
      needed.insert(up.string());
  }
  for (const std::string& relative : needed) {  // "names" sorts before "names/x"
    const fs::path path = dir / relative;
    if (::mkdir(path.c_str(), 0700) != 0)
      return MakeError(ErrorCode::kIo, path.string() + ": " + std::strerror(errno));
  }
  return Ok();
}

// A new file only (O_EXCL, not through a symlink), mode 0600.
Status WriteNewFile(const fs::path& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(ErrorCode::kIo, path.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const bool synced = done == bytes.size() && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!synced) return MakeError(ErrorCode::kIo, path.string() + ": " + std::strerror(saved));
  return Ok();
}

std::map<std::string, std::string> BundleFiles(const store::Takedown& order,
                                               const std::vector<ListedName>& names,
                                               const std::map<dns::Name, JournalSpan>& journals,
                                               const std::map<int64_t, store::UserInfo>& owners,
                                               const std::vector<store::AuditEntry>& audit,
                                               int64_t now) {
  std::map<std::string, std::string> files;
  files["order.json"] = export_parts::OrderJson(order, names, journals, now);
  files["hosts.tsv"] = export_parts::HostsFile(names, owners);
  files["accounts.tsv"] = export_parts::AccountsFile(owners);
  files["audit.tsv"] = export_parts::AuditFile(audit);
  for (const ListedName& listed : names) {
    const std::string base = "names/" + NameDirectory(listed.name) + "/";
    auto journal = listed.zone ? journals.find(*listed.zone) : journals.end();
    files[base + "records.txt"] = export_parts::RecordsFile(
        order, listed, journal != journals.end() ? &journal->second : nullptr, now);
    files[base + "updates.tsv"] = export_parts::UpdatesFile(listed);
  }
  return files;
}

}  // namespace

Result<ExportSummary> ExportTakedown(store::Store& store, const update::UpdateService& updates,
                                     int64_t order_id, const fs::path& dir, int64_t now) {
  ASSIGN_OR_RETURN(auto found, store.takedowns().GetTakedown(order_id));
  if (!found || !found->is_order())
    return MakeError(ErrorCode::kNotFound, "no order " + std::to_string(order_id));
  const store::Takedown& order = *found;
  RETURN_IF_ERROR(PrepareDirectory(dir));
  ASSIGN_OR_RETURN(auto names, ListNames(store, updates, order));
  ASSIGN_OR_RETURN(auto journals, ReadJournals(store, names));
  ASSIGN_OR_RETURN(auto owners, ReadOwners(store, names));
  ASSIGN_OR_RETURN(auto audit, ReadOrderAudit(store, order));
  const auto files = BundleFiles(order, names, journals, owners, audit, now);

  RETURN_IF_ERROR(MakeDirectories(dir, files));
  ExportSummary summary;
  for (const auto& [path, bytes] : files) {
    RETURN_IF_ERROR(WriteNewFile(dir / path, bytes));
    summary.files.push_back(path);
  }
  const std::string manifest = export_parts::Manifest(order, files, journals, now);
  summary.manifest = dir / kManifest;
  RETURN_IF_ERROR(
      WriteNewFile(summary.manifest, manifest));  // last: without it the bundle is incomplete
  summary.manifest_sha256 = Sha256Hex(manifest);
  summary.names = order.names;
  return summary;
}

}  // namespace tether::abuse
