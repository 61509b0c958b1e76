// Scanning many hosts with the flux detector (abuse/flux.h): what `tether abuse scan`
// runs. Reads each host's history through a caller-given reader, so it works on any store
// and on synthetic data alike; ScanStore is the same over an AccountStore.
//
// Thread-safety: no shared state; the reader and the AsnLookup are called from the
// calling thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "abuse/flux.h"
#include "base/result.h"
#include "store/accounts.h"

namespace tether::abuse {

struct Finding {
  store::HostInfo host;
  HostFeatures features;
  FluxVerdict verdict;
};

// A host's history rows of (at least) the last 7 days, in any order.
using HistoryReader =
    std::function<Result<std::vector<store::HistoryEntry>>(const store::HostInfo& host)>;

struct ScanOptions {
  bool all = false;  // return every host, not only those the verdict puts into watch
};

// Scores each of `hosts` (their owners looked up in `users`; a host whose owner is missing
// counts as an account created now) and returns the findings, highest score first. The
// first error of `read_history` ends the scan and is returned.
Result<std::vector<Finding>> ScanHosts(std::span<const store::HostInfo> hosts,
                                       std::span<const store::UserInfo> users,
                                       const HistoryReader& read_history, int64_t now,
                                       const DetectionRules& rules, const AsnLookup* asn,
                                       ScanOptions options = {});

// The newest rows ScanStore reads per host (a week of a host changing every minute).
inline constexpr size_t kScanHistoryLimit = 20000;

// ScanHosts over every host and user of `accounts`, each history read with
// ReadHistory(host, kScanHistoryLimit).
Result<std::vector<Finding>> ScanStore(store::AccountStore& accounts, int64_t now,
                                       const DetectionRules& rules, const AsnLookup* asn,
                                       ScanOptions options = {});

}  // namespace tether::abuse
