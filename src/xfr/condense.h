// Condense: the net change of a run of journal entries as one difference, which IXFR sends
// instead of one difference per entry (RFC 1995 5: a server may condense the changes from
// the client's serial to the current one; only the net change has to be transferred).
//
// The entries are exact RR-level diffs (store.h JournalEntry, replay.h): an RR — owner
// without regard to case, type and RDATA; the TTL is not part of its identity — is removed
// only while present and added only while absent. So within the run an RR was present at
// the start iff its first operation removes it, and is present at the end iff its last
// operation adds it. An RR added and removed again does not appear in the result; one
// removed and added again with the same TTL does not either; one whose TTL changed is
// removed with the old TTL and added with the new one.
//
// Pure function; thread-safe.
#pragma once

#include <span>

#include "store/store.h"

namespace tether::xfr {

// The change from the first entry's serial to the last's: `removed` starts with the first
// entry's old SOA, `added` with the last entry's new SOA (RFC 1995 4), followed by the net
// change of every other RR, each list in the order the RRs first appear in the run. seq
// and time are the last entry's.
// REQUIRES: `entries` is not empty, oldest first, each starting where the one before ended;
// each entry's `removed` and `added` start with the zone's SOA (Store::ReadJournal's
// contract) and hold no other SOA of the apex.
store::JournalEntry Condense(std::span<const store::JournalEntry> entries);

}  // namespace tether::xfr
