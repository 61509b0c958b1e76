// Score and the rules of DetectionRules (abuse/flux.h); ExtractFeatures is in flux.cc.
#include <fmt/format.h>

#include "abuse/flux.h"
#include "base/time_text.h"

namespace tether::abuse {
namespace {

double FluxScore(const WindowFeatures& window, const DetectionRules& rules) {
  return rules.weight_addresses * static_cast<double>(window.addresses) +
         rules.weight_asns * static_cast<double>(window.asns);
}

std::string WindowName(const WindowFeatures& window) {
  return window.seconds == kDaySeconds ? "24 h" : "7 days";
}

// "31 addresses, 12 prefixes, 9 ASNs in 24 h"
std::string Counts(const HostFeatures& features, const WindowFeatures& window) {
  return fmt::format("{} addresses, {} prefixes, {} {} in {}", window.addresses, window.prefixes,
                     window.asns, features.asn_estimated ? "networks (/16, /32)" : "ASNs",
                     WindowName(window));
}

void CheckFlux(const HostFeatures& features, const DetectionRules& rules, FluxVerdict& verdict) {
  if (verdict.day_score > rules.flux_threshold_day) {
    verdict.reasons.push_back(fmt::format("flux score {:.1f} > {:.2f}: {}", verdict.day_score,
                                          rules.flux_threshold_day,
                                          Counts(features, features.day)));
  } else if (verdict.week_score > rules.flux_threshold_week) {
    verdict.reasons.push_back(fmt::format("flux score {:.1f} > {:.2f}: {}", verdict.week_score,
                                          rules.flux_threshold_week,
                                          Counts(features, features.week)));
  }
}

void CheckChangeRate(const HostFeatures& features, const DetectionRules& rules,
                     FluxVerdict& verdict) {
  if (features.day.changes > rules.max_changes_per_day) {
    verdict.reasons.push_back(fmt::format("{} address changes in 24 h > {}", features.day.changes,
                                          rules.max_changes_per_day));
  }
}

void CheckYoungAccount(const HostFeatures& features, const DetectionRules& rules,
                       FluxVerdict& verdict) {
  double bar = rules.young_account_share * rules.flux_threshold_week;
  if (features.account_age >= rules.young_account_seconds || verdict.week_score < bar) return;
  verdict.reasons.push_back(
      fmt::format("account {:.1f} days old with flux score {:.1f} >= {:.2f}: {}",
                  static_cast<double>(features.account_age) / kDaySeconds, verdict.week_score, bar,
                  Counts(features, features.week)));
}

void CheckSentElsewhere(const HostFeatures& features, const DetectionRules& rules,
                        FluxVerdict& verdict) {
  const WindowFeatures& week = features.week;
  if (week.compared < rules.elsewhere_min_rows || week.asns < rules.elsewhere_min_asns ||
      week.SourceElsewhereShare() < rules.elsewhere_share) {
    return;
  }
  verdict.reasons.push_back(
      fmt::format("{:.0f}% of {} updates in 7 days sent from outside the published prefixes; {}",
                  100 * week.SourceElsewhereShare(), week.compared, Counts(features, week)));
}

void CheckBlockedWord(const HostFeatures& features, const DetectionRules& rules,
                      FluxVerdict& verdict) {
  std::string word = FindBlockedWord(features.label, rules.blocked_words);
  if (!word.empty()) verdict.reasons.push_back(fmt::format("host name contains '{}'", word));
}

// The features a reviewer wants next to the reasons.
std::string Context(const HostFeatures& features) {
  const WindowFeatures& week = features.week;
  return fmt::format(
      "context: {:.1f} changes/day and {:.0f}% nochg in 7 days; {:.0f}% sent from elsewhere; "
      "account {:.0f} days old; name '{}' {} characters, {:.0f}% digits, entropy {:.2f} bits",
      week.ChangesPerDay(), 100 * week.NochgShare(), 100 * week.SourceElsewhereShare(),
      static_cast<double>(features.account_age) / kDaySeconds, features.label, features.name.length,
      100 * features.name.digit_ratio, features.name.entropy);
}

void ApplyEnforcement(const HostFeatures& features, const DetectionRules& rules,
                      FluxVerdict& verdict) {
  const std::optional<EnforcementRule>& rule = rules.enforcement;
  if (!verdict.watch || !rule || features.now >= rule->expires ||
      verdict.score() < rule->min_score) {
    return;
  }
  verdict.enforce = rule->state;
  verdict.reasons.push_back(fmt::format("operator rule by {} (score >= {:.2f}, until {}): {}",
                                        rule->author, rule->min_score, FormatTime(rule->expires),
                                        store::AbuseStateName(rule->state)));
}

}  // namespace

std::vector<std::string> DefaultBlockedWords() {
  return {"paypal", "appleid", "icloud", "microsoft", "office365", "outlook",  "netflix", "amazon",
          "signin", "login",   "verify", "wallet",    "metamask",  "coinbase", "binance", "webscr"};
}

FluxVerdict Score(const HostFeatures& features, const DetectionRules& rules) {
  FluxVerdict verdict;
  verdict.day_score = FluxScore(features.day, rules);
  verdict.week_score = FluxScore(features.week, rules);
  CheckFlux(features, rules, verdict);
  CheckChangeRate(features, rules, verdict);
  CheckYoungAccount(features, rules, verdict);
  CheckSentElsewhere(features, rules, verdict);
  CheckBlockedWord(features, rules, verdict);
  verdict.watch = !verdict.reasons.empty();
  if (!verdict.watch) return verdict;
  verdict.reasons.push_back(Context(features));
  ApplyEnforcement(features, rules, verdict);
  return verdict;
}

std::string FluxVerdict::Summary() const {
  std::string out;
  for (const std::string& reason : reasons) out += (out.empty() ? "" : "; ") + reason;
  return out;
}

}  // namespace tether::abuse
