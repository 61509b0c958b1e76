#include "abuse/flux.h"

#include <set>

#include <fmt/format.h>

#include "abuse/history_value.h"

namespace tether::abuse {
namespace {

// A prefix of `address` as a set key: the family in the top byte, then the prefix bits.
// REQUIRES: v4_bits <= 32, v6_bits <= 56.
uint64_t PrefixKey(const IpAddress& address, int v4_bits, int v6_bits) {
  if (address.is_v4()) {
    return (uint64_t{4} << 56) | (address.to_v4().to_uint() >> (32 - v4_bits));
  }
  auto bytes = address.to_v6().to_bytes();
  uint64_t high = 0;
  for (int i = 0; i < 8; ++i) high = high << 8 | bytes[static_cast<size_t>(i)];
  return (uint64_t{6} << 56) | (high >> (64 - v6_bits));
}

uint64_t FluxPrefix(const IpAddress& address) { return PrefixKey(address, 24, 48); }

// One accepted or refused history row, read once.
struct Row {
  int64_t time = 0;
  ResultSummary result;
  const std::vector<IpAddress>* addresses = nullptr;  // what the row published
  bool elsewhere = false;  // sent from outside every published /24 or /48
  bool compared = false;   // source and addresses were both readable
};

class WindowCounter {
 public:
  explicit WindowCounter(int64_t seconds) { features_.seconds = seconds; }

  void Add(const Row& row) {
    if (row.result.kind == HistoryResult::kRefused) {
      ++features_.refused;
      return;
    }
    features_.nochg += row.result.nochg_polls;
    if (row.result.kind == HistoryResult::kGood) ++features_.changes;
    features_.compared += row.compared ? 1 : 0;
    features_.source_elsewhere += row.elsewhere ? 1 : 0;
    addresses_.insert(row.addresses->begin(), row.addresses->end());
  }

  WindowFeatures Finish(const AsnLookup* asn) {
    features_.addresses = addresses_.size();
    std::set<uint64_t> prefixes, v4_16, v6_32;
    std::set<uint32_t> asns;
    for (const IpAddress& address : addresses_) {
      prefixes.insert(FluxPrefix(address));
      (address.is_v4() ? v4_16 : v6_32).insert(PrefixKey(address, 16, 32));
      if (asn == nullptr) continue;
      if (std::optional<uint32_t> number = asn->Lookup(address)) asns.insert(*number);
    }
    features_.prefixes = prefixes.size();
    features_.asns = asn != nullptr ? asns.size() : std::max(v4_16.size(), v6_32.size());
    return features_;
  }

 private:
  WindowFeatures features_;
  std::set<IpAddress> addresses_;
};

bool SentFromElsewhere(const IpAddress& source, const std::vector<IpAddress>& published) {
  for (const IpAddress& address : published) {
    if (FluxPrefix(address) == FluxPrefix(source)) return false;
  }
  return true;
}

double Share(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

double WindowFeatures::ChangesPerDay() const {
  return seconds > 0 ? static_cast<double>(changes) * kDaySeconds / static_cast<double>(seconds)
                     : 0;
}
double WindowFeatures::NochgShare() const { return Share(nochg, changes + nochg); }
double WindowFeatures::SourceElsewhereShare() const { return Share(source_elsewhere, compared); }

HostFeatures ExtractFeatures(const store::HostInfo& host, const store::UserInfo& owner,
                             std::span<const store::HistoryEntry> history, int64_t now,
                             const AsnLookup* asn) {
  HostFeatures features;
  features.host_id = host.id;
  features.fqdn = host.fqdn.ToText();
  features.now = now;
  features.asn_estimated = asn == nullptr;
  features.account_age = now - owner.created;
  features.host_age = now - host.created;
  features.label = std::string(host.fqdn.FirstLabel());
  for (char& c : features.label) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  features.name = ExtractHostnameFeatures(features.label);

  WindowCounter day(kDaySeconds), week(kWeekSeconds);
  // Polls repeat the same value: parse each distinct run of values once.
  std::string_view last_value;
  std::vector<IpAddress> addresses;
  bool parsed = false;
  for (const store::HistoryEntry& entry : history) {
    if (entry.time > now || entry.time <= now - kWeekSeconds) continue;
    Row row{entry.time, SummarizeResult(entry.result)};
    if (row.result.kind != HistoryResult::kRefused) {
      if (!parsed || entry.new_value != last_value) {
        addresses = ParsePublishedAddresses(entry.new_value);
        last_value = entry.new_value;
        parsed = true;
      }
      row.addresses = &addresses;
      std::optional<IpAddress> source = ParseSourceAddress(entry.source);
      row.compared = source.has_value() && !addresses.empty();
      row.elsewhere = row.compared && SentFromElsewhere(*source, addresses);
    }
    week.Add(row);
    if (entry.time > now - kDaySeconds) day.Add(row);
  }
  features.day = day.Finish(asn);
  features.week = week.Finish(asn);
  return features;
}

}  // namespace tether::abuse
