// A fast 64-bit hash of byte strings for the in-memory tables on the query path.
// Seeded once per process from the OS so that names chosen by users cannot be crafted to
// collide. Thread-safe (the seed is written once before any table is built).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tether {

__extension__ typedef unsigned __int128 Uint128;

// The per-process seed; initialised before main() from std::random_device.
extern const uint64_t kHashSeed;

inline uint64_t HashMix(uint64_t a, uint64_t b) {
  Uint128 r = static_cast<Uint128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t HashBytes(const uint8_t* p, size_t n, uint64_t seed = kHashSeed) {
  constexpr uint64_t kP0 = 0xa0761d6478bd642full;
  constexpr uint64_t kP1 = 0xe7037ed1a0b428dbull;
  constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ull;
  uint64_t h = seed ^ HashMix(n ^ kP0, kP1);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = HashMix(h ^ w, kP1);
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = HashMix(h ^ w ^ (static_cast<uint64_t>(n) << 59), kP2);
  }
  return HashMix(h, kP0 ^ kP2);
}

// Maps keyed by strings that are looked up by string_view, so a lookup makes no key
// string; seeded like every table here (keys chosen by users cannot be made to collide).
struct StringKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const {
    return HashBytes(reinterpret_cast<const uint8_t*>(key.data()), key.size());
  }
};
template <class T>
using StringMap = std::unordered_map<std::string, T, StringKeyHash, std::equal_to<>>;

}  // namespace tether
