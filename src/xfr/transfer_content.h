// What a zone transfer sends: the records of an AXFR (RFC 5936 2.2: the SOA first and
// last, every other RR of the zone in between) and of an IXFR (RFC 1995 4: the new SOA,
// then for each change the old SOA, the removed RRs, the new SOA and the added RRs, then
// the new SOA again; tetherd sends one change, the net change since the client's serial)
// or the single-SOA answer of an up-to-date client.
// Pure functions apart from AxfrRecords, which reads the zone (below); thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/result.h"
#include "store/store.h"
#include "xfr/record_list.h"
#include "zone/zone.h"

namespace tether::xfr {

// The zone's current content as AXFR records: one consistent version, copied as the query
// path reads it (Zone::ForEachName), so neither queries nor updates of the zone wait for
// the copy. Fails if the zone has no single apex SOA. `soa_serial` receives the serial sent.
Result<RecordList> AxfrRecords(zone::Zone& zone, uint32_t* soa_serial = nullptr);

// The zone's apex SOA as one record (for the up-to-date IXFR answer and IXFR over UDP).
Result<RecordList> SoaRecord(zone::Zone& zone, uint32_t* soa_serial = nullptr);

// The IXFR records taking a client from `client_serial` to the end of `entries` (journal
// entries, oldest first, as Store::ReadJournal returns them), condensed into one difference
// sequence (condense.h). The entries used must form a chain: the first starting at
// `client_serial`, each starting where the previous ended. Entries before the one starting
// at `client_serial` are skipped. nullopt if there is no such chain (the journal does not
// reach back to the client), no entry at all, or an entry whose parts do not start with
// the zone's SOA.
std::optional<RecordList> IxfrRecords(const dns::Name& origin,
                                      const std::vector<store::JournalEntry>& entries,
                                      uint32_t client_serial);

}  // namespace tether::xfr
