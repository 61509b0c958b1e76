// Taking a transfer read by TransferReader into a secondary zone: the store first (Commit,
// so the zone's journal records each change and tetherd can serve IXFR to secondaries of
// its own), then the in-memory zone, as one new version (Zone::Apply): no query sees half
// a transfer.
//
//   * incremental: each change of the IXFR becomes one Commit (one journal entry, the
//     primary's serials), its diff made exact against the content it applies to; all are
//     checked before the first is committed, and a change that does not apply (it removes
//     a record we do not have) fails the whole transfer with nothing written. The names
//     the committed changes touched are then published at once.
//   * full: the difference between the zone as it is and the transferred content becomes
//     one Commit (names gone, names changed, names new; the journal entry is that exact
//     difference, so even an AXFR gives downstream secondaries an IXFR), then one publish.
//
// The zone must have one writer: the caller (SecondaryService) runs one transfer of a zone
// at a time, and the zone is not on the update path. Thread-safety: as the store and zone.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "store/store.h"
#include "xfr/transfer_reader.h"
#include "zone/zone.h"

namespace tether::xfr {

// The content of a full transfer as name updates (RRsets normalised; an RRset whose
// records came with different TTLs takes the lowest, RFC 2181 5.2). Fails if the apex
// lacks NS records or the content is not a valid zone.
Result<std::vector<zone::NameUpdate>> FullContent(const dns::Name& origin, const Transfer& transfer);

struct Applied {
  uint32_t serial = 0;     // the zone's serial now
  zone::Rrset soa;         // its SOA, as stored and published
  size_t commits = 0;      // journal entries written
  size_t names = 0;        // names published
};

// REQUIRES: transfer.kind is kFull or kIncremental; `zone` holds the zone `zone_id` of
// `store`, and its SOA serial is the one the transfer was requested from.
Result<Applied> ApplyTransfer(store::Store& store, int64_t zone_id, zone::Zone& zone,
                              const Transfer& transfer);

}  // namespace tether::xfr
