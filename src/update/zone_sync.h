// SyncZone: brings a dynamic zone in memory forward to the store, for the changes another
// node sharing the store committed (docs/postgresql.md, "Several nodes"). The zone's
// updater calls it — when the change feed names the zone, and when a commit was refused
// because its view was stale — so the zone keeps one writer.
//
//   * incremental: the journal entries after the sequence the zone reflects, replayed onto
//     the names they touch (store/replay.h) and published as one new version;
//   * full: when the journal no longer reaches back that far (trimmed), every name is read
//     again (Store::LoadZone) and the zone is made equal to it, also in one version.
//
// Replay is idempotent, so content that already reflects some of the entries (a zone
// loaded while another node committed) comes out right.
//
// Thread-safety: as the store and the zone; one call per zone at a time.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "store/store.h"
#include "zone/zone.h"

namespace tether::update {

struct Synced {
  uint64_t journal_seq = 0;  // the sequence the zone now reflects
  bool changed = false;      // a new version was published
  bool full = false;         // it was a full reload
  size_t names = 0;          // names published
  zone::Rrset soa;           // the apex SOA now published (if changed)
};

// REQUIRES: `zone` holds the dynamic zone `zone_id` of `store`, reflecting its journal up to
// `journal_seq`.
Result<Synced> SyncZone(store::Store& store, int64_t zone_id, zone::Zone& zone, uint64_t journal_seq);

}  // namespace tether::update
