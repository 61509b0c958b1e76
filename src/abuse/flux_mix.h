// A synthetic, deterministic mix of hosts and their update histories for evaluating the
// flux detector (abuse/flux.h; docs/detection.md): home users as routers and update
// clients produce them, and fast-flux and slow-flux networks. Not used by the server.
//
// Homes: one ISP prefix, a few address changes a week (some ISPs reconnect daily, some
// addresses hardly change), dual stack for about half, nochg polls every 5-10 minutes
// folded into one history row an hour as the server folds them (api/host_pacing.h) or only
// changes and a forced refresh every 25-30 days, some behind CGNAT moving between two
// prefixes of one ISP, a few moving to another ISP once this week, a few laptops roaming
// between 2-5 networks, a few updated from another network (a script elsewhere).
// Flux hosts: bots drawn from the same ISPs, dozens to 150 addresses a day (fast) or about
// 6-14 (slow), some from a few ISPs only, updated by a controller or by the bots.
//
// Deterministic: Host(i) depends only on the options and i (no std:: distributions, whose
// output differs between standard libraries), so a mix can be streamed.
// Thread-safety: const methods may be called from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "store/accounts.h"

namespace tether::abuse {

enum class MixKind { kHome, kCgnatHome, kMovingHome, kRoamingLaptop, kFastFlux, kSlowFlux };
const char* MixKindName(MixKind kind);

struct MixOptions {
  uint64_t seed = 1;
  size_t homes = 2000;
  size_t flux = 200;
  int64_t now = 1798761600;  // 2027-01-01T00:00:00Z
};

struct SyntheticHost {
  MixKind kind = MixKind::kHome;
  bool flux = false;  // the truth the detector should find
  store::UserInfo owner;
  store::HostInfo host;
  std::vector<store::HistoryEntry> history;  // oldest first; the last 7 days and an hour
};

class FluxMix {
 public:
  explicit FluxMix(MixOptions options);

  size_t size() const { return options_.homes + options_.flux; }
  const MixOptions& options() const { return options_; }
  // REQUIRES: index < size(). Homes first, then flux hosts.
  SyntheticHost Host(size_t index) const;

  struct Isp {
    uint32_t asn = 0;
    std::vector<uint32_t> v4_16;  // its IPv4 /16s (the top 16 bits)
    uint32_t v6_32 = 0;           // its IPv6 /32 (the top 32 bits)
    double weight = 0;            // popularity (cumulative, for drawing)
  };
  const std::vector<Isp>& isps() const { return isps_; }

 private:
  MixOptions options_;
  std::vector<Isp> isps_;
};

}  // namespace tether::abuse
