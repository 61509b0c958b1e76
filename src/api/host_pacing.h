// HostPacing: what the update protocols keep per host, in one table entry so that a
// router's poll costs one lookup (with millions of hosts, each table a request touches is
// a cache miss): the budget of updates without a change (`abuse` beyond it), the budget of
// changes (`911` beyond it), and the folding of repeated `nochg` polls into one history
// entry per interval.
//
// The table holds the hosts that sent updates since the start (bounded by the number of
// hosts); an idle host's entry is small (56 bytes in a flat open-addressing table, at most 5/8
// full: one cache line per lookup, where a node-based map reads a bucket and a node or two).
//
// Thread-safety: thread-safe; a short mutex per call.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/rate_limiter.h"

namespace tether::api {

class HostPacing {
 public:
  using Clock = std::chrono::steady_clock;

  HostPacing(double nochg_per_hour, double changes_per_minute, std::chrono::seconds history_interval)
      : nochg_rate_(nochg_per_hour / 3600.0),
        nochg_burst_(nochg_per_hour),
        change_rate_(changes_per_minute / 60.0),
        change_burst_(changes_per_minute),
        history_interval_(history_interval) {}

  struct Budget {
    bool nochg = true;   // an update without a change is still allowed
    bool change = true;  // a change is still allowed
  };
  Budget Check(int64_t host, Clock::time_point now);

  // For a history entry of `host` (a nochg if `nochg`): nullopt if it is folded into the
  // host's last nochg entry (within the interval), else the text to append to its result:
  // "" or how many nochg polls were folded before it (" (+N before)", " (after N nochg)").
  std::optional<std::string> HistoryNote(int64_t host, bool nochg, Clock::time_point now);
  // Spend one update without a change / one change, and return the update's HistoryNote:
  // one lookup for both.
  std::optional<std::string> SpendNochg(int64_t host, Clock::time_point now);
  std::optional<std::string> SpendChange(int64_t host, Clock::time_point now);

 private:
  struct Entry {
    TokenBucket nochg;
    TokenBucket changes;
    Clock::time_point nochg_since{};  // when the host's last nochg entry was written
    int folded = 0;                   // nochg polls folded into it since
  };
  struct Slot {
    int64_t host = kFree;
    Entry entry;
  };
  static constexpr int64_t kFree = INT64_MIN;  // no host id

  Entry& At(int64_t host, Clock::time_point now) REQUIRES(mu_);
  void Grow() REQUIRES(mu_);
  std::optional<std::string> Note(Entry& entry, bool nochg, Clock::time_point now) REQUIRES(mu_);

  const double nochg_rate_;
  const double nochg_burst_;
  const double change_rate_;
  const double change_burst_;
  const std::chrono::seconds history_interval_;
  Mutex mu_;
  std::vector<Slot> slots_ GUARDED_BY(mu_);  // a power of two of them
  size_t used_ GUARDED_BY(mu_) = 0;
};

}  // namespace tether::api
