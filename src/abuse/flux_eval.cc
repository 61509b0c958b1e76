#include "abuse/flux_eval.h"

#include <fmt/format.h>

namespace tether::abuse {
namespace {

constexpr size_t kMaxMistakes = 100;

std::string Describe(const SyntheticHost& host, int64_t now, const FluxVerdict& verdict) {
  return fmt::format("{} {} (host {:.1f} h old) score {:.1f}: {}", MixKindName(host.kind),
                     host.host.fqdn.ToText(), static_cast<double>(now - host.host.created) / 3600,
                     verdict.score(), verdict.watch ? verdict.Summary() : "not watched");
}

}  // namespace

MixAsnLookup::MixAsnLookup(const FluxMix& mix) {
  for (const FluxMix::Isp& isp : mix.isps()) {
    for (uint32_t prefix : isp.v4_16) v4_16_.emplace(prefix, isp.asn);
    v6_32_.emplace(isp.v6_32, isp.asn);
  }
}

std::optional<uint32_t> MixAsnLookup::Lookup(const IpAddress& address) const {
  const std::unordered_map<uint32_t, uint32_t>& table = address.is_v4() ? v4_16_ : v6_32_;
  uint32_t key = 0;
  if (address.is_v4()) {
    key = address.to_v4().to_uint() >> 16;
  } else {
    auto bytes = address.to_v6().to_bytes();
    for (size_t i = 0; i < 4; ++i) key = key << 8 | bytes[i];
  }
  auto it = table.find(key);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

double MixEvaluation::Precision() const {
  size_t watched = true_positives + false_positives;
  return watched > 0 ? static_cast<double>(true_positives) / static_cast<double>(watched) : 1.0;
}

double MixEvaluation::Recall() const {
  size_t flux = true_positives + false_negatives;
  return flux > 0 ? static_cast<double>(true_positives) / static_cast<double>(flux) : 1.0;
}

MixEvaluation EvaluateMix(const FluxMix& mix, const DetectionRules& rules, const AsnLookup* asn) {
  MixEvaluation result;
  int64_t now = mix.options().now;
  for (size_t i = 0; i < mix.size(); ++i) {
    SyntheticHost host = mix.Host(i);
    FluxVerdict verdict =
        Score(ExtractFeatures(host.host, host.owner, host.history, now, asn), rules);
    KindCounts& kind = result.by_kind[static_cast<size_t>(host.kind)];
    ++kind.hosts;
    kind.watched += verdict.watch ? 1 : 0;
    (host.flux ? result.flux_scores : result.home_scores).push_back(verdict.score());
    if (host.flux) {
      ++(verdict.watch ? result.true_positives : result.false_negatives);
    } else {
      ++(verdict.watch ? result.false_positives : result.true_negatives);
    }
    if (verdict.watch != host.flux && result.mistakes.size() < kMaxMistakes) {
      result.mistakes.push_back(Describe(host, now, verdict));
    }
  }
  return result;
}

}  // namespace tether::abuse
