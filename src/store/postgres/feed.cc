#include "store/postgres/feed.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "store/postgres/rows.h"

namespace tether::store::postgres {

namespace {

// Entries one read returns at most: a follower far behind catches up in steps.
constexpr int64_t kBatch = 10000;

int64_t AsInt64(uint64_t value) {
  return static_cast<int64_t>(std::min<uint64_t>(value, std::numeric_limits<int64_t>::max()));
}

}  // namespace

Status RecordChange(Conn& conn, const FeedLimits& limits, ChangeKind kind, int64_t id,
                    std::string_view object, int64_t now) {
  // The trim deletes by primary key, and only when the new seq is a multiple of
  // trim_every (a one-time filter: the other entries cost no scan). NOTIFY of a rolled back
  // savepoint is dropped with it; several in one transaction are delivered as one.
  return conn
      .Prepared("feed_record",
                "WITH next AS (UPDATE feed SET seq = seq + 1 RETURNING seq), "
                "entry AS (INSERT INTO changes(seq, time, kind, id, object) "
                "SELECT seq, $1, $2, $3, $4 FROM next), "
                "trim AS (DELETE FROM changes WHERE (SELECT seq FROM next) % $6 = 0 "
                "AND seq <= (SELECT seq FROM next) - $5) "
                "SELECT seq, pg_notify('tether_changes', '') FROM next",
                Params()
                    .Int(now)
                    .Text(ChangeKindName(kind))
                    .Int(id)
                    .Text(object)
                    .Int(AsInt64(std::max<uint64_t>(limits.keep, 1)))
                    .Int(AsInt64(std::max<uint64_t>(limits.trim_every, 1))))
      .and_then([](Rows rows) -> Status {
        if (rows.size() != 1) return Damaged("feed counter (not one row)");
        return Ok();
      });
}

Result<uint64_t> FeedHead(Conn& conn) {
  ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT seq FROM feed"));
  if (rows.size() != 1) return Damaged("feed counter (not one row)");
  Row row = rows.At(0);
  const int64_t seq = row.Int(0);
  if (!row.ok() || seq < 0) return Damaged("feed counter");
  return static_cast<uint64_t>(seq);
}

Result<ChangeBatch> FeedReader::Wait(uint64_t after, std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  // Any failure drops the connection: the next call starts afresh, LISTEN first.
  auto failed = [&](const Error& error) {
    conn_ = Conn();
    listening_ = false;
    return tl::unexpected(error);
  };
  if (!listening_) {
    auto connected = Conn::Connect(conninfo_);
    if (!connected) return failed(connected.error());
    conn_ = std::move(*connected);
    if (Status listen = conn_.Exec("LISTEN tether_changes"); !listen) return failed(listen.error());
    listening_ = true;
  }
  while (true) {
    auto batch = Read(after);
    if (!batch) return failed(batch.error());
    if (!batch->changes.empty() || batch->lost) return batch;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return batch;
    // A notification or the end of the wait: read again either way (a notification is only
    // a hint; the read is what tells).
    if (auto woke = conn_.AwaitNotifications(left); !woke) return failed(woke.error());
  }
}

Result<ChangeBatch> FeedReader::Read(uint64_t after) {
  ASSIGN_OR_RETURN(Rows rows, conn_.Prepared("feed_read",
                                             "SELECT seq, kind, id, object FROM changes "
                                             "WHERE seq > $1 ORDER BY seq LIMIT $2",
                                             Params().Int(AsInt64(after)).Int(kBatch)));
  ChangeBatch batch;
  batch.changes.reserve(static_cast<size_t>(rows.size()));
  uint64_t expected = after + 1;
  for (int i = 0; i < rows.size(); ++i) {
    Row row = rows.At(i);
    const int64_t seq = row.Int(0);
    auto kind = ChangeKindFromName(row.Text(1));
    const int64_t id = row.Int(2);
    const std::string_view object = row.Text(3);
    if (!row.ok() || seq <= 0 || !kind) return Damaged(fmt::format("changes row {}", seq));
    // Seqs are gap-free (feed.h): a gap is entries trimmed before this reader got to them.
    if (static_cast<uint64_t>(seq) != expected) batch.lost = true;
    expected = static_cast<uint64_t>(seq) + 1;
    batch.changes.push_back(
        StoreChange{static_cast<uint64_t>(seq), *kind, id, std::string(object)});
  }
  if (batch.changes.empty() && after > 0) {
    // Nothing after `after`: the newest entry is never trimmed (FeedLimits::keep >= 1), so
    // either nothing came, or the feed is behind the reader (another database).
    ASSIGN_OR_RETURN(uint64_t head, FeedHead(conn_));
    if (head < after) batch.lost = true;
  }
  return batch;
}

}  // namespace tether::store::postgres
