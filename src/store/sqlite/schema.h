// The SQLite store's file: creating it (mode 0600), recognising it as Tether's
// (application_id), refusing damaged files and files of a newer Tether, connection
// settings (WAL, synchronous=FULL, foreign keys), and the schema migrations, which live
// here in code as an ordered list of steps.
//
// Tables (schema version 7):
//   meta(key TEXT PRIMARY KEY, value)              -- 'schema_version'
//   zones(id, origin BLOB UNIQUE, serial_policy, serial, journal_seq, allow_update,
//         folded_seq, soa BLOB, service)           -- soa: the current SOA RRset, packed;
//                                                  -- service: users may register hosts

//   names(zone_id, owner BLOB, data BLOB)          -- WITHOUT ROWID, PK (zone_id, owner)
//   journal(zone_id, seq, serial_from, serial_to, time, removed, added)  -- PK (zone_id, seq)
// The journal comes first: a zone's content is its names rows with the journal entries
// after folded_seq applied. Every row reflects at least the entries up to folded_seq (a
// fold in progress may have taken some further; replay is idempotent, replay.h).
//   keys(name BLOB PRIMARY KEY, algorithm, secret)
//   grants(key_name, zone_id, scope, name, types)
//   users, hosts, tokens, host_credentials, history -- accounts (store/accounts.h);
//         version 3, see the migration for their columns
//   transfer_peers(zone_id, kind, value, key_name) -- version 4: secondaries and who may
//         transfer a zone (store.h TransferSettings); ON DELETE CASCADE with the zone
//   primaries(zone_id PRIMARY KEY, addresses, key_name, refreshed) -- version 5: a
//         secondary zone's primaries (store.h PrimarySettings); ON DELETE CASCADE
//   audit(seq PRIMARY KEY, time, actor, action, reason, reference, names, serial_before,
//         serial_after, prev_hash, hash) -- version 6: the audit log (store/audit.h)
//   version 7: hosts gain abuse_state, abuse_reason, abuse_since (accounts.h AbuseState)
//   version 8: hosts gain abuse_action, abuse_order; takedowns (store/takedowns.h)
//   version 9: zones gain rpz; version 10: abuse_cases, appeals (store/abuse_cases.h)
//   host_abuse(host_id PRIMARY KEY, state, reason, since, action, order_id) -- version 11:
//         the abuse state of each host that ever had one, out of the hosts columns
//   takedown_snapshots(takedown_id PRIMARY KEY, snapshot) -- version 12: an order's
//         snapshot, out of the takedowns row
//   version 14: history chained per host (history.prev, history_heads, history_purge)
//   version 15: meta 'users_id_floor', 'hosts_id_floor', 'tokens_id_floor' and
//         'host_credentials_id_floor', the greatest id each table ever had (kept by
//         triggers): those ids are never reused
// Blob formats: blob_codec.h. Names and grants refer to zones by id with ON DELETE
// CASCADE, grants to keys by name likewise.
//
// Thread-safety: functions take a connection the caller uses from one thread.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "store/sqlite/db.h"

namespace tether::store::sqlite {

// 'TeTh': lets Tether tell its store from any other SQLite file (PRAGMA application_id).
inline constexpr int32_t kApplicationId = 0x54655468;
// The schema version this code writes; files with a greater one are refused.
int64_t LatestSchemaVersion();

// Opens the write connection: creates the file (mode 0600) if missing, checks that it is a
// healthy Tether store no newer than this code, and migrates it to the latest schema.
// PRAGMA quick_check, which reads the whole file, runs if the file is at most
// `quick_check_max_bytes` long; larger files are checked as their pages are read.
Result<Db> OpenWriteConnection(const std::string& path, int64_t quick_check_max_bytes);
// Opens another connection to a file OpenWriteConnection has prepared, for reading only.
Result<Db> OpenReadConnection(const std::string& path);

}  // namespace tether::store::sqlite
