// Db and Statement: thin RAII wrappers over an sqlite3 connection and a prepared statement
// that turn SQLite's result codes into Result values whose messages name the database
// file. Nothing here knows Tether's schema.
//
// Ownership: a Db owns its connection; a Statement owns its sqlite3_stmt and must be
// destroyed before the Db it was prepared on (declare statements after the Db, or keep
// them in a struct destroyed first). Spans returned by Statement::Blob/Text point into
// SQLite's buffers and stay valid only until the next Step/Reset of that statement.
//
// Thread-safety: none. Connections are opened with SQLITE_OPEN_NOMUTEX; each Db and its
// statements must be used by one thread at a time (the caller serialises).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace tether::store::sqlite {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3_stmt* stmt, std::string path) : stmt_(stmt), path_(std::move(path)) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binders take 1-based parameter indexes, as sqlite3_bind_* does. A failed bind is
  // remembered and reported by the next Step().
  void Bind(int index, int64_t value);
  void Bind(int index, std::span<const uint8_t> blob);  // copied (SQLITE_TRANSIENT)
  void BindText(int index, std::string_view text);      // copied
  // Binds without copying. REQUIRES: `blob` outlives the next Step()/Reset().
  void BindStatic(int index, std::span<const uint8_t> blob);
  // The same for text. REQUIRES: `text` outlives the next Step()/Reset().
  void BindTextStatic(int index, std::string_view text);

  // Runs one step: true if a row is available, false when the statement is done.
  Result<bool> Step();
  // Steps to completion, expecting no rows (INSERT/UPDATE/DELETE).
  Status Run();
  // Resets the statement and clears its bindings so it can be reused and does not keep
  // a read transaction open.
  void Reset();

  int64_t Int(int column) const;
  bool IsNull(int column) const;
  std::span<const uint8_t> Blob(int column) const;
  std::string_view Text(int column) const;
  // Spellings shared with the PostgreSQL store's rows (store/account_rows.h).
  std::span<const uint8_t> Bytes(int column) const { return Blob(column); }
  bool Bool(int column) const { return Int(column) != 0; }

 private:
  Error StepError(int rc) const;

  sqlite3_stmt* stmt_ = nullptr;
  std::string path_;
  int bind_error_ = 0;
};

// Resets a statement when the scope ends, so an early return cannot leave it mid-step.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ~ResetOnExit() { statement_.Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& statement_;
};

class Db {
 public:
  Db() = default;
  ~Db();
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Opens an existing file (never creates it: the caller creates it with the right mode).
  static Result<Db> Open(const std::string& path, bool read_only);

  const std::string& path() const { return path_; }

  Status Exec(const char* sql);
  Result<Statement> Prepare(std::string_view sql);
  // Runs a statement returning one integer (a PRAGMA or SELECT count(*)); 0 if no row.
  Result<int64_t> QueryInt(const char* sql);
  Result<std::string> QueryText(const char* sql);
  // True if the connection is inside a transaction (false after SQLite rolled one back by
  // itself, e.g. on SQLITE_FULL or SQLITE_IOERR).
  bool InTransaction() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;
  int64_t LastInsertRowid() const;

  // An Error for the connection's last failure, e.g. "/var/tether/store.db: BEGIN: disk
  // I/O error".
  Error LastError(std::string_view context, int rc) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Maps an SQLite result code to Tether's error codes.
ErrorCode ErrorCodeForSqlite(int rc);

// "PREFIX VALUES(?, ?), (?, ?)" for `rows` rows of `columns` parameters each.
std::string ValuesSql(std::string_view prefix, int columns, size_t rows);

// Inserts `count` rows, up to kRowsPerInsert to a statement: a statement's own start and
// end (its transaction check, halt and reset) cost SQLite about as much as a row of a few
// columns, and a history flush writes thousands of rows. `prefix` is the statement up to
// VALUES ("INSERT INTO t(a, b)"); `bind(statement, first, row)` binds row `row`'s
// `columns` parameters from index `first` on (a static bind must outlive the call).
inline constexpr size_t kRowsPerInsert = 32;
template <typename BindRow>
Status InsertRows(Db& db, std::string_view prefix, int columns, size_t count, BindRow&& bind) {
  Statement full;
  for (size_t start = 0; start < count;) {
    const size_t rows = std::min(kRowsPerInsert, count - start);
    Statement tail;
    Statement* statement = &full;
    if (rows < kRowsPerInsert) {
      ASSIGN_OR_RETURN(tail, db.Prepare(ValuesSql(prefix, columns, rows)));
      statement = &tail;
    } else if (start == 0) {
      ASSIGN_OR_RETURN(full, db.Prepare(ValuesSql(prefix, columns, rows)));
    }
    ResetOnExit reset(*statement);
    for (size_t row = 0; row < rows; ++row) {
      bind(*statement, static_cast<int>(row) * columns + 1, start + row);
    }
    RETURN_IF_ERROR(statement->Run());
    start += rows;
  }
  return Ok();
}

}  // namespace tether::store::sqlite
