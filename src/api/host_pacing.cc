#include "api/host_pacing.h"

namespace tether::api {

HostPacing::Entry& HostPacing::At(int64_t host, Clock::time_point now) {
  auto [it, inserted] = hosts_.try_emplace(host);
  Entry& entry = it->second;
  if (inserted) {
    entry.nochg = {nochg_burst_, now};
    entry.changes = {change_burst_, now};
  }
  entry.nochg.Refill(nochg_rate_, nochg_burst_, now);
  entry.changes.Refill(change_rate_, change_burst_, now);
  return entry;
}

HostPacing::Budget HostPacing::Check(int64_t host, Clock::time_point now) {
  MutexLock lock(mu_);
  Entry& entry = At(host, now);
  return {entry.nochg.tokens >= 1.0, entry.changes.tokens >= 1.0};
}

std::optional<std::string> HostPacing::SpendNochg(int64_t host, Clock::time_point now) {
  MutexLock lock(mu_);
  Entry& entry = At(host, now);
  if (entry.nochg.tokens >= 1.0) entry.nochg.tokens -= 1.0;
  return Note(entry, true, now);
}

std::optional<std::string> HostPacing::SpendChange(int64_t host, Clock::time_point now) {
  MutexLock lock(mu_);
  Entry& entry = At(host, now);
  if (entry.changes.tokens >= 1.0) entry.changes.tokens -= 1.0;
  return Note(entry, false, now);
}

std::optional<std::string> HostPacing::HistoryNote(int64_t host, bool nochg, Clock::time_point now) {
  MutexLock lock(mu_);
  return Note(At(host, now), nochg, now);
}

std::optional<std::string> HostPacing::Note(Entry& entry, bool nochg, Clock::time_point now) {
  if (nochg) {
    if (entry.nochg_since != Clock::time_point{} && now - entry.nochg_since < history_interval_) {
      ++entry.folded;
      return std::nullopt;
    }
    std::string note = entry.folded > 0 ? " (+" + std::to_string(entry.folded) + " before)" : "";
    entry.nochg_since = now;
    entry.folded = 0;
    return note;
  }
  std::string note = entry.folded > 0 ? " (after " + std::to_string(entry.folded) + " nochg)" : "";
  entry.folded = 0;
  return note;
}

}  // namespace tether::api
