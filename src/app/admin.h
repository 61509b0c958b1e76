// Admin: what tetherd does for the `tether` commands that arrive on the control socket, and
// the start-up loading of dynamic zones. Every change goes to the store first; the command
// answers only after the in-memory state (zones, keys) has been published.
//
// Thread-safety: Run may be called from several control connections at once; admin
// commands are serialised by an internal mutex (updates keep flowing meanwhile).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "abuse/asn_lookup.h"
#include "abuse/takedown.h"
#include "accounts/directory.h"
#include "accounts/name_policy.h"
#include "base/mutex.h"
#include "control/commands.h"
#include "control/control_server.h"
#include "store/accounts.h"
#include "store/store.h"
#include "update/access.h"
#include "update/update_service.h"
#include "xfr/secondary.h"
#include "xfr/xfr_service.h"
#include "zone/zone_set.h"

namespace tether::app {

struct ZoneDefaults {
  std::vector<std::string> ns;  // empty: ns1.<origin>
  std::string soa_email;        // empty: hostmaster@<origin>
  uint32_t soa_ttl = 3600;
  uint32_t refresh = 3600;
  uint32_t retry = 900;
  uint32_t expire = 1209600;
  uint32_t minimum = 60;        // negative answers are cached this long (RFC 2308)
  uint32_t ns_ttl = 3600;
};

class Admin {
 public:
  Admin(store::Store& store, update::UpdateService& updates, zone::ZoneRegistry& zones,
        update::AccessControl& access, ZoneDefaults defaults, store::AccountStore& accounts,
        accounts::Directory& directory, accounts::NamePolicy policy);

  // Loads every zone of the store into memory and registers it for updates; the caller
  // publishes the result. `static_origins` are the --zone file zones (a dynamic zone may not
  // have the same origin).
  Result<std::vector<std::shared_ptr<zone::Zone>>> LoadDynamicZones(
      const std::vector<dns::Name>& static_origins);
  // Re-reads keys, grants and allow-update lists from the store into `access`.
  Status RefreshAccess();

  // Another node sharing the store changed something (the change feed, app/change_follower.h):
  // Sync* bring this node's view to the store's. SyncZone loads a zone made elsewhere,
  // drops one deleted elsewhere, and re-reads the zone settings (access, transfers);
  // SyncKeys re-reads keys and grants; SyncAll does all of it for every zone (after the
  // feed lost entries).
  Status SyncZone(const dns::Name& origin);
  Status SyncKeys();
  Status SyncAll();

  // The zone transfer service, told to re-read the transfer settings after the commands
  // that change them (admin_transfer.cc). Null: none. Call before Run.
  void SetTransfers(xfr::XfrService* transfers) { transfers_ = transfers; }
  // The secondary zones' service: LoadDynamicZones hands it the secondary zones (kept off
  // the update path) and `zone add --primary` creates them. Null: none (secondary zones are
  // then loaded as read-only zones that never refresh). Call before LoadDynamicZones.
  void SetSecondaries(xfr::SecondaryService* secondaries) { secondaries_ = secondaries; }
  // Takedown orders (abuse/takedown.h). Null: the takedown commands fail. Call before Run.
  void SetTakedowns(abuse::TakedownEngine* takedowns) { takedowns_ = takedowns; }
  // The ASN database for `abuse scan` (null: ASNs are estimated). Call before Run.
  void SetAsnLookup(const abuse::AsnLookup* asn) { asn_ = asn; }

  // Runs one `tether` command; returns its exit status.
  int Run(const std::vector<std::string>& argv, control::CommandOutput& out);

 private:
  int ZoneAdd(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int ZoneList(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int ZoneExport(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int ZoneRemove(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int ZoneAllowUpdate(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int KeyAdd(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int KeyGrant(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int KeyList(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int KeyRemove(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  // Loads a zone of the store and registers it (update path, or secondary service); the
  // caller publishes it.
  Result<std::shared_ptr<zone::Zone>> LoadStoredZone(const store::ZoneInfo& info);
  // Drops a zone the store no longer has from memory (and the accounts with it).
  void ForgetZone(const dns::Name& origin) REQUIRES(mu_);
  Status SyncZoneLocked(const dns::Name& origin) REQUIRES(mu_);
  Status ReloadTransfers();
  Result<std::vector<zone::NameUpdate>> DefaultZoneContent(const dns::Name& origin,
                                                           const control::Invocation& inv) const;

  // Zone transfers (admin_transfer.cc).
  int ZoneSecondaryAdd(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int ZoneSecondaryList(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int ZoneSecondaryRemove(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int ZoneAllowTransfer(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int ZoneAddSecondary(const control::Invocation& inv, const dns::Name& origin,
                       control::CommandOutput& out) REQUIRES(mu_);
  bool IsSecondary(const dns::Name& origin) const;
  Result<std::pair<int64_t, store::TransferSettings>> TransferSettingsOf(const std::string& origin);
  Status KeyExists(const dns::Name& key);
  Status SaveTransferSettings(int64_t zone_id, const store::TransferSettings& settings);

  // Accounts (admin_accounts.cc).
  int UserAdd(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int UserList(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int UserRemove(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int UserPasswd(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int HostAdd(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int HostList(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int HostRemove(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int HostCredentialAdd(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  // Prints a host's lifecycle and abuse state; with --set changes the abuse state (store,
  // directory, audit entry `host.state`).
  int HostState(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int TokenAdd(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int TokenList(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int TokenRevoke(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  // Takedown orders (admin_takedown.cc).
  int TakedownPreview(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int TakedownApply(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int TakedownRestore(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int TakedownList(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  // The legal-hold export of an order (abuse/takedown_export.h), audited as takedown.export.
  int TakedownExport(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  // Scores the hosts' histories (abuse/flux_scan.h); --watch puts the flagged into watch.
  int AbuseScan(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  // Who acts: the --as user (of role abuse or admin), else the control socket's peer.
  Result<std::string> Actor(const control::Invocation& inv, control::CommandOutput& out) const;
  // The audit log (admin_audit.cc).
  int AuditList(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  int AuditVerify(const control::Invocation& inv, control::CommandOutput& out) REQUIRES(mu_);
  // Appends an entry by the operator ("admin") for an action done; a failure is the
  // command's (the action stands, but the operator must know it went unrecorded).
  Status RecordAudit(const std::string& action, const std::vector<dns::Name>& names,
                     const std::string& reason = "", const std::string& actor = "admin");
  // Removes the DNS names a host may have (through the update path) and waits.
  Status RemoveHostNames(const store::HostInfo& host);
  // After the host is deleted: its names once more, for an update accepted meanwhile (on
  // this node, authenticated before the deletion; on another, before it heard of it).
  // A failure is logged.
  void RemoveNamesAgain(const store::HostInfo& host);

  store::Store& store_;
  update::UpdateService& updates_;
  zone::ZoneRegistry& zones_;
  update::AccessControl& access_;
  const ZoneDefaults defaults_;
  store::AccountStore& accounts_;
  accounts::Directory& directory_;
  const accounts::NamePolicy policy_;
  xfr::XfrService* transfers_ = nullptr;
  xfr::SecondaryService* secondaries_ = nullptr;
  abuse::TakedownEngine* takedowns_ = nullptr;
  const abuse::AsnLookup* asn_ = nullptr;
  Mutex mu_;
};

}  // namespace tether::app
