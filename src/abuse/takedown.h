// TakedownEngine: takedown orders (DESIGN.md "Abuse handling", docs/abuse.md) — act on
// exactly the listed names, show the impact before acting, undo everything in one step.
//
//   Preview(list, action)  -> a stored dry run with its report ("preview: ID")
//   Apply(preview)         -> an order: the hosts become `enforced`, their records are
//                             replaced by the action's in one update per zone (one serial)
//   Restore(order)         -> the records the hosts had before, in one update per zone,
//                             and their abuse state back to `none`
//
// What an order touches: for a host, its name and the names the update API gives it
// (`*.HOST`, `_acme-challenge.HOST`) plus `_withheld.HOST` (the nodata marker); for a
// forced name that is no host, exactly that name (an apex keeps its SOA and NS). Nothing
// else: every other name's answer stays byte for byte what it was.
//
// Crash safety: the order's row holds the records its names had (the snapshot) before any
// of them changes, and a restore puts back exactly the snapshot, so an order interrupted
// anywhere can still be restored, and restoring twice changes nothing the second time.
//
// Thread-safety: every method may be called from any thread; apply and restore are
// serialised by an internal mutex (updates of other names keep flowing meanwhile).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "accounts/directory.h"
#include "base/mutex.h"
#include "base/result.h"
#include "dns/name.h"
#include "store/store.h"
#include "store/takedowns.h"
#include "update/update_service.h"
#include "zone/rrset.h"

namespace tether::abuse {

using NameSet = std::unordered_set<dns::Name, dns::NameHash>;

// The operator's choices ([abuse] in the configuration, docs/configuration.md).
struct TakedownSettings {
  std::vector<std::string> sinkhole;  // addresses a sinkholed host answers (A and/or AAAA)
  uint32_t ttl = 60;                  // TTL of the records an action puts in place
  size_t approve_above_names = 25;    // orders with more names, or
  size_t approve_above_accounts = 3;  // more accounts, need a second approver
  int64_t preview_max_age = 15 * 60;  // seconds a preview may be applied after it was made
  int64_t active_days = 30;           // a host updated within this many days is "active"
};

struct PreviewRequest {
  std::vector<std::string> names;  // as listed, one per element
  store::EnforceAction action = store::EnforceAction::kNxdomain;
  std::vector<std::string> ns;     // kDelegated: the name servers
  std::string reason;
  std::string reference;
  int64_t expires = 0;             // unix seconds; 0: until restored
  bool force = false;              // allow apexes, wildcards and names that are no host
  std::string author;
};

// A listed name resolved against the zones and hosts now.
struct Target {
  dns::Name name;
  dns::Name zone;                         // the dynamic zone holding it
  std::optional<store::HostInfo> host;    // none: a forced name that is no host
  std::vector<dns::Name> owned;           // the names the action replaces
};

// The listed names sorted out.
struct Resolution {
  std::vector<Target> targets;
  std::vector<dns::Name> not_found;
  std::vector<std::string> refused;  // "NAME (why)": need --force
  std::vector<std::string> invalid;  // "LINE (why)": not a domain name
};

// A name of the RPZ feed (docs/abuse.md, "The RPZ feed"): a listed name, and whether it had
// names with records below it (a wildcard, an ACME challenge) before the order.
struct RpzTarget {
  dns::Name name;
  bool subtree = false;
};

class TakedownEngine {
 public:
  TakedownEngine(store::Store& store, update::UpdateService& updates, accounts::Directory& directory,
                 TakedownSettings settings, std::function<int64_t()> now);

  // Checks the list and the action, writes the report and stores the preview. Fails
  // (kInvalidArgument) for a name that is no domain name or for a bad action, and
  // (kFailedPrecondition) for refused names without `force`.
  Result<store::Takedown> Preview(const PreviewRequest& request);
  // Applies a fresh preview as an order by `actor`. A large order needs `approve` from an
  // actor other than the preview's author.
  Result<store::Takedown> Apply(int64_t preview_id, const std::string& actor, bool approve);
  // Lifts an order (by `actor`, e.g. "expiry"; `why` goes to the audit log).
  Result<store::Takedown> Restore(int64_t order_id, const std::string& actor, const std::string& why);
  // Lifts an applied order for the listed `names` only (a reversed appeal): their records
  // come back and their hosts' states go back to `none`, as in Restore; the order stays
  // applied for its other names (and is restored whole once none is left). kNotFound for a
  // name the order does not hold (any more); kFailedPrecondition unless it is applied.
  Result<store::Takedown> RestoreNames(int64_t order_id, const std::vector<dns::Name>& names,
                                       const std::string& actor, const std::string& why);
  // Restores every applied order whose expiry has passed; returns how many.
  size_t RestoreExpired();

  // Sorts the names out against the zones and hosts now, with the names `action` replaces
  // for each.
  Resolution Resolve(const std::vector<std::string>& names, bool force, store::EnforceAction action);

  // The RPZ entries of every order in force, below the policy zone `rpz` (for a new one).
  Result<std::vector<zone::NameUpdate>> RpzContent(const dns::Name& rpz);

 private:
  struct ZoneStep;
  // A target of a stored order with the records its owned names had before it.
  struct Restorable {
    Target target;
    std::vector<zone::NameUpdate> before;  // aligned with target.owned
  };
  std::vector<Restorable> Restorables(const store::Takedown& order, std::vector<zone::NameUpdate> snapshot) const;
  // Restore and RestoreNames: `only` the listed names, or the whole order if nullptr.
  Result<store::Takedown> RestoreLocked(int64_t order_id, const std::vector<dns::Name>* only,
                                        const std::string& actor, const std::string& why) REQUIRES(mu_);
  Status CheckAction(const PreviewRequest& request) const;
  std::string Report(const PreviewRequest& request, const Resolution& resolution);
  Status CheckApproval(const store::Takedown& preview, const Resolution& resolution, const std::string& actor,
                       bool approve) const;
  // Stores the snapshot, then replaces the records, zone by zone.
  Status Enforce(store::Takedown& order, const std::vector<Target>& targets, const std::string& actor);
  // Sets the hosts' states (store, then the directory).
  Status SetStates(const std::vector<Target>& targets, store::AbuseState state, const store::Takedown& order,
                   const std::string& reason);
  // Adds (in force) or removes the entries of `targets` in every policy zone served here.
  Status UpdateRpz(const std::vector<RpzTarget>& targets, store::EnforceAction action, bool in_force);
  Status Audit(const std::string& action, const std::string& actor, const store::Takedown& order,
               const std::vector<ZoneStep>& steps);

  store::Store& store_;
  update::UpdateService& updates_;
  accounts::Directory& directory_;
  const TakedownSettings settings_;
  const std::function<int64_t()> now_;
  Mutex mu_;  // one apply or restore at a time
};

// ---- the parts, for the engine and its tests (takedown_records.cc) ----

// The records `target`'s owned names get under `action` (one NameUpdate per owned name,
// in order), given the content they have now (`current`, aligned with target.owned).
std::vector<zone::NameUpdate> ActionContent(const Target& target, store::EnforceAction action,
                                            const std::vector<dns::Name>& ns, const TakedownSettings& settings,
                                            const std::vector<std::vector<zone::Rrset>>& current);
// One line telling what a target answers under `action`, e.g. "A 192.0.2.53 (TTL 60)".
std::string ActionAnswer(store::EnforceAction action, const std::vector<dns::Name>& ns,
                         const TakedownSettings& settings);

// The listed names of a stored order with their subtree flags (from its snapshot).
std::vector<RpzTarget> RpzTargetsOf(const store::Takedown& order);
// The RPZ entries of `targets` below the policy zone `rpz`: an exact QNAME trigger each,
// plus `*.NAME` for a subtree; CNAME . (nxdomain), CNAME *. (nodata) or the sinkhole
// addresses; none for a delegation. With `in_force` false, both names of each, empty.
std::vector<zone::NameUpdate> RpzEntries(const std::vector<RpzTarget>& targets, store::EnforceAction action,
                                         const dns::Name& rpz, const TakedownSettings& settings, bool in_force);
// A snapshot: every owned name with its records, as master-file text with a ";owner NAME"
// comment line before each name's records (an owned name without records has the line
// alone), and back.
std::string EncodeSnapshot(const std::vector<zone::NameUpdate>& names);
Result<std::vector<zone::NameUpdate>> DecodeSnapshot(const std::string& text);
// A listed name restored ahead of the rest of its order (TakedownEngine::RestoreNames) is
// marked in the order's snapshot by a line ";restored NAME" after its records, which
// DecodeSnapshot skips: the records before the order stay for the legal-hold export.
inline constexpr const char kRestoredPrefix[] = ";restored ";
NameSet RestoredNames(const std::string& snapshot);

}  // namespace tether::abuse
