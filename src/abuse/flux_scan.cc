#include "abuse/flux_scan.h"

#include <algorithm>
#include <unordered_map>

namespace tether::abuse {

Result<std::vector<Finding>> ScanHosts(std::span<const store::HostInfo> hosts,
                                       std::span<const store::UserInfo> users,
                                       const HistoryReader& read_history, int64_t now,
                                       const DetectionRules& rules, const AsnLookup* asn,
                                       ScanOptions options) {
  std::unordered_map<int64_t, const store::UserInfo*> owners;
  for (const store::UserInfo& user : users) owners[user.id] = &user;
  store::UserInfo unknown_owner;
  unknown_owner.created = now;

  std::vector<Finding> findings;
  for (const store::HostInfo& host : hosts) {
    ASSIGN_OR_RETURN(std::vector<store::HistoryEntry> history, read_history(host));
    auto owner = owners.find(host.user_id);
    const store::UserInfo& user = owner != owners.end() ? *owner->second : unknown_owner;
    HostFeatures features = ExtractFeatures(host, user, history, now, asn);
    FluxVerdict verdict = Score(features, rules);
    if (!verdict.watch && !options.all) continue;
    findings.push_back({host, std::move(features), std::move(verdict)});
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return a.verdict.score() > b.verdict.score();
  });
  return findings;
}

Result<std::vector<Finding>> ScanStore(store::AccountStore& accounts, int64_t now,
                                       const DetectionRules& rules, const AsnLookup* asn,
                                       ScanOptions options) {
  ASSIGN_OR_RETURN(std::vector<store::HostInfo> hosts, accounts.ListHosts(std::nullopt));
  ASSIGN_OR_RETURN(std::vector<store::UserInfo> users, accounts.ListUsers());
  HistoryReader reader = [&accounts](const store::HostInfo& host) {
    return accounts.ReadHistory(host.id, kScanHistoryLimit);
  };
  return ScanHosts(hosts, users, reader, now, rules, asn, options);
}

}  // namespace tether::abuse
