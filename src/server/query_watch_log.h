// QueryWatchLog: the log line of each query for a watched host (docs/abuse.md, "Host
// states": `watch` logs the host's queries and updates in detail). The query path marks the
// answer (zone::AnswerResult::watched, from the name's kNodeStateLogQueries bit); the
// worker that sent it writes
//   watched host NAME: query TYPE from ADDRESS:PORT
// at info level, at most kLinesPerSecond lines a second per worker (a watched host under a
// flood must not turn the log into the bottleneck); lines left out are counted and the next
// line written says how many.
//
// Thread-safety: one per worker thread; not shared.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <span>

namespace tether::server {

class QueryWatchLog {
 public:
  static constexpr uint32_t kLinesPerSecond = 50;

  // `request` is the query message; `peer` its source.
  void Log(std::span<const uint8_t> request, const sockaddr* peer, socklen_t peer_length);

 private:
  int64_t second_ = 0;
  uint32_t lines_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace tether::server
