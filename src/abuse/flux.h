// Fast-flux and abuse detection on a host's update history (docs/detection.md). Detection
// flags, it never punishes (DESIGN.md): a verdict says whether a host belongs in `watch`
// and why; only an explicit operator rule with an expiry (EnforcementRule) turns a verdict
// into a stronger state, and applying it is the caller's business (an audited state change).
//
// The flux score follows Holz et al., "Measuring and Detecting Fast-Flux Service Networks"
// (NDSS 2008): f = 1.32 * n_A + 18.54 * n_ASN, flux when f > 142.38. There n_A and n_ASN
// came from two DNS lookups a TTL apart; here they count the addresses a host published,
// and their origin ASNs, in a window of its update history: 24 hours (fast flux) and 7
// days (slow flux), each with its own threshold.
//
// Without an AsnLookup, n_ASN is estimated as the larger of the number of distinct IPv4
// /16 and IPv6 /32 prefixes among the addresses (an ISP rarely hands one home addresses
// from more than one or two of them; bots sit in as many as there are bots).
//
// Thread-safety: pure functions; ExtractFeatures calls asn->Lookup, which must be
// thread-safe for callers that share one AsnLookup.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "abuse/asn_lookup.h"
#include "abuse/hostname_features.h"
#include "store/accounts.h"

namespace tether::abuse {

inline constexpr int64_t kDaySeconds = 24 * 3600;
inline constexpr int64_t kWeekSeconds = 7 * kDaySeconds;

// What one window (the `seconds` before `now`) of a host's history shows. Addresses are
// those the host's accepted rows ("good" and "nochg") published in their new value.
struct WindowFeatures {
  int64_t seconds = 0;
  size_t addresses = 0;          // distinct A and AAAA addresses: n_A
  size_t prefixes = 0;           // distinct IPv4 /24 and IPv6 /48 prefixes among them
  size_t asns = 0;               // distinct origin ASNs (or the estimate): n_ASN
  int64_t changes = 0;           // "good" rows
  int64_t nochg = 0;             // nochg polls, the folded ones included
  int64_t refused = 0;           // refused rows (badauth, abuse, ...)
  int64_t compared = 0;          // accepted rows with a readable source and addresses
  int64_t source_elsewhere = 0;  // of those, sent from outside every published /24 or /48

  double ChangesPerDay() const;
  double NochgShare() const;            // nochg / (changes + nochg); 0 without updates
  double SourceElsewhereShare() const;  // source_elsewhere / compared; 0 without rows
};

struct HostFeatures {
  int64_t host_id = 0;
  std::string fqdn;  // absolute, lower-case
  int64_t now = 0;
  WindowFeatures day;         // the last 24 hours
  WindowFeatures week;        // the last 7 days
  bool asn_estimated = true;  // asns counted from /16 and /32 prefixes (no AsnLookup)
  int64_t account_age = 0;    // seconds since the owner's account was created
  int64_t host_age = 0;       // seconds since the host was created
  std::string label;          // the host's first label, lower-case
  HostnameFeatures name;      // of that label
};

// An operator's explicit rule to act on verdicts automatically. There is none by default;
// a rule is in force only until it expires.
struct EnforcementRule {
  double min_score = 142.38;  // a watched host whose score is at least this
  store::AbuseState state = store::AbuseState::kFrozen;  // gets this state
  int64_t expires = 0;  // unix seconds; in force while now < expires
  std::string author;   // who made the rule, for the reason
};

// Brand and phishing words that put a host name into watch by default.
std::vector<std::string> DefaultBlockedWords();

// Thresholds; the defaults are documented in docs/detection.md.
struct DetectionRules {
  double weight_addresses = 1.32;  // Holz et al.
  double weight_asns = 18.54;      // Holz et al.
  double flux_threshold_day = 142.38;
  double flux_threshold_week = 142.38;
  int64_t max_changes_per_day = 48;  // more "good" rows in 24 h: watch
  int64_t young_account_seconds = kWeekSeconds;
  double young_account_share = 0.5;  // a young account at this share of the threshold
  double elsewhere_share = 0.9;      // updates sent from elsewhere, at least this share
  int64_t elsewhere_min_rows = 10;   //   of at least this many rows in 7 days,
  size_t elsewhere_min_asns = 4;     //   with at least this many ASNs in 7 days: watch
  std::vector<std::string> blocked_words = DefaultBlockedWords();  // lower-case: watch
  std::optional<EnforcementRule> enforcement;
};

struct FluxVerdict {
  double day_score = 0;
  double week_score = 0;
  bool watch = false;
  std::vector<std::string> reasons;  // why watch; empty when not
  // Set only when an EnforcementRule in force covers this verdict.
  std::optional<store::AbuseState> enforce;

  double score() const { return week_score > day_score ? week_score : day_score; }
  std::string Summary() const;  // the reasons joined by "; "
};

// REQUIRES: `history` holds the host's rows (any order; rows outside the last 7 days
// are ignored). `asn` may be null (n_ASN is then estimated, see above).
HostFeatures ExtractFeatures(const store::HostInfo& host, const store::UserInfo& owner,
                             std::span<const store::HistoryEntry> history, int64_t now,
                             const AsnLookup* asn);

FluxVerdict Score(const HostFeatures& features, const DetectionRules& rules = {});

}  // namespace tether::abuse
