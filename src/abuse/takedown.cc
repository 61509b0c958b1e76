#include "abuse/takedown.h"
#include "abuse/watch.h"

#include <algorithm>
#include <future>
#include <set>

#include <spdlog/spdlog.h>

#include "base/time_text.h"
#include "store/serial.h"
#include "update/function_request.h"

namespace tether::abuse {
namespace {

using store::EnforceAction;
using store::Takedown;
using store::TakedownStatus;

constexpr const char* kMarkerLabel = "_withheld";

std::string Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return "";
  const size_t end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

bool HasWildcardLabel(const dns::Name& name) {
  for (int i = 0; i < name.LabelCount(); ++i) {
    if (name.StripLabels(i).FirstLabel() == "*") return true;
  }
  return false;
}

// The names an order replaces for `name`: a host's name and the names the update API gives
// it, a forced name alone, and for nodata the marker last; an apex alone.
std::vector<dns::Name> OwnedNames(const dns::Name& name, bool host, bool apex, EnforceAction action) {
  std::vector<dns::Name> owned = {name};
  if (apex) return owned;
  std::vector<const char*> labels;
  if (host) labels = {"*", "_acme-challenge"};
  if (action == EnforceAction::kNodata) labels.push_back(kMarkerLabel);
  for (const char* label : labels) {
    if (auto below = name.Prepend(label)) owned.push_back(*below);
  }
  return owned;
}

uint32_t SoaSerial(update::ZoneView& view) {
  const zone::Rrset* soa = view.Find(view.origin(), dns::RrType::kSoa);
  if (soa == nullptr || soa->rdatas.empty()) return 0;
  return store::SoaSerial(soa->rdatas[0]).value_or(0);
}

// Sets each name to its content where it differs.
void SetAll(update::ZoneView& view, const std::vector<zone::NameUpdate>& names) {
  for (const zone::NameUpdate& update : names) {
    if (view.Get(update.name) != update.rrsets) view.Set(update.name, update.rrsets);
  }
}

}  // namespace

std::vector<TakedownEngine::Restorable> TakedownEngine::Restorables(const Takedown& order,
                                                                    std::vector<zone::NameUpdate> snapshot) const {
  NameSet listed;
  for (const std::string& text : order.names) {
    if (auto name = dns::Name::FromText(text)) listed.insert(name->Lowercased());
  }
  const NameSet restored = RestoredNames(order.snapshot);
  // The snapshot lists each target's owned names together, the target's own name first.
  std::vector<Restorable> out;
  for (zone::NameUpdate& entry : snapshot) {
    if (listed.contains(entry.name) && restored.contains(entry.name)) {
      out.push_back({});  // restored ahead of the order (RestoreNames): nothing to put back
      continue;
    }
    if (listed.contains(entry.name)) {
      std::optional<dns::Name> zone;
      for (dns::Name up = entry.name; !zone && !up.IsRoot(); up = up.Parent()) {
        if (updates_.IsDynamic(up)) zone = up;
      }
      if (!zone) {
        out.push_back({});  // its zone is gone: nothing to put back
        continue;
      }
      out.push_back({Target{entry.name, *zone, std::nullopt, {}}, {}});
    }
    if (out.empty() || out.back().target.zone.IsRoot()) continue;
    out.back().target.owned.push_back(entry.name);
    out.back().before.push_back(std::move(entry));
  }
  std::erase_if(out, [](const Restorable& r) { return r.target.zone.IsRoot(); });
  return out;
}

struct TakedownEngine::ZoneStep {
  dns::Name zone;
  std::vector<Target> targets;
  uint32_t before = 0;
  uint32_t after = 0;
};

TakedownEngine::TakedownEngine(store::Store& store, update::UpdateService& updates, accounts::Directory& directory,
                               TakedownSettings settings, std::function<int64_t()> now)
    : store_(store), updates_(updates), directory_(directory), settings_(std::move(settings)), now_(std::move(now)) {}

// ---- resolving the list ----

Resolution TakedownEngine::Resolve(const std::vector<std::string>& names, bool force, EnforceAction action) {
  Resolution resolution;
  NameSet seen;
  for (const std::string& line : names) {
    const std::string text = Trim(line);
    if (text.empty() || text[0] == '#') continue;
    auto parsed = dns::Name::FromText(text);
    if (!parsed || parsed->IsRoot()) {
      resolution.invalid.push_back(text + " (" + (parsed ? "the root" : parsed.error().message) + ")");
      continue;
    }
    dns::Name name = parsed->Lowercased();
    if (!seen.insert(name).second) continue;
    std::optional<dns::Name> zone;
    for (dns::Name up = name;; up = up.Parent()) {
      if (updates_.IsDynamic(up)) {
        zone = up;
        break;
      }
      if (up.IsRoot()) break;
    }
    if (!zone) {
      resolution.not_found.push_back(name);
      continue;
    }
    const bool apex = name == *zone;
    const bool wildcard = HasWildcardLabel(name);
    auto host = directory_.Host(name);
    if (host && !wildcard) {
      resolution.targets.push_back({name, *zone, host, OwnedNames(name, true, false, action)});
      continue;
    }
    auto zone_ptr = updates_.GetZone(*zone);
    const bool exists = apex || (zone_ptr != nullptr && !zone_ptr->Get(name).empty());
    if (!exists && !wildcard) {
      resolution.not_found.push_back(name);
      continue;
    }
    if (!force) {
      const char* why = apex ? "a zone apex" : wildcard ? "a wildcard" : "not a host of a service zone";
      resolution.refused.push_back(name.ToText() + " (" + why + ")");
      continue;
    }
    resolution.targets.push_back({name, *zone, std::nullopt, OwnedNames(name, false, apex, action)});
  }
  return resolution;
}

Status TakedownEngine::CheckAction(const PreviewRequest& request) const {
  if (request.action == EnforceAction::kSinkhole && settings_.sinkhole.empty()) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "no sinkhole address is configured ([abuse] sinkhole in the configuration file)");
  }
  if ((request.action == EnforceAction::kDelegated) != !request.ns.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, request.action == EnforceAction::kDelegated
                                                      ? "delegate needs --ns with the partner's name servers"
                                                      : "--ns goes only with --action delegate");
  }
  for (const std::string& text : request.ns) {
    auto name = dns::Name::FromText(text);
    if (!name || name->IsRoot()) return MakeError(ErrorCode::kInvalidArgument, "bad name server '" + text + "'");
  }
  return Ok();
}

// ---- preview ----

Result<Takedown> TakedownEngine::Preview(const PreviewRequest& request) {
  RETURN_IF_ERROR(CheckAction(request));
  Resolution resolution = Resolve(request.names, request.force, request.action);
  if (!resolution.invalid.empty()) {
    std::string lines;
    for (const auto& line : resolution.invalid) lines += "\n  " + line;
    return MakeError(ErrorCode::kInvalidArgument, "not domain names:" + lines);
  }
  if (!resolution.refused.empty()) {
    std::string lines;
    for (const auto& line : resolution.refused) lines += "\n  " + line;
    return MakeError(ErrorCode::kFailedPrecondition,
                     "refused (an order names exact hosts; --force acts on these too, and is recorded):" + lines);
  }
  for (const Target& target : resolution.targets) {
    if (request.action == EnforceAction::kDelegated && target.name == target.zone) {
      return MakeError(ErrorCode::kFailedPrecondition, "a zone apex cannot be delegated: " + target.name.ToText());
    }
    for (const std::string& text : request.ns) {
      if (dns::Name::FromText(text)->Lowercased().IsSubdomainOf(target.name)) {
        return MakeError(ErrorCode::kInvalidArgument, "name server " + text + " is below " + target.name.ToText() +
                                                          ", which would need glue: use one outside it");
      }
    }
  }
  Takedown preview;
  preview.status = TakedownStatus::kPreview;
  preview.created = now_();
  preview.author = request.author;
  preview.action = request.action;
  for (const std::string& text : request.ns) preview.ns.push_back(dns::Name::FromText(text)->Lowercased().ToText());
  preview.reason = request.reason;
  preview.reference = request.reference;
  preview.expires = request.expires;
  preview.forced = request.force;
  for (const Target& target : resolution.targets) preview.names.push_back(target.name.ToText());
  for (const dns::Name& name : resolution.not_found) preview.names.push_back(name.ToText());
  preview.report = Report(request, resolution);
  return store_.takedowns().CreateTakedown(preview);
}

// ---- apply ----

Status TakedownEngine::CheckApproval(const Takedown& preview, const Resolution& resolution, const std::string& actor,
                                     bool approve) const {
  std::set<int64_t> accounts;
  for (const Target& target : resolution.targets) {
    if (target.host) accounts.insert(target.host->user_id);
  }
  const bool needed = resolution.targets.size() > settings_.approve_above_names ||
                      accounts.size() > settings_.approve_above_accounts;
  if (!needed) return Ok();
  const std::string size = std::to_string(resolution.targets.size()) + " names of " +
                           std::to_string(accounts.size()) + " accounts";
  if (!approve) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "an order of " + size + " needs a second approver: someone other than " + preview.author +
                         " applies it with --approve");
  }
  if (actor == preview.author) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "the approver must be someone other than the author (" + preview.author + ")");
  }
  return Ok();
}

Result<Takedown> TakedownEngine::Apply(int64_t preview_id, const std::string& actor, bool approve) {
  MutexLock lock(mu_);
  ASSIGN_OR_RETURN(auto found, store_.takedowns().GetTakedown(preview_id));
  if (!found || found->is_order()) {
    return MakeError(ErrorCode::kNotFound, "no preview " + std::to_string(preview_id));
  }
  const Takedown& preview = *found;
  const int64_t now = now_();
  if (now - preview.created > settings_.preview_max_age) {
    return MakeError(ErrorCode::kFailedPrecondition,
                     "preview " + std::to_string(preview_id) + " is " + std::to_string((now - preview.created) / 60) +
                         " minutes old (at most " + std::to_string(settings_.preview_max_age / 60) +
                         "): preview the list again");
  }
  ASSIGN_OR_RETURN(auto all, store_.takedowns().ListTakedowns());
  for (const Takedown& other : all) {
    if (other.preview_id == preview_id) {
      return MakeError(ErrorCode::kFailedPrecondition, "preview " + std::to_string(preview_id) +
                                                           " was applied already: order " + std::to_string(other.id));
    }
  }
  Resolution resolution = Resolve(preview.names, preview.forced, preview.action);
  if (!resolution.refused.empty()) {
    return MakeError(ErrorCode::kFailedPrecondition, "the names changed since the preview: " + resolution.refused[0]);
  }
  std::erase_if(resolution.targets, [](const Target& target) {
    return target.host && target.host->abuse_state == store::AbuseState::kEnforced;  // another order holds it
  });
  RETURN_IF_ERROR(CheckApproval(preview, resolution, actor, approve));

  Takedown order = preview;
  order.id = 0;
  order.status = TakedownStatus::kApplying;
  order.preview_id = preview_id;
  order.created = now;
  order.approver = approve && actor != preview.author ? actor : "";
  order.report.clear();
  order.names.clear();
  for (const Target& target : resolution.targets) order.names.push_back(target.name.ToText());
  ASSIGN_OR_RETURN(order, store_.takedowns().CreateTakedown(order));
  RETURN_IF_ERROR(SetStates(resolution.targets, store::AbuseState::kEnforced, order,
                            "order " + std::to_string(order.id) + ": " + order.reason));
  RETURN_IF_ERROR(Enforce(order, resolution.targets, actor));
  return order;
}

Status TakedownEngine::Enforce(Takedown& order, const std::vector<Target>& targets, const std::string& actor) {
  std::map<dns::Name, ZoneStep> by_zone;
  for (const Target& target : targets) {
    ZoneStep& step = by_zone[target.zone];
    step.zone = target.zone;
    step.targets.push_back(target);
  }
  std::vector<dns::Name> ns;
  for (const std::string& text : order.ns) ns.push_back(*dns::Name::FromText(text));
  std::vector<RpzTarget> feed;
  for (auto& entry : by_zone) {  // no structured binding: lambdas below capture these
    const dns::Name& zone = entry.first;
    ZoneStep& step = entry.second;
    // One request on the zone's updater: it reads the names, stores the snapshot (durable
    // before any record changes; the updater waits for it) and puts the action's records
    // in place, so no other update of the zone can come between the two.
    Status stored = Ok();
    ASSIGN_OR_RETURN(update::UpdateOutcome done, update::RunInZone(updates_, zone, [&](update::ZoneView& view) {
                       std::vector<std::vector<std::vector<zone::Rrset>>> current(step.targets.size());
                       std::vector<zone::NameUpdate> snapshot;
                       for (size_t t = 0; t < step.targets.size(); ++t) {
                         const Target& target = step.targets[t];
                         bool subtree = false;
                         for (size_t i = 0; i < target.owned.size(); ++i) {
                           current[t].push_back(view.Get(target.owned[i]));
                           snapshot.push_back({target.owned[i], current[t].back()});
                           subtree = subtree || (i > 0 && !current[t].back().empty());
                         }
                         feed.push_back({target.name, subtree});
                       }
                       order.snapshot += EncodeSnapshot(snapshot);
                       stored = store_.takedowns().SetTakedownSnapshot(order.id, order.snapshot);
                       if (!stored) return dns::Rcode::kServFail;
                       step.before = SoaSerial(view);
                       for (size_t t = 0; t < step.targets.size(); ++t) {
                         SetAll(view, ActionContent(step.targets[t], order.action, ns, settings_, current[t]));
                       }
                       return dns::Rcode::kNoError;
                     }));
    RETURN_IF_ERROR(stored);
    if (done.rcode != dns::Rcode::kNoError) return MakeError(ErrorCode::kUnavailable, "updating " + zone.ToText());
    step.after = done.serial != 0 ? done.serial : step.before;
    order.serials += zone.ToText() + " " + std::to_string(step.before) + " " + std::to_string(step.after) + "\n";
  }
  RETURN_IF_ERROR(UpdateRpz(feed, order.action, true));
  order.status = TakedownStatus::kApplied;
  order.applied = now_();
  RETURN_IF_ERROR(store_.takedowns().UpdateTakedown(order));
  std::vector<ZoneStep> steps;
  for (auto& [zone, step] : by_zone) steps.push_back(std::move(step));
  auto r = Audit("takedown.apply", actor, order, steps);
  return r;
}

// ---- restore ----

Result<Takedown> TakedownEngine::Restore(int64_t order_id, const std::string& actor, const std::string& why) {
  MutexLock lock(mu_);
  return RestoreLocked(order_id, nullptr, actor, why);
}

Result<Takedown> TakedownEngine::RestoreNames(int64_t order_id, const std::vector<dns::Name>& names,
                                              const std::string& actor, const std::string& why) {
  MutexLock lock(mu_);
  return RestoreLocked(order_id, &names, actor, why);
}

Result<Takedown> TakedownEngine::RestoreLocked(int64_t order_id, const std::vector<dns::Name>* only,
                                               const std::string& actor, const std::string& why) {
  ASSIGN_OR_RETURN(auto found, store_.takedowns().GetTakedown(order_id));
  if (!found || !found->is_order()) return MakeError(ErrorCode::kNotFound, "no order " + std::to_string(order_id));
  Takedown order = *found;
  if (order.status == TakedownStatus::kRestored) {
    return MakeError(ErrorCode::kFailedPrecondition, "order " + std::to_string(order_id) + " is restored already");
  }
  // Some names only: those of `only`, while the order keeps the others (partial).
  NameSet chosen;
  bool partial = false;
  if (only != nullptr) {
    if (order.status != TakedownStatus::kApplied) {
      return MakeError(ErrorCode::kFailedPrecondition, "order " + std::to_string(order_id) + " is " +
                                                           store::TakedownStatusName(order.status) +
                                                           ": restore it whole");
    }
    NameSet remaining;
    for (const std::string& text : order.names) {
      if (auto name = dns::Name::FromText(text)) remaining.insert(name->Lowercased());
    }
    for (const dns::Name& restored : RestoredNames(order.snapshot)) remaining.erase(restored);
    for (const dns::Name& name : *only) {
      if (!remaining.contains(name.Lowercased())) {
        return MakeError(ErrorCode::kNotFound,
                         "order " + std::to_string(order_id) + " does not hold " + name.ToText());
      }
      chosen.insert(name.Lowercased());
    }
    partial = chosen.size() < remaining.size();
    if (!partial) only = nullptr;  // the last names: the whole order
  }
  if (!partial) {
    order.status = TakedownStatus::kRestoring;
    RETURN_IF_ERROR(store_.takedowns().UpdateTakedown(order));
  }
  ASSIGN_OR_RETURN(std::vector<zone::NameUpdate> snapshot, DecodeSnapshot(order.snapshot));
  std::vector<dns::Name> ns;
  for (const std::string& text : order.ns) ns.push_back(*dns::Name::FromText(text));
  std::map<dns::Name, ZoneStep> by_zone;
  std::map<dns::Name, std::vector<zone::NameUpdate>> changed;  // by zone: what to put back
  std::vector<RpzTarget> feed;
  for (Restorable& target : Restorables(order, std::move(snapshot))) {
    if (partial && !chosen.contains(target.target.name)) continue;
    const dns::Name& zone = target.target.zone;
    by_zone[zone].zone = zone;
    by_zone[zone].targets.push_back(target.target);
    // Only the names the action changed go back (the others it left as they were).
    std::vector<std::vector<zone::Rrset>> before;
    for (zone::NameUpdate& entry : target.before) before.push_back(entry.rrsets);
    auto applied = ActionContent(target.target, order.action, ns, settings_, before);
    bool subtree = false;
    for (size_t i = 0; i < target.before.size(); ++i) {
      subtree = subtree || (i > 0 && !target.before[i].rrsets.empty());
      if (applied[i].rrsets != target.before[i].rrsets) changed[zone].push_back(std::move(target.before[i]));
    }
    feed.push_back({target.target.name, subtree});
  }
  std::vector<ZoneStep> steps;
  for (auto& entry : by_zone) {  // no structured binding: lambdas below capture these
    const dns::Name& zone = entry.first;
    ZoneStep& step = entry.second;
    ASSIGN_OR_RETURN(update::UpdateOutcome done, update::RunInZone(updates_, zone, [&](update::ZoneView& view) {
                       step.before = SoaSerial(view);
                       SetAll(view, changed[zone]);
                       return dns::Rcode::kNoError;
                     }));
    if (done.rcode != dns::Rcode::kNoError) return MakeError(ErrorCode::kUnavailable, "updating " + zone.ToText());
    step.after = done.serial != 0 ? done.serial : step.before;
    order.serials += zone.ToText() + " " + std::to_string(step.before) + " " + std::to_string(step.after) + "\n";
    steps.push_back(std::move(step));
  }
  RETURN_IF_ERROR(UpdateRpz(feed, order.action, false));
  std::vector<Target> held;
  for (const std::string& text : order.names) {
    auto name = dns::Name::FromText(text);
    if (partial && (!name || !chosen.contains(name->Lowercased()))) continue;
    auto host = name ? directory_.Host(*name) : std::nullopt;
    if (!host || host->abuse_state != store::AbuseState::kEnforced || host->abuse_order != order.id) continue;
    held.push_back({*name, host->fqdn.Parent(), host, {}});
  }
  RETURN_IF_ERROR(SetStates(held, store::AbuseState::kNone, order,
                            "order " + std::to_string(order.id) + " restored: " + why));
  if (partial) {
    // Marked after the records are back, so a crash before leaves them to the next restore.
    for (const dns::Name& name : chosen) order.snapshot += kRestoredPrefix + name.ToText() + "\n";
    RETURN_IF_ERROR(store_.takedowns().SetTakedownSnapshot(order.id, order.snapshot));
  } else {
    order.status = TakedownStatus::kRestored;
    order.restored = now_();
  }
  RETURN_IF_ERROR(store_.takedowns().UpdateTakedown(order));
  store::Takedown audited = order;
  audited.reason = why;
  RETURN_IF_ERROR(Audit("takedown.restore", actor, audited, steps));
  return order;
}

size_t TakedownEngine::RestoreExpired() {
  auto expired = store_.takedowns().ExpiredTakedowns(now_());
  if (!expired) {
    spdlog::warn("takedown expiry: {}", expired.error().message);
    return 0;
  }
  size_t restored = 0;
  for (const Takedown& order : *expired) {
    if (auto done = Restore(order.id, "expiry", "expired " + FormatTime(order.expires)); !done) {
      spdlog::warn("takedown order {} expired, but restoring it failed: {}", order.id, done.error().message);
      continue;
    }
    spdlog::info("takedown order {} expired and was restored", order.id);
    ++restored;
  }
  return restored;
}

// ---- states and audit ----

Status TakedownEngine::SetStates(const std::vector<Target>& targets, store::AbuseState state,
                                 const Takedown& order, const std::string& reason) {
  std::vector<store::AbuseStateChange> changes;
  const int64_t now = now_();
  for (const Target& target : targets) {
    if (!target.host) continue;
    changes.push_back({target.host->id, state, order.action, order.id, reason, now});
  }
  if (changes.empty()) return Ok();
  RETURN_IF_ERROR(store_.accounts().SetAbuseStates(changes));
  for (const Target& target : targets) {
    if (!target.host) continue;
    auto host = directory_.Host(target.host->fqdn);  // the newest, e.g. its last update time
    if (!host) continue;
    host->abuse_state = state;
    host->abuse_reason = reason;
    host->abuse_since = now;
    host->abuse_action = order.action;
    host->abuse_order = state == store::AbuseState::kEnforced ? order.id : 0;
    directory_.PutHost(*host);
    SyncQueryLogging(updates_, *host);
  }
  return Ok();
}

Status TakedownEngine::Audit(const std::string& action, const std::string& actor, const Takedown& order,
                             const std::vector<ZoneStep>& steps) {
  for (const ZoneStep& step : steps) {
    store::AuditEntry entry;
    entry.time = now_();
    entry.actor = actor;
    entry.action = action;
    entry.reason = "order " + std::to_string(order.id) + " (" + store::EnforceActionName(order.action) +
                   (order.forced ? ", forced" : "") + "): " + order.reason;
    entry.reference = order.reference;
    for (const Target& target : step.targets) entry.names.push_back(target.name.ToText());
    entry.serial_before = step.before;
    entry.serial_after = step.after;
    auto appended = store_.audit().AppendAudit(entry);
    if (!appended) return tl::unexpected(appended.error());
  }
  return Ok();
}

}  // namespace tether::abuse
