// The synthetic mix (abuse/flux_mix.h) and the detector's precision and recall on it
// (abuse/flux_eval.h). A fixed seed: the numbers are the same on every run.
#include "abuse/flux_mix.h"

#include <gtest/gtest.h>

#include "abuse/flux_eval.h"
#include "abuse/history_value.h"

namespace tether::abuse {
namespace {

MixOptions SmallMix() {
  MixOptions options;
  options.seed = 20270101;
  options.homes = 2000;
  options.flux = 200;
  return options;
}

TEST(FluxMixTest, SameSeedSameHosts) {
  FluxMix a(SmallMix()), b(SmallMix());
  for (size_t i : {size_t{0}, size_t{17}, size_t{1999}, size_t{2000}, size_t{2199}}) {
    SyntheticHost x = a.Host(i), y = b.Host(i);
    EXPECT_EQ(x.host.fqdn, y.host.fqdn);
    ASSERT_EQ(x.history.size(), y.history.size());
    for (size_t k = 0; k < x.history.size(); ++k) {
      EXPECT_EQ(x.history[k].time, y.history[k].time);
      EXPECT_EQ(x.history[k].new_value, y.history[k].new_value);
    }
  }
}

TEST(FluxMixTest, HistoriesLookLikeTheServers) {
  FluxMix mix(SmallMix());
  size_t folded = 0;
  for (size_t i = 0; i < 50; ++i) {
    SyntheticHost host = mix.Host(i);
    EXPECT_FALSE(host.flux);
    int64_t last = 0;
    for (const store::HistoryEntry& entry : host.history) {
      EXPECT_GE(entry.time, last);
      EXPECT_LE(entry.time, mix.options().now);
      last = entry.time;
      EXPECT_FALSE(ParsePublishedAddresses(entry.new_value).empty()) << entry.new_value;
      EXPECT_NE(SummarizeResult(entry.result).kind, HistoryResult::kRefused) << entry.result;
      folded += entry.result.find(" before)") != std::string::npos ? 1 : 0;
    }
  }
  EXPECT_GT(folded, 0u);
  EXPECT_TRUE(mix.Host(2000).flux);
}

TEST(FluxMixTest, EveryKindOccurs) {
  MixEvaluation result = EvaluateMix(FluxMix(SmallMix()), DetectionRules{}, nullptr);
  for (const KindCounts& kind : result.by_kind) EXPECT_GT(kind.hosts, 0u);
}

TEST(FluxMixTest, PrecisionAndRecallWithEstimatedAsns) {
  MixEvaluation result = EvaluateMix(FluxMix(SmallMix()), DetectionRules{}, nullptr);
  EXPECT_EQ(result.true_positives + result.false_negatives, 200u);
  EXPECT_GE(result.Precision(), 0.95);
  EXPECT_GE(result.Recall(), 0.95);
  for (const std::string& mistake : result.mistakes) std::cout << mistake << "\n";
}

TEST(FluxMixTest, PrecisionAndRecallWithAnAsnLookup) {
  FluxMix mix(SmallMix());
  MixAsnLookup asns(mix);
  MixEvaluation result = EvaluateMix(mix, DetectionRules{}, &asns);
  EXPECT_GE(result.Precision(), 0.95);
  EXPECT_GE(result.Recall(), 0.95);
  for (const std::string& mistake : result.mistakes) std::cout << mistake << "\n";
}

}  // namespace
}  // namespace tether::abuse
