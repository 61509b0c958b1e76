#include "store/postgres/conn.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace tether::store::postgres {

namespace {

// Type OIDs of pg_type (stable across versions).
constexpr unsigned kBool = 16;
constexpr unsigned kBytea = 17;
constexpr unsigned kInt8 = 20;
constexpr unsigned kText = 25;
constexpr unsigned kByteaArray = 1001;
constexpr unsigned kInt8Array = 1016;
constexpr unsigned kTextArray = 1009;

void PutBigEndian(std::string* out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

uint64_t GetBigEndian(std::span<const uint8_t> bytes) {
  uint64_t value = 0;
  for (uint8_t byte : bytes) value = (value << 8) | byte;
  return value;
}

// The binary array format: dimensions, a null flag, the element type, each dimension's size
// and lower bound, then each element's length and bytes.
template <class T, class Put>
std::string BinaryArray(unsigned element_type, const std::vector<T>& values, Put put) {
  std::string bytes;
  PutBigEndian(&bytes, values.empty() ? 0 : 1, 4);
  PutBigEndian(&bytes, 0, 4);
  PutBigEndian(&bytes, element_type, 4);
  if (!values.empty()) {
    PutBigEndian(&bytes, values.size(), 4);
    PutBigEndian(&bytes, 1, 4);
  }
  for (const auto& value : values) put(&bytes, value);
  return bytes;
}

std::string Trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

void IgnoreNotice(void*, const PGresult*) {}

}  // namespace

Params& Params::Add(unsigned type, std::string value) {
  types_.push_back(type);
  values_.push_back(std::move(value));
  return *this;
}

Params& Params::Int(int64_t value) {
  std::string bytes;
  PutBigEndian(&bytes, static_cast<uint64_t>(value), 8);
  return Add(kInt8, std::move(bytes));
}

Params& Params::Text(std::string_view value) { return Add(kText, std::string(value)); }

Params& Params::Bytes(std::span<const uint8_t> value) {
  if (value.empty()) return Add(kBytea, std::string());
  return Add(kBytea, std::string(reinterpret_cast<const char*>(value.data()), value.size()));
}

Params& Params::BytesArray(const std::vector<std::span<const uint8_t>>& values) {
  return Add(kByteaArray, BinaryArray(kBytea, values, [](std::string* out, std::span<const uint8_t> value) {
               PutBigEndian(out, value.size(), 4);
               out->append(reinterpret_cast<const char*>(value.data()), value.size());
             }));
}

Params& Params::IntArray(const std::vector<int64_t>& values) {
  return Add(kInt8Array, BinaryArray(kInt8, values, [](std::string* out, int64_t value) {
               PutBigEndian(out, 8, 4);
               PutBigEndian(out, static_cast<uint64_t>(value), 8);
             }));
}

Params& Params::TextArray(const std::vector<std::string_view>& values) {
  return Add(kTextArray, BinaryArray(kText, values, [](std::string* out, std::string_view value) {
               PutBigEndian(out, value.size(), 4);
               out->append(value.data(), value.size());
             }));
}

Params& Params::Bool(bool value) { return Add(kBool, std::string(1, value ? '\1' : '\0')); }

std::span<const uint8_t> Row::Field(int column) {
  PGresult* result = rows_.raw();
  if (!ok_ || result == nullptr || row_ >= PQntuples(result) || column >= PQnfields(result) ||
      PQgetisnull(result, row_, column) != 0) {
    ok_ = false;
    return {};
  }
  const auto* data = reinterpret_cast<const uint8_t*>(PQgetvalue(result, row_, column));
  return {data, static_cast<size_t>(PQgetlength(result, row_, column))};
}

int64_t Row::Int(int column) {
  std::span<const uint8_t> bytes = Field(column);
  switch (bytes.size()) {
    case 2:
      return static_cast<int16_t>(GetBigEndian(bytes));
    case 4:
      return static_cast<int32_t>(GetBigEndian(bytes));
    case 8:
      return static_cast<int64_t>(GetBigEndian(bytes));
    default:
      ok_ = false;
      return 0;
  }
}

bool Row::Bool(int column) {
  std::span<const uint8_t> bytes = Field(column);
  if (bytes.size() != 1) {
    ok_ = false;
    return false;
  }
  return bytes[0] != 0;
}

std::string_view Row::Text(int column) {
  std::span<const uint8_t> bytes = Field(column);
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::span<const uint8_t> Row::Bytes(int column) { return Field(column); }

Rows::Rows(PGresult* result) : result_(result) {}

void Rows::Clear::operator()(PGresult* result) const { PQclear(result); }

int Rows::size() const { return result_ ? PQntuples(result_.get()) : 0; }

int64_t Rows::affected() const {
  if (!result_) return 0;
  const char* count = PQcmdTuples(result_.get());
  return count != nullptr && *count != '\0' ? std::strtoll(count, nullptr, 10) : 0;
}

std::string_view Rows::command() const {
  const char* tag = result_ ? PQcmdStatus(result_.get()) : nullptr;
  return tag != nullptr ? std::string_view(tag) : std::string_view();
}

Result<Conn> Conn::Connect(const std::string& conninfo) {
  PGconn* raw = PQconnectdb(conninfo.c_str());
  if (raw == nullptr) return MakeError(ErrorCode::kUnavailable, "postgresql: out of memory");
  Conn conn(raw);
  if (PQstatus(raw) != CONNECTION_OK) {
    return MakeError(ErrorCode::kUnavailable,
                     "postgresql: cannot connect: " + Trimmed(PQerrorMessage(raw)));
  }
  PQsetNoticeReceiver(raw, IgnoreNotice, nullptr);
  // Durability (store.h): COMMIT returns only once the WAL is flushed on the server, and
  // on its synchronous standbys if the operator configured any.
  RETURN_IF_ERROR(conn.Script(
      "SET synchronous_commit = on; SET TIME ZONE 'UTC'; SET client_min_messages = warning"));
  return conn;
}

Conn::~Conn() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Conn::Conn(Conn&& other) noexcept
    : conn_(other.conn_), sqlstate_(std::move(other.sqlstate_)), prepared_(std::move(other.prepared_)) {
  other.conn_ = nullptr;
}

Conn& Conn::operator=(Conn&& other) noexcept {
  if (this != &other) {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = other.conn_;
    sqlstate_ = std::move(other.sqlstate_);
    prepared_ = std::move(other.prepared_);
    other.conn_ = nullptr;
  }
  return *this;
}

tl::unexpected<Error> Conn::Fail(std::string_view sql, PGresult* result) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  sqlstate_ = state != nullptr ? state : "";
  std::string message = Trimmed(result != nullptr ? PQresultErrorMessage(result) : nullptr);
  if (message.empty()) message = Trimmed(PQerrorMessage(conn_));
  ErrorCode code = ErrorCode::kIo;
  if (sqlstate_ == "23505") {
    code = ErrorCode::kAlreadyExists;
  } else if (sqlstate_ == "23503") {
    code = ErrorCode::kFailedPrecondition;
  } else if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK || sqlstate_.rfind("08", 0) == 0 ||
             sqlstate_.rfind("57P", 0) == 0) {
    code = ErrorCode::kUnavailable;
  }
  std::string statement(sql.substr(0, 60));
  return MakeError(code, "postgresql: " + message + " (in: " + statement +
                             (sql.size() > 60 ? "...)" : ")"));
}

Result<Rows> Conn::Query(std::string_view sql_view, const Params& params) {
  if (conn_ == nullptr) return MakeError(ErrorCode::kUnavailable, "postgresql: not connected");
  const std::string sql(sql_view);
  const int count = static_cast<int>(params.size());
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size(), 1);
  for (size_t i = 0; i < params.size(); ++i) {
    values[i] = params.values_[i].data();
    lengths[i] = static_cast<int>(params.values_[i].size());
  }
  Rows rows(PQexecParams(conn_, sql.c_str(), count, params.types_.data(), values.data(),
                         lengths.data(), formats.data(), /*resultFormat=*/1));
  const ExecStatusType status = rows.raw() != nullptr ? PQresultStatus(rows.raw()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return Fail(sql, rows.raw());
  sqlstate_.clear();
  return rows;
}

Result<Rows> Conn::Prepared(const char* name, std::string_view sql_view, const Params& params) {
  if (conn_ == nullptr) return MakeError(ErrorCode::kUnavailable, "postgresql: not connected");
  if (std::find(prepared_.begin(), prepared_.end(), name) == prepared_.end()) {
    const std::string sql(sql_view);
    Rows prepared(PQprepare(conn_, name, sql.c_str(), static_cast<int>(params.size()),
                            params.types_.data()));
    if (prepared.raw() == nullptr || PQresultStatus(prepared.raw()) != PGRES_COMMAND_OK) {
      return Fail(sql, prepared.raw());
    }
    prepared_.emplace_back(name);
  }
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size(), 1);
  for (size_t i = 0; i < params.size(); ++i) {
    values[i] = params.values_[i].data();
    lengths[i] = static_cast<int>(params.values_[i].size());
  }
  Rows rows(PQexecPrepared(conn_, name, static_cast<int>(params.size()), values.data(),
                           lengths.data(), formats.data(), /*resultFormat=*/1));
  const ExecStatusType status = rows.raw() != nullptr ? PQresultStatus(rows.raw()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return Fail(sql_view, rows.raw());
  sqlstate_.clear();
  return rows;
}

Status Conn::Exec(std::string_view sql, const Params& params) {
  ASSIGN_OR_RETURN(Rows rows, Query(sql, params));
  (void)rows;
  return Ok();
}

Status Conn::Script(std::string_view sql_view) {
  if (conn_ == nullptr) return MakeError(ErrorCode::kUnavailable, "postgresql: not connected");
  const std::string sql(sql_view);
  Rows rows(PQexec(conn_, sql.c_str()));
  const ExecStatusType status = rows.raw() != nullptr ? PQresultStatus(rows.raw()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return Fail(sql, rows.raw());
  sqlstate_.clear();
  return Ok();
}

Status Conn::Stream(std::string_view sql_view, const Params& params,
                    const std::function<Status(Row&)>& sink) {
  if (conn_ == nullptr) return MakeError(ErrorCode::kUnavailable, "postgresql: not connected");
  const std::string sql(sql_view);
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size(), 1);
  for (size_t i = 0; i < params.size(); ++i) {
    values[i] = params.values_[i].data();
    lengths[i] = static_cast<int>(params.values_[i].size());
  }
  if (PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), params.types_.data(),
                        values.data(), lengths.data(), formats.data(), 1) == 0) {
    return Fail(sql, nullptr);
  }
  (void)PQsetSingleRowMode(conn_);
  Status status = Ok();
  // Every result must be consumed before the connection takes another statement, also
  // after an error (of the server's or the sink's).
  while (PGresult* raw = PQgetResult(conn_)) {
    Rows rows(raw);
    const ExecStatusType state = PQresultStatus(raw);
    if (state == PGRES_SINGLE_TUPLE && status) {
      Row row = rows.At(0);
      status = sink(row);
    } else if (state != PGRES_SINGLE_TUPLE && state != PGRES_TUPLES_OK && status) {
      status = Fail(sql, raw);
    }
  }
  if (status) sqlstate_.clear();
  return status;
}

Status Conn::CopyIn(std::string_view sql_view, const std::function<bool(std::string*)>& next) {
  if (conn_ == nullptr) return MakeError(ErrorCode::kUnavailable, "postgresql: not connected");
  const std::string sql(sql_view);
  {
    Rows start(PQexec(conn_, sql.c_str()));
    if (start.raw() == nullptr || PQresultStatus(start.raw()) != PGRES_COPY_IN) {
      return Fail(sql, start.raw());
    }
  }
  // The binary COPY header: signature, flags, header extension length.
  std::string buffer("PGCOPY\n\377\r\n\0", 11);
  PutBigEndian(&buffer, 0, 4);
  PutBigEndian(&buffer, 0, 4);
  bool sent = true;
  auto flush = [&] {
    if (sent && !buffer.empty()) {
      sent = PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) == 1;
    }
    buffer.clear();
  };
  while (next(&buffer)) {
    if (buffer.size() >= (1 << 20)) flush();
  }
  PutBigEndian(&buffer, 0xffff, 2);  // the trailer: a field count of -1
  flush();
  const int ended = PQputCopyEnd(conn_, sent ? nullptr : "tether: sending failed");
  Status status = Ok();
  while (PGresult* raw = PQgetResult(conn_)) {
    Rows rows(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK && status) status = Fail(sql, raw);
  }
  if (status && (ended != 1 || !sent)) status = Fail(sql, nullptr);
  if (status) sqlstate_.clear();
  return status;
}

Result<int> Conn::AwaitNotifications(std::chrono::milliseconds timeout) {
  if (conn_ == nullptr) return MakeError(ErrorCode::kUnavailable, "postgresql: not connected");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    // Reads whatever the socket holds without blocking; libpq queues the notifications.
    if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) {
      return MakeError(ErrorCode::kUnavailable,
                       "postgresql: the connection is lost: " + Trimmed(PQerrorMessage(conn_)));
    }
    int count = 0;
    while (PGnotify* notify = PQnotifies(conn_)) {
      PQfreemem(notify);
      ++count;
    }
    if (count > 0) return count;
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return 0;
    pollfd socket{PQsocket(conn_), POLLIN, 0};
    if (socket.fd < 0) return MakeError(ErrorCode::kUnavailable, "postgresql: no socket");
    const int ready = ::poll(&socket, 1, static_cast<int>(std::min<int64_t>(left.count(), 60000)));
    if (ready < 0 && errno != EINTR) {
      return MakeError(ErrorCode::kIo, fmt::format("postgresql: poll: {}", std::strerror(errno)));
    }
  }
}

bool Conn::Healthy() {
  if (conn_ == nullptr) return false;
  if (PQstatus(conn_) == CONNECTION_OK) return true;
  PQreset(conn_);
  prepared_.clear();  // they went with the old session
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  return static_cast<bool>(Script("SET synchronous_commit = on; SET TIME ZONE 'UTC'"));
}

void CopyTupleStart(std::string* tuple, uint16_t fields) { PutBigEndian(tuple, fields, 2); }

void CopyFieldInt(std::string* tuple, int64_t value) {
  PutBigEndian(tuple, 8, 4);
  PutBigEndian(tuple, static_cast<uint64_t>(value), 8);
}

void CopyFieldBytes(std::string* tuple, std::span<const uint8_t> value) {
  PutBigEndian(tuple, value.size(), 4);
  tuple->append(reinterpret_cast<const char*>(value.data()), value.size());
}

}  // namespace tether::store::postgres
