// flux_eval: precision and recall of the flux detector (src/abuse/flux.h) on a large
// synthetic mix (src/abuse/flux_mix.h), with the distribution of scores. Not a test: the
// unit test asserts the same on a small mix; this prints the numbers docs/detection.md
// quotes.
//
//   build/bench/tools/flux_eval [--homes 100000] [--flux 2000] [--seed 1] [--asn]
//
// --asn scores with ASNs from the mix's own ISP table instead of the prefix estimate.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "abuse/flux_eval.h"

namespace {

using tether::abuse::MixEvaluation;

double Percentile(std::vector<double> values, double share) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto index = static_cast<size_t>(share * static_cast<double>(values.size() - 1));
  return values[index];
}

void PrintDistribution(const char* what, const std::vector<double>& scores) {
  std::printf("%-5s scores: min %.1f  p1 %.1f  p5 %.1f  p50 %.1f  p95 %.1f  p99 %.1f  max %.1f\n",
              what, Percentile(scores, 0), Percentile(scores, 0.01), Percentile(scores, 0.05),
              Percentile(scores, 0.5), Percentile(scores, 0.95), Percentile(scores, 0.99),
              Percentile(scores, 1));
}

void PrintHistogram(const MixEvaluation& result) {
  const double edges[] = {0, 25, 50, 75, 100, 142.38, 200, 400, 800, 1600, 1e18};
  std::printf("%-16s %10s %10s\n", "score", "homes", "flux");
  for (size_t i = 0; i + 1 < std::size(edges); ++i) {
    auto in = [&](double s) { return s >= edges[i] && s < edges[i + 1]; };
    auto homes = std::count_if(result.home_scores.begin(), result.home_scores.end(), in);
    auto flux = std::count_if(result.flux_scores.begin(), result.flux_scores.end(), in);
    std::string range = i + 2 < std::size(edges) ? fmt::format("[{}, {})", edges[i], edges[i + 1])
                                                 : fmt::format(">= {}", edges[i]);
    std::printf("%-16s %10ld %10ld\n", range.c_str(), static_cast<long>(homes),
                static_cast<long>(flux));
  }
}

void PrintKinds(const MixEvaluation& result) {
  std::printf("%-16s %10s %10s\n", "kind", "hosts", "watched");
  for (size_t kind = 0; kind < result.by_kind.size(); ++kind) {
    std::printf("%-16s %10zu %10zu\n",
                tether::abuse::MixKindName(static_cast<tether::abuse::MixKind>(kind)),
                result.by_kind[kind].hosts, result.by_kind[kind].watched);
  }
}

}  // namespace

int main(int argc, char** argv) {
  tether::abuse::MixOptions options;
  options.homes = 100000;
  options.flux = 2000;
  bool use_asn = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--homes" && has_value) {
      options.homes = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--flux" && has_value) {
      options.flux = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--seed" && has_value) {
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--asn") {
      use_asn = true;
    } else {
      std::fprintf(stderr, "usage: flux_eval [--homes N] [--flux N] [--seed S] [--asn]\n");
      return 2;
    }
  }
  auto start = std::chrono::steady_clock::now();
  tether::abuse::FluxMix mix(options);
  tether::abuse::MixAsnLookup asns(mix);
  MixEvaluation result =
      EvaluateMix(mix, tether::abuse::DetectionRules{}, use_asn ? &asns : nullptr);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::printf("mix: %zu homes, %zu flux hosts, seed %llu, n_ASN %s; %.1f s\n", options.homes,
              options.flux, static_cast<unsigned long long>(options.seed),
              use_asn ? "from the ISP table" : "estimated from /16 and /32 prefixes", seconds);
  std::printf("precision %.4f  recall %.4f  (tp %zu, fp %zu, fn %zu, tn %zu)\n", result.Precision(),
              result.Recall(), result.true_positives, result.false_positives,
              result.false_negatives, result.true_negatives);
  PrintKinds(result);
  PrintDistribution("homes", result.home_scores);
  PrintDistribution("flux", result.flux_scores);
  PrintHistogram(result);
  for (const std::string& mistake : result.mistakes) std::printf("mistake: %s\n", mistake.c_str());
  return 0;
}
