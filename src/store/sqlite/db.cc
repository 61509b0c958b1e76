#include "store/sqlite/db.h"

#include <sqlite3.h>

#include <mutex>
#include <utility>

namespace tether::store::sqlite {

namespace {
// A savepoint's journal (the original of every page it changes) is kept in memory up to
// this size, then spilled to a temporary file. SQLite's default, 64 KiB, sent each history
// flush under load (a page per host head it moved, ~1 MiB a second) to a file created and
// removed every second; a takedown or import of millions of names still spills. SQLite
// allocates the whole size at a journal's first write (its memory journal is one chunk of
// it), and nearly every commit writes one: it stays below jemalloc's threshold for huge
// allocations (8 MiB, returned to the system at each free), so that the same block is
// reused, where 16 MiB cost a madvise and ~5 page faults per commit.
constexpr int kSavepointJournalInMemory = 4 << 20;

// Before SQLite's first use in the process: no memory statistics (kept, they cost a global
// mutex on every allocation SQLite makes, several per statement step, which every
// connection of the process shares; nothing here reads them), and savepoint journals in
// memory up to kSavepointJournalInMemory. A call after SQLite was initialised (by code
// outside this file) is refused and changes nothing.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, kSavepointJournalInMemory);
  });
}
}  // namespace

// A zero-length blob needs a non-null pointer, or SQLite binds NULL instead.
constexpr uint8_t kEmptyBlob = 0;

ErrorCode ErrorCodeForSqlite(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return ErrorCode::kFailedPrecondition;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kUnavailable;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return ErrorCode::kPermissionDenied;
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return ErrorCode::kIo;
    default:
      return ErrorCode::kInternal;
  }
}

// ---- Statement ----

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      path_(std::move(other.path_)),
      bind_error_(other.bind_error_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    path_ = std::move(other.path_);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

void Statement::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

void Statement::Bind(int index, std::span<const uint8_t> blob) {
  int rc = sqlite3_bind_blob64(stmt_, index, blob.empty() ? &kEmptyBlob : blob.data(), blob.size(),
                               SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

void Statement::BindStatic(int index, std::span<const uint8_t> blob) {
  int rc = sqlite3_bind_blob64(stmt_, index, blob.empty() ? &kEmptyBlob : blob.data(), blob.size(),
                               SQLITE_STATIC);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

void Statement::BindText(int index, std::string_view text) {
  int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

void Statement::BindTextStatic(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(),
                               SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

Error Statement::StepError(int rc) const {
  sqlite3* db = sqlite3_db_handle(stmt_);
  const char* sql = sqlite3_sql(stmt_);
  std::string what = sql != nullptr ? std::string(sql).substr(0, 60) : "statement";
  return Error{
      ErrorCodeForSqlite(rc),
      path_ + ": " + what + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
}

Result<bool> Statement::Step() {
  if (bind_error_ != 0) {
    int rc = std::exchange(bind_error_, 0);
    return tl::unexpected(
        Error{ErrorCodeForSqlite(rc), path_ + ": binding a parameter: " + sqlite3_errstr(rc)});
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::unexpected(StepError(rc));
}

Status Statement::Run() {
  ASSIGN_OR_RETURN(bool row, Step());
  while (row) {
    ASSIGN_OR_RETURN(row, Step());
  }
  return Ok();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::span<const uint8_t> Statement::Blob(int column) const {
  // Ask for the pointer first, then the size (the order SQLite documents).
  const void* data = sqlite3_column_blob(stmt_, column);
  auto size = static_cast<size_t>(sqlite3_column_bytes(stmt_, column));
  if (data == nullptr) return {};
  return {static_cast<const uint8_t*>(data), size};
}

std::string_view Statement::Text(int column) const {
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  auto size = static_cast<size_t>(sqlite3_column_bytes(stmt_, column));
  if (data == nullptr) return {};
  return {reinterpret_cast<const char*>(data), size};
}

// ---- Db ----

Db::~Db() { sqlite3_close_v2(db_); }

Db::Db(Db&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Result<Db> Db::Open(const std::string& path, bool read_only) {
  ConfigureSqliteOnce();
  Db db;
  db.path_ = path;
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    return tl::unexpected(db.db_ != nullptr
                              ? db.LastError("open", rc)
                              : Error{ErrorCode::kIo, path + ": open: out of memory"});
  }
  sqlite3_extended_result_codes(db.db_, 1);
  return db;
}

Error Db::LastError(std::string_view context, int rc) const {
  return Error{ErrorCodeForSqlite(rc),
               path_ + ": " + std::string(context) + ": " + sqlite3_errmsg(db_)};
}

Status Db::Exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(LastError(std::string_view(sql).substr(0, 60), rc));
  return Ok();
}

Result<Statement> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return tl::unexpected(LastError("prepare " + std::string(sql.substr(0, 60)), rc));
  }
  return Statement(stmt, path_);
}

Result<int64_t> Db::QueryInt(const char* sql) {
  ASSIGN_OR_RETURN(Statement statement, Prepare(sql));
  ASSIGN_OR_RETURN(bool row, statement.Step());
  return row ? statement.Int(0) : 0;
}

Result<std::string> Db::QueryText(const char* sql) {
  ASSIGN_OR_RETURN(Statement statement, Prepare(sql));
  ASSIGN_OR_RETURN(bool row, statement.Step());
  return row ? std::string(statement.Text(0)) : std::string();
}

bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

int64_t Db::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

std::string ValuesSql(std::string_view prefix, int columns, size_t rows) {
  std::string row = "(";
  for (int column = 0; column < columns; ++column) row += column == 0 ? "?" : ", ?";
  row += ")";
  std::string sql(prefix);
  sql += " VALUES";
  for (size_t i = 0; i < rows; ++i) {
    sql += i == 0 ? "" : ", ";
    sql += row;
  }
  return sql;
}

}  // namespace tether::store::sqlite
