// PlanCommit: what Store::Commit (store.h) decides before writing anything — the checks of
// the change, the new serial and SOA, and the journal entry with its SOAs — shared by the
// SQLite and PostgreSQL stores so that both give a change the same meaning. Each store
// then writes the entry (and, PostgreSQL, the names) inside its own transaction, with the
// zone row read there (SQLite: the single writer; PostgreSQL: SELECT ... FOR UPDATE).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "store/store.h"

namespace tether::store {

// `zone` and `stored_soa` are the zone's row as stored now; `now` is unix seconds;
// `where` names the store in damage messages (a file, or "postgresql"). Normalises
// `change` in place: names lowercased and RRsets normalised, apex SOAs dropped from the
// diff and the old and new SOA put at the head of `removed` and `added` (RFC 1995 4).
// Fails, having decided nothing, on a change made on another journal sequence than the
// zone's (`base_journal_seq`, kAborted; checked first, so the change is left as it came), a
// bad change (kInvalidArgument) or a stored SOA that does not parse or disagrees with the
// zone's serial (kIo, damage).
Result<CommitResult> PlanCommit(const ZoneInfo& zone, const zone::Rrset& stored_soa,
                                ZoneChange& change, int64_t now, std::string_view where);

}  // namespace tether::store
