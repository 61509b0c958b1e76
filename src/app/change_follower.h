// ChangeFollower: keeps this node's view of a shared store current with what the other
// nodes change (docs/postgresql.md, "Several nodes"). One thread reads the store's change
// feed (Store::WaitForChanges: woken at once by the database, and polling every half
// second in case a wake-up was lost with a connection) and applies each entry:
//
//   journal     -> the zone's updater catches up with the store and publishes
//                  (UpdateService::CatchUp, update/zone_sync.h)
//   zone        -> the zone is loaded or dropped, its settings re-read (Admin::SyncZone)
//   keys        -> keys and grants re-read (Admin::SyncKeys)
//   user, host, token, credential
//               -> that object re-read into the Directory; a changed credential_version
//                  voids the proofs cached for the user (accounts/credential_cache.h)
//
// The node's own changes come back through the feed too; applying one again changes
// nothing. If the feed lost entries this node had not read (trimmed while it was cut off),
// everything is re-read (Admin::SyncAll).
//
// Thread-safety: Start and Stop from one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "accounts/directory.h"
#include "app/admin.h"
#include "store/store.h"
#include "update/update_service.h"

namespace tether::app {

class ChangeFollower {
 public:
  // Follows the entries after `from` (Store::ChangeFeedHead, read before the node loaded
  // the store).
  ChangeFollower(store::Store& store, update::UpdateService& updates, Admin& admin,
                 accounts::Directory& directory, uint64_t from);
  ~ChangeFollower();
  ChangeFollower(const ChangeFollower&) = delete;
  ChangeFollower& operator=(const ChangeFollower&) = delete;

  void Start();
  void Stop();

  uint64_t position() const { return position_.load(); }

 private:
  void Loop();
  Status Apply(const store::StoreChange& change);
  Status ApplyAccount(const store::StoreChange& change);

  store::Store& store_;
  update::UpdateService& updates_;
  Admin& admin_;
  accounts::Directory& directory_;
  std::atomic<uint64_t> position_;  // the last entry applied
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace tether::app
