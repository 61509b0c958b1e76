// Measuring the flux detector (abuse/flux.h) on a synthetic mix (abuse/flux_mix.h):
// precision and recall of `watch` against the mix's truth, counts per kind of host and
// the scores. Used by the unit test and bench/flux_eval; not by the server.
//
// Thread-safety: EvaluateMix has no shared state; MixAsnLookup is immutable after
// construction.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "abuse/flux.h"
#include "abuse/flux_mix.h"

namespace tether::abuse {

// The origin ASNs of the mix's addresses (each /16 belongs to one ISP), to evaluate the
// score with an ASN database instead of the prefix estimate.
class MixAsnLookup : public AsnLookup {
 public:
  explicit MixAsnLookup(const FluxMix& mix);
  std::optional<uint32_t> Lookup(const IpAddress& address) const override;

 private:
  std::unordered_map<uint32_t, uint32_t> v4_16_;  // the top 16 bits -> ASN
  std::unordered_map<uint32_t, uint32_t> v6_32_;  // the top 32 bits -> ASN
};

struct KindCounts {
  size_t hosts = 0;
  size_t watched = 0;
};

struct MixEvaluation {
  size_t true_positives = 0;   // flux, watched
  size_t false_positives = 0;  // home, watched
  size_t false_negatives = 0;  // flux, not watched
  size_t true_negatives = 0;
  std::array<KindCounts, 6> by_kind{};           // indexed by MixKind
  std::vector<double> home_scores, flux_scores;  // FluxVerdict::score() of each host
  std::vector<std::string> mistakes;             // the first few misclassified hosts, with reasons

  double Precision() const;
  double Recall() const;
};

MixEvaluation EvaluateMix(const FluxMix& mix, const DetectionRules& rules, const AsnLookup* asn);

}  // namespace tether::abuse
