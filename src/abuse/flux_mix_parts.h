// The parts of FluxMix (abuse/flux_mix.h) shared by its two files: the deterministic random
// source, addresses, names and the history a client's requests leave. Internal to the mix.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "abuse/flux_mix.h"
#include "store/accounts.h"

namespace tether::abuse::mix {

// SplitMix64: the same numbers on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  int64_t Range(int64_t lo, int64_t hi) {                                  // [lo, hi]
    return lo + static_cast<int64_t>(Unit() * static_cast<double>(hi - lo + 1));
  }
  bool Chance(double p) { return Unit() < p; }
  double Exponential(double mean) { return -mean * std::log(1.0 - Unit()); }
  template <class T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(Range(0, static_cast<int64_t>(items.size()) - 1))];
  }

 private:
  uint64_t state_;
};

// An ISP by popularity.
const FluxMix::Isp& PickIsp(Rng& rng, const std::vector<FluxMix::Isp>& isps);
std::string V4In(Rng& rng, uint32_t prefix16);    // a host address in that /16
std::string V6Site(Rng& rng, uint32_t prefix32);  // an address of a random /56 in that /32

std::string HomeLabel(Rng& rng);
std::string FluxLabel(Rng& rng);
std::string HomeUserAgent(Rng& rng);
std::string FluxUserAgent(Rng& rng);

// The rows a client's requests leave in a host's history, as the server writes them:
// "good" when the value changes (with " (after N nochg)"), repeated nochg folded into one
// row an hour (" (+N before)", api/host_pacing.h).
class HistoryWriter {
 public:
  HistoryWriter(int64_t host_id, std::string user_agent, std::string credential,
                std::string published);
  // A request to publish `value` from `source` at `time` (not before the last one).
  void Request(int64_t time, const std::string& source, const std::string& value);
  std::vector<store::HistoryEntry> Take() { return std::move(rows_); }

 private:
  void Row(int64_t time, const std::string& source, const std::string& value, std::string result);

  store::HistoryEntry base_;
  std::string published_;
  int64_t nochg_since_ = 0;  // 0: no nochg row yet
  int folded_ = 0;
  std::vector<store::HistoryEntry> rows_;
};

inline constexpr int64_t kFoldSeconds = 3600;  // history_coalesce_minutes = 60

}  // namespace tether::abuse::mix
