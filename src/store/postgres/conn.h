// Conn, Params and Rows: thin wrappers over a libpq connection, its statement parameters
// and its results, which turn libpq's status into Result values. Every statement goes out
// with binary parameters and asks for binary results, so integers and BYTEA cross without
// text conversions; results are read through Row, which checks every field's length (the
// database is as untrusted as a file) and latches its first error. Nothing here knows
// Tether's schema.
//
// Errors carry a code from the SQLSTATE: 23505 (unique) is kAlreadyExists, 23503 (foreign
// key) kFailedPrecondition, a lost connection kUnavailable; the SQLSTATE itself is kept in
// Conn::last_sqlstate() for callers that retry (40P01 deadlock, 40001 serialization).
//
// Ownership: a Conn owns its PGconn; Rows own their PGresult; spans from a Row point into
// it. Thread-safety: none; one thread at a time per Conn (the caller serialises).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

struct pg_conn;
struct pg_result;

namespace tether::store::postgres {

// Statement parameters, $1 ... $n in the order added.
class Params {
 public:
  Params& Int(int64_t value);
  Params& Text(std::string_view value);
  Params& Bytes(std::span<const uint8_t> value);
  Params& Bool(bool value);
  // A BYTEA[], BIGINT[] or TEXT[] (one dimension; empty allowed).
  Params& BytesArray(const std::vector<std::span<const uint8_t>>& values);
  Params& IntArray(const std::vector<int64_t>& values);
  Params& TextArray(const std::vector<std::string_view>& values);

  size_t size() const { return types_.size(); }

 private:
  friend class Conn;
  Params& Add(unsigned type, std::string value);

  std::vector<unsigned> types_;
  std::vector<std::string> values_;
};

class Rows;

// One row of a result. The first bad field (NULL, or a length its type cannot have) makes
// ok() false and later reads return zero values.
class Row {
 public:
  Row(const Rows& rows, int row) : rows_(rows), row_(row) {}
  int64_t Int(int column);  // int2, int4 or int8
  bool Bool(int column);
  std::string_view Text(int column);
  std::span<const uint8_t> Bytes(int column);
  bool ok() const { return ok_; }

 private:
  std::span<const uint8_t> Field(int column);

  const Rows& rows_;
  int row_;
  bool ok_ = true;
};

class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* result);
  int size() const;
  Row At(int row) const { return Row(*this, row); }
  // Rows affected by an INSERT, UPDATE or DELETE.
  int64_t affected() const;
  // The command tag ("COMMIT", or "ROLLBACK" for a COMMIT of a failed transaction).
  std::string_view command() const;
  pg_result* raw() const { return result_.get(); }

 private:
  struct Clear {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

class Conn {
 public:
  // Connects with `conninfo` (a libpq URI or key=value string) and sets the session up:
  // synchronous_commit=on (an answer only after the commit is durable), UTC, no notices.
  static Result<Conn> Connect(const std::string& conninfo);
  Conn() = default;
  ~Conn();
  Conn(Conn&& other) noexcept;
  Conn& operator=(Conn&& other) noexcept;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // One statement with parameters; binary results.
  Result<Rows> Query(std::string_view sql, const Params& params = {});
  // The same as a prepared statement, prepared on first use on this connection (and again
  // after a reconnection): the hot statements are parsed and planned once. `name` must
  // always come with the same `sql`.
  Result<Rows> Prepared(const char* name, std::string_view sql, const Params& params);
  Status Exec(std::string_view sql, const Params& params = {});
  // Several statements without parameters (migrations).
  Status Script(std::string_view sql);
  // One statement whose rows are handed to `sink` one by one as they arrive (libpq's
  // single-row mode), without holding the whole result. `sink` returning an error stops
  // the statement.
  Status Stream(std::string_view sql, const Params& params,
                const std::function<Status(Row&)>& sink);
  // COPY ... FROM STDIN (FORMAT binary): `next` appends one tuple (CopyTupleStart and
  // CopyField*) to its argument and returns true, or returns false at the end. Data goes
  // out in chunks, so a large copy is never held whole.
  Status CopyIn(std::string_view sql, const std::function<bool(std::string*)>& next);

  // For a connection that LISTENs, between statements: waits up to `timeout` for
  // notifications, and returns how many came (0: none in time), dropping them — what they
  // say is read from the tables. Notifications that arrived during earlier statements count
  // at once. kUnavailable if the connection is lost.
  Result<int> AwaitNotifications(std::chrono::milliseconds timeout);

  // Reconnects if the connection was lost (the server restarted); true if it is usable.
  bool Healthy();
  const std::string& last_sqlstate() const { return sqlstate_; }
  // True if the last error was a deadlock or serialization failure: the transaction (or
  // savepoint) may simply be retried.
  bool Retryable() const { return sqlstate_ == "40P01" || sqlstate_ == "40001"; }

 private:
  explicit Conn(pg_conn* conn) : conn_(conn) {}
  tl::unexpected<Error> Fail(std::string_view sql, pg_result* result);

  pg_conn* conn_ = nullptr;
  std::string sqlstate_;
  std::vector<std::string> prepared_;  // names prepared on this connection
};

// Binary COPY tuple building: a tuple is int16 field count, then per field int32 length
// and the bytes.
void CopyTupleStart(std::string* tuple, uint16_t fields);
void CopyFieldInt(std::string* tuple, int64_t value);
void CopyFieldBytes(std::string* tuple, std::span<const uint8_t> value);

}  // namespace tether::store::postgres
