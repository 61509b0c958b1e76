// Small helpers for the statements of committer jobs (account_store.cc, abuse_cases.cc):
// each runs on the Writer's connection inside the job's savepoint.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/result.h"
#include "store/sqlite/db.h"
#include "store/sqlite/writer.h"

namespace tether::store::sqlite {

// Prepares `sql`, binds it with `bind` and runs it to completion.
inline Status RunSql(Writer& writer, const std::string& sql, const std::function<void(Statement&)>& bind) {
  ASSIGN_OR_RETURN(Statement statement, writer.db().Prepare(sql));
  bind(statement);
  return statement.Run();
}

// The rows the last statement changed, and the id of the last row inserted.
inline Result<int64_t> LastChanges(Writer& writer) { return writer.db().QueryInt("SELECT changes()"); }
inline Result<int64_t> LastRowId(Writer& writer) { return writer.db().QueryInt("SELECT last_insert_rowid()"); }

// kNotFound "no WHAT" unless the last statement changed a row.
inline Status ChangedOne(Writer& writer, const std::string& what) {
  ASSIGN_OR_RETURN(int64_t changed, LastChanges(writer));
  if (changed == 0) return MakeError(ErrorCode::kNotFound, "no " + what);
  return Ok();
}

}  // namespace tether::store::sqlite
