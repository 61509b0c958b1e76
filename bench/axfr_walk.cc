// axfr_walk: how long updates of a zone wait while an AXFR copies it. Not a test; nothing
// here asserts on time.
//
//   axfr_walk [NAMES] [SECONDS]
//       Builds an in-memory zone of NAMES hosts (one A record each; default 1,000,000).
//       A transfer thread copies it with AxfrRecords (what an AXFR answer is built from)
//       over and over for SECONDS (default 10); meanwhile the main thread applies one
//       single-name change (Zone::Apply, a new address for a random host) every
//       millisecond and times each. Prints the copy time and the Apply latency (p50, p99,
//       max) of the Applies that overlapped a copy, and of those with no copy running
//       (a baseline run of the same length before the transfer thread starts).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "xfr/transfer_content.h"
#include "zone/zone.h"

namespace {

using namespace tether;
using Clock = std::chrono::steady_clock;

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

zone::Rrset ARrset(uint32_t address) {
  return zone::Rrset{dns::RrType::kA,
                     60,
                     {{static_cast<uint8_t>(address >> 24), static_cast<uint8_t>(address >> 16),
                       static_cast<uint8_t>(address >> 8), static_cast<uint8_t>(address)}}};
}

std::vector<uint8_t> Wire(const dns::Name& name) {
  return {name.wire().begin(), name.wire().end()};
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Report(const char* what, std::vector<double> ms) {
  if (ms.empty()) {
    std::printf("%-34s no samples\n", what);
    return;
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[static_cast<size_t>(q * static_cast<double>(ms.size() - 1))];
  };
  std::printf("%-34s %6zu applies: p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms\n", what, ms.size(),
              at(0.5), at(0.99), ms.back());
}

}  // namespace

int main(int argc, char** argv) {
  const size_t names = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const double seconds = argc > 2 ? std::strtod(argv[2], nullptr) : 10;
  const std::string origin = "dyn.example.net.";
  zone::Zone zone(N(origin));

  std::vector<uint8_t> soa = Wire(N("ns1." + origin));
  const std::vector<uint8_t> rname = Wire(N("hostmaster." + origin));
  soa.insert(soa.end(), rname.begin(), rname.end());
  for (uint32_t field : {1u, 3600u, 600u, 604800u, 60u}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      soa.push_back(static_cast<uint8_t>(field >> shift));
  }
  std::vector<dns::Name> hosts;
  hosts.reserve(names);
  {
    std::vector<zone::NameUpdate> updates;
    updates.push_back({N(origin),
                       {zone::Rrset{dns::RrType::kSoa, 3600, {soa}},
                        zone::Rrset{dns::RrType::kNs, 3600, {Wire(N("ns1." + origin))}}}});
    for (size_t i = 0; i < names; ++i) {
      hosts.push_back(N("host" + std::to_string(i) + "." + origin));
      updates.push_back({hosts.back(), {ARrset(0x0a000000u + static_cast<uint32_t>(i))}});
    }
    const auto start = Clock::now();
    if (!zone.Apply(std::move(updates))) return 1;
    std::printf("zone of %zu names built in %.0f ms\n", names, Ms(Clock::now() - start));
  }

  std::mt19937_64 random(42);
  uint32_t next_address = 0xc6336400u;
  // Applies one change a millisecond until `until`; returns the latencies, split by whether
  // a copy was running for the whole of an Apply (`copying` set before and after).
  auto apply_until = [&](Clock::time_point until, const std::atomic<int>* copying,
                         std::vector<double>* during, std::vector<double>* outside) {
    while (Clock::now() < until) {
      const dns::Name& host = hosts[random() % hosts.size()];
      const int before = copying != nullptr ? copying->load() : 0;
      const auto start = Clock::now();
      if (!zone.Apply({{host, {ARrset(next_address++)}}})) std::abort();
      const double ms = Ms(Clock::now() - start);
      zone.Maintain();
      const int after = copying != nullptr ? copying->load() : 0;
      (before != 0 || after != 0 ? during : outside)->push_back(ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };

  const auto length =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<double> baseline;
  apply_until(Clock::now() + length, nullptr, nullptr, &baseline);

  std::atomic<bool> stop{false};
  std::atomic<int> copying{0};
  std::vector<double> copy_ms;
  size_t records = 0;
  std::thread transfer([&] {
    while (!stop.load()) {
      copying.store(1);
      const auto start = Clock::now();
      auto copied = xfr::AxfrRecords(zone);
      copy_ms.push_back(Ms(Clock::now() - start));
      copying.store(0);
      if (!copied) std::abort();
      records = copied->count();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::vector<double> during;
  std::vector<double> outside;
  apply_until(Clock::now() + length, &copying, &during, &outside);
  stop.store(true);
  transfer.join();

  std::sort(copy_ms.begin(), copy_ms.end());
  std::printf("AxfrRecords: %zu copies of %zu records, %.0f ms median, %.0f ms max\n",
              copy_ms.size(), records, copy_ms[copy_ms.size() / 2], copy_ms.back());
  Report("Apply, no transfer thread", baseline);
  Report("Apply while a copy runs", during);
  Report("Apply between copies", outside);
  return 0;
}
