// Times building an in-memory zone of N hosts (one A record each) with Zone::Apply, and
// reports the zone's memory per name. Usage: zone_apply_bench [N] [CHUNK]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "zone/zone.h"

int main(int argc, char** argv) {
  using namespace tether;
  size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  size_t chunk = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 250000;
  dns::Name origin = *dns::Name::FromText("bench.example.");
  std::vector<zone::NameUpdate> updates;
  updates.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    auto name = *dns::Name::FromText("host" + std::to_string(i) + ".bench.example.");
    uint8_t a[4] = {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    updates.push_back({std::move(name), {zone::Rrset{dns::RrType::kA, 60, {{a, a + 4}}}}});
  }
  zone::Zone zone(origin);
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < updates.size(); i += chunk) {
    std::vector<zone::NameUpdate> part(std::make_move_iterator(updates.begin() + static_cast<long>(i)),
                                       std::make_move_iterator(updates.begin() + static_cast<long>(std::min(i + chunk, updates.size()))));
    if (!zone.Apply(std::move(part))) return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  zone::ZoneStats stats = zone.Stats();
  std::printf("names %zu  apply %.3f s  (%.0f names/s)  arena %.1f B/name  table %.1f B/name\n", count, seconds,
              static_cast<double>(count) / seconds, static_cast<double>(stats.arena_bytes) / static_cast<double>(count),
              static_cast<double>(stats.table_bytes) / static_cast<double>(count));
  return 0;
}
