#include "abuse/flux_mix.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "abuse/flux.h"
#include "abuse/flux_mix_parts.h"

namespace tether::abuse {
namespace {

using mix::HistoryWriter;
using mix::Rng;

constexpr int64_t kHistorySeconds = kWeekSeconds + 3600;
constexpr size_t kIspCount = 400;

struct Address {
  std::string v4, v6;
};

std::string Value(const Address& address) {
  return "A " + address.v4 + (address.v6.empty() ? "" : " AAAA " + address.v6);
}

// A home's published addresses: from each time on, until the next.
using Timeline = std::vector<std::pair<int64_t, Address>>;

uint32_t PublicTopOctet(Rng& rng) {
  for (;;) {
    auto octet = static_cast<uint32_t>(rng.Range(1, 223));
    if (octet != 10 && octet != 100 && octet != 127 && octet != 169 && octet != 172 &&
        octet != 192 && octet != 198 && octet != 203) {
      return octet;
    }
  }
}

std::vector<FluxMix::Isp> MakeIsps(uint64_t seed) {
  Rng rng(seed ^ 0x15b5eed5ull);
  std::vector<FluxMix::Isp> isps(kIspCount);
  double total = 0;
  for (size_t i = 0; i < isps.size(); ++i) {
    FluxMix::Isp& isp = isps[i];
    isp.asn = static_cast<uint32_t>(1000 + 17 * i);
    int64_t prefixes = rng.Range(1, 4);
    for (int64_t k = 0; k < prefixes; ++k) {
      isp.v4_16.push_back(PublicTopOctet(rng) << 8 | static_cast<uint32_t>(rng.Range(0, 255)));
    }
    isp.v6_32 = static_cast<uint32_t>((0x2a00 + rng.Range(0, 15)) << 16 | rng.Range(0, 0xffff));
    total += 1.0 / std::pow(static_cast<double>(i + 1), 0.9);  // Zipf-like popularity
    isp.weight = total;
  }
  return isps;
}

// The owner's account and the host's creation: most accounts are old, a few are days old.
void SetAges(Rng& rng, double young_share, int64_t now, SyntheticHost& out) {
  if (rng.Chance(young_share)) {
    out.owner.created = now - rng.Range(3600, 6 * kDaySeconds);
    out.host.created = out.owner.created + rng.Range(60, 3600);
    return;
  }
  out.owner.created = now - rng.Range(20 * kDaySeconds, 3000 * kDaySeconds);
  out.host.created = out.owner.created + rng.Range(0, now - 8 * kDaySeconds - out.owner.created);
}

void SetNames(size_t index, const std::string& label, SyntheticHost& out) {
  out.owner.id = out.host.id = out.host.user_id = static_cast<int64_t>(index) + 1;
  out.owner.name = label + std::to_string(index);
  out.host.fqdn = *dns::Name::FromText(label + ".dyn.example.net.");
}

// ---- homes ----

MixKind HomeKind(Rng& rng) {
  double u = rng.Unit();
  if (u < 0.07) return MixKind::kCgnatHome;
  if (u < 0.11) return MixKind::kMovingHome;
  if (u < 0.12) return MixKind::kRoamingLaptop;
  return MixKind::kHome;
}

// When a home's address changes next: daily reconnects near one hour, else at random.
int64_t NextChange(Rng& rng, int64_t after, double per_week, bool daily) {
  if (daily) return after + kDaySeconds + rng.Range(-600, 600);
  return after + 60 + static_cast<int64_t>(rng.Exponential(kWeekSeconds / per_week));
}

Timeline RouterTimeline(Rng& rng, const std::vector<FluxMix::Isp>& isps, MixKind kind,
                        int64_t start, int64_t now) {
  const FluxMix::Isp* isp = &mix::PickIsp(rng, isps);
  uint32_t prefix = rng.Pick(isp->v4_16);
  uint32_t other = isp->v4_16.size() > 1 ? isp->v4_16[isp->v4_16[0] == prefix ? 1 : 0] : prefix ^ 1;
  bool dual = rng.Chance(0.55), v6_rotates = rng.Chance(0.5);
  double kind_of_line = rng.Unit();
  bool daily = kind_of_line < 0.15;
  double per_week = kind_of_line < 0.35 ? 0.3 : static_cast<double>(rng.Range(1, 5));
  int64_t move_at = kind == MixKind::kMovingHome ? now - rng.Range(kDaySeconds, 6 * kDaySeconds)
                                                 : std::numeric_limits<int64_t>::max();
  Address current{mix::V4In(rng, prefix), dual ? mix::V6Site(rng, isp->v6_32) : ""};
  Timeline timeline{{start, current}};
  int64_t next =
      daily ? start + rng.Range(0, kDaySeconds) : NextChange(rng, start, per_week, false);
  for (int64_t t = std::min(next, move_at); t < now; t = std::min(next, move_at)) {
    if (t == move_at) {
      isp = &mix::PickIsp(rng, isps);
      prefix = rng.Pick(isp->v4_16);
      if (dual) current.v6 = mix::V6Site(rng, isp->v6_32);
      move_at = std::numeric_limits<int64_t>::max();
    } else {
      if (kind == MixKind::kCgnatHome && rng.Chance(0.5)) std::swap(prefix, other);
      if (dual && v6_rotates) current.v6 = mix::V6Site(rng, isp->v6_32);
      next = NextChange(rng, t, per_week, daily);
    }
    current.v4 = mix::V4In(rng, prefix);
    timeline.push_back({t, current});
  }
  return timeline;
}

// A laptop between 2-5 networks (home, office, travel), a new address at each visit.
Timeline RoamingTimeline(Rng& rng, const std::vector<FluxMix::Isp>& isps, int64_t start,
                         int64_t now) {
  std::vector<uint32_t> networks;
  int64_t count = rng.Range(2, 5);
  for (int64_t i = 0; i < count; ++i) networks.push_back(rng.Pick(mix::PickIsp(rng, isps).v4_16));
  size_t at = 0;
  Timeline timeline{{start, {mix::V4In(rng, networks[0]), ""}}};
  for (int64_t t = start + static_cast<int64_t>(rng.Exponential(1.5 * kDaySeconds)); t < now;
       t += 600 + static_cast<int64_t>(rng.Exponential(1.5 * kDaySeconds))) {
    at = (at + static_cast<size_t>(rng.Range(1, count - 1))) % networks.size();
    timeline.push_back({t, {mix::V4In(rng, networks[at]), ""}});
  }
  return timeline;
}

struct HomeClient {
  bool polls = true;           // else: changes only, and a forced refresh every 25-30 days
  int64_t poll_seconds = 300;  // 5-10 minutes
  bool over_v6 = false;        // sends its requests over IPv6 when it has an address
  std::string remote;          // a script on another network sends them; empty: the router
};

std::string SourceOf(const HomeClient& client, const Address& address) {
  if (!client.remote.empty()) return client.remote;
  return client.over_v6 && !address.v6.empty() ? address.v6 : address.v4;
}

void PollRequests(Rng& rng, const HomeClient& client, const Timeline& timeline, int64_t start,
                  int64_t now, HistoryWriter& writer) {
  size_t at = 0;
  for (int64_t t = start + rng.Range(0, client.poll_seconds); t <= now;
       t += client.poll_seconds + rng.Range(-5, 5)) {
    while (at + 1 < timeline.size() && timeline[at + 1].first <= t) ++at;
    writer.Request(t, SourceOf(client, timeline[at].second), Value(timeline[at].second));
  }
}

void ChangeRequests(Rng& rng, const HomeClient& client, const Timeline& timeline, int64_t start,
                    int64_t now, HistoryWriter& writer) {
  int64_t period = rng.Range(25, 30) * kDaySeconds;
  int64_t refresh = start - rng.Range(0, period) + period;
  size_t at = 0;
  for (size_t i = 1; i <= timeline.size(); ++i) {
    int64_t change = i < timeline.size() ? timeline[i].first + rng.Range(5, 120) : now + 1;
    for (; refresh < change && refresh <= now; refresh += period) {
      writer.Request(refresh, SourceOf(client, timeline[at].second), Value(timeline[at].second));
    }
    if (change > now) break;
    at = i;
    writer.Request(change, SourceOf(client, timeline[at].second), Value(timeline[at].second));
  }
}

SyntheticHost MakeHome(Rng& rng, const FluxMix& mix, size_t index) {
  SyntheticHost out;
  out.kind = HomeKind(rng);
  SetNames(index, mix::HomeLabel(rng), out);
  int64_t now = mix.options().now;
  SetAges(rng, 0.02, now, out);
  int64_t start = std::max(now - kHistorySeconds, out.host.created);
  Timeline timeline = out.kind == MixKind::kRoamingLaptop
                          ? RoamingTimeline(rng, mix.isps(), start, now)
                          : RouterTimeline(rng, mix.isps(), out.kind, start, now);
  HomeClient client;
  client.polls = rng.Chance(0.75);
  client.poll_seconds = rng.Range(300, 600);
  client.over_v6 = rng.Chance(0.3);
  if (out.kind != MixKind::kRoamingLaptop && rng.Chance(0.04)) {
    client.remote = mix::V4In(rng, rng.Pick(mix::PickIsp(rng, mix.isps()).v4_16));
  }
  bool created_now = out.host.created > now - kHistorySeconds;
  std::string credential =
      rng.Chance(0.5) ? "password:" + out.owner.name : "token:" + std::to_string(index);
  HistoryWriter writer(out.host.id, mix::HomeUserAgent(rng), credential,
                       created_now ? "-" : Value(timeline[0].second));
  if (client.polls) {
    PollRequests(rng, client, timeline, start, now, writer);
  } else {
    ChangeRequests(rng, client, timeline, start, now, writer);
  }
  out.history = writer.Take();
  return out;
}

// ---- flux networks ----

// The bots a network's host points at: addresses in ISPs by popularity, or in a few only.
std::vector<std::string> BotPool(Rng& rng, const std::vector<FluxMix::Isp>& isps) {
  std::vector<const FluxMix::Isp*> regional;
  if (rng.Chance(0.25)) {
    int64_t count = rng.Range(3, 8);
    for (int64_t i = 0; i < count; ++i) regional.push_back(&mix::PickIsp(rng, isps));
  }
  std::vector<std::string> bots(static_cast<size_t>(rng.Range(40, 2000)));
  for (std::string& bot : bots) {
    const FluxMix::Isp& isp = regional.empty() ? mix::PickIsp(rng, isps) : *rng.Pick(regional);
    bot = mix::V4In(rng, rng.Pick(isp.v4_16));
  }
  return bots;
}

SyntheticHost MakeFlux(Rng& rng, const FluxMix& mix, size_t index) {
  SyntheticHost out;
  out.flux = true;
  out.kind = rng.Chance(0.6) ? MixKind::kFastFlux : MixKind::kSlowFlux;
  SetNames(index, mix::FluxLabel(rng), out);
  int64_t now = mix.options().now;
  SetAges(rng, 0.6, now, out);
  double per_day =
      static_cast<double>(out.kind == MixKind::kFastFlux ? rng.Range(24, 150) : rng.Range(6, 14));
  std::vector<std::string> bots = BotPool(rng, mix.isps());
  int64_t records = rng.Chance(0.7) ? 1 : rng.Range(2, 4);
  std::vector<std::string> controllers;
  if (rng.Chance(0.6)) {
    int64_t count = rng.Range(1, 3);
    for (int64_t i = 0; i < count; ++i)
      controllers.push_back(mix::V4In(rng, rng.Pick(mix::PickIsp(rng, mix.isps()).v4_16)));
  }
  int64_t start = std::max(now - kHistorySeconds, out.host.created);
  bool created_now = out.host.created > now - kHistorySeconds;
  HistoryWriter writer(out.host.id, mix::FluxUserAgent(rng), "token:" + std::to_string(index),
                       created_now ? "-" : "A " + rng.Pick(bots));
  for (int64_t t = start + static_cast<int64_t>(rng.Exponential(kDaySeconds / per_day)); t <= now;
       t += 1 + static_cast<int64_t>(rng.Exponential(kDaySeconds / per_day))) {
    std::string value, first;
    for (int64_t r = 0; r < records; ++r) {
      const std::string& bot = rng.Pick(bots);
      value += (r > 0 ? " A " : "A ") + bot;
      if (r == 0) first = bot;
    }
    const std::string& source = controllers.empty() ? first : rng.Pick(controllers);
    writer.Request(t, source, value);
    if (rng.Chance(0.05)) writer.Request(t + 60, source, value);  // a resend: nochg
  }
  out.history = writer.Take();
  return out;
}

}  // namespace

const char* MixKindName(MixKind kind) {
  switch (kind) {
    case MixKind::kHome:
      return "home";
    case MixKind::kCgnatHome:
      return "cgnat-home";
    case MixKind::kMovingHome:
      return "moving-home";
    case MixKind::kRoamingLaptop:
      return "roaming-laptop";
    case MixKind::kFastFlux:
      return "fast-flux";
    case MixKind::kSlowFlux:
      return "slow-flux";
  }
  return "?";
}

FluxMix::FluxMix(MixOptions options) : options_(options), isps_(MakeIsps(options.seed)) {}

SyntheticHost FluxMix::Host(size_t index) const {
  Rng rng(options_.seed * 0x2545f4914f6cdd1dull + index);
  rng.Next();
  return index < options_.homes ? MakeHome(rng, *this, index) : MakeFlux(rng, *this, index);
}

}  // namespace tether::abuse
