#include "xfr/condense.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace tether::xfr {

namespace {

// What happened to one RR over the run.
struct RrState {
  const store::JournalRr* before = nullptr;  // as it was at the start; null if absent then
  const store::JournalRr* after = nullptr;   // as it is at the end; null if absent now
};

// Owner (lower-case wire), type and RDATA: the identity of an RR in a diff.
std::string RrKey(const store::JournalRr& rr) {
  char buffer[dns::Name::kMaxWire];
  std::string key(rr.owner.LowercaseKey(buffer));
  const uint16_t type = dns::ToU16(rr.type);
  key.push_back(static_cast<char>(type >> 8));
  key.push_back(static_cast<char>(type));
  key.append(rr.rdata.begin(), rr.rdata.end());
  return key;
}

}  // namespace

store::JournalEntry Condense(std::span<const store::JournalEntry> entries) {
  std::unordered_map<std::string, size_t> index;
  std::vector<RrState> states;
  auto record = [&](const store::JournalRr& rr, bool add) {
    auto [it, fresh] = index.try_emplace(RrKey(rr), states.size());
    if (fresh) {
      states.emplace_back();
      // The first operation tells the state at the start: only a present RR is removed.
      if (!add) states.back().before = &rr;
    }
    states[it->second].after = add ? &rr : nullptr;
  };
  for (const store::JournalEntry& entry : entries) {
    // Each part's first RR is its SOA, taken from the first and last entries below.
    for (size_t i = 1; i < entry.removed.size(); ++i) record(entry.removed[i], false);
    for (size_t i = 1; i < entry.added.size(); ++i) record(entry.added[i], true);
  }

  store::JournalEntry out;
  out.seq = entries.back().seq;
  out.serial_from = entries.front().serial_from;
  out.serial_to = entries.back().serial_to;
  out.time = entries.back().time;
  out.removed.push_back(entries.front().removed.front());
  out.added.push_back(entries.back().added.front());
  for (const RrState& state : states) {
    const bool same =
        state.before != nullptr && state.after != nullptr && state.before->ttl == state.after->ttl;
    if (same) continue;
    if (state.before != nullptr) out.removed.push_back(*state.before);
    if (state.after != nullptr) out.added.push_back(*state.after);
  }
  return out;
}

}  // namespace tether::xfr
