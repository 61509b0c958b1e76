// The PostgreSQL store's schema and its migrations, kept in code as the SQLite store's
// (sqlite/schema.h): a meta table holds schema_version; each step takes the schema one
// version further and is never edited once released. Migrate runs them in one transaction
// under an advisory lock, so nodes starting together do not migrate twice.
//
// The tables mirror the SQLite store's (zones, names, journal, keys, grants,
// transfer_peers, users, hosts, tokens, host_credentials, history, audit) without the fold's
// columns: a commit writes its names rows itself. docs/postgresql.md describes them.
//
// Thread-safety: none; Migrate runs on one connection before the store is shared.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "store/postgres/conn.h"

namespace tether::store::postgres {

int64_t LatestSchemaVersion();

// Creates or brings the schema up to date. Fails if the database holds tables that are not
// a Tether store's, or was written by a newer Tether.
Status Migrate(Conn& conn);

}  // namespace tether::store::postgres
