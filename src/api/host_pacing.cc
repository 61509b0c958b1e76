#include "api/host_pacing.h"

#include <utility>

#include "base/hash.h"

namespace tether::api {

namespace {

// Host ids are sequential: mixed, so that neighbours do not fill runs of slots.
size_t SlotOf(int64_t host, size_t mask) {
  return static_cast<size_t>(HashMix(static_cast<uint64_t>(host), 0x9e3779b97f4a7c15ull)) & mask;
}

}  // namespace

void HostPacing::Grow() {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots_.empty() ? 1024 : slots_.size() * 2));
  const size_t mask = slots_.size() - 1;
  for (Slot& slot : old) {
    if (slot.host == kFree) continue;
    size_t i = SlotOf(slot.host, mask);
    while (slots_[i].host != kFree) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

HostPacing::Entry& HostPacing::At(int64_t host, Clock::time_point now) {
  // At most 5/8 full (counting the one this call may add): probe runs stay short.
  if ((used_ + 1) * 8 > slots_.size() * 5) Grow();
  const size_t mask = slots_.size() - 1;
  size_t i = SlotOf(host, mask);
  while (slots_[i].host != host && slots_[i].host != kFree) i = (i + 1) & mask;
  Slot& slot = slots_[i];
  Entry& entry = slot.entry;
  if (slot.host == kFree) {
    slot.host = host;
    ++used_;
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
