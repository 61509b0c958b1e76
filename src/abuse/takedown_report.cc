// The takedown preview's report (docs/abuse.md, "The preview"): what an order would touch,
// whom it would hit, what it leaves alone, and what the names will answer.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "abuse/takedown.h"
#include "base/time_text.h"

namespace tether::abuse {
namespace {

std::string Rate(double rate) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", rate);
  return text;
}

// The largest TTL among `rrsets` (0 if none).
uint32_t MaxTtl(const std::vector<zone::Rrset>& rrsets) {
  uint32_t ttl = 0;
  for (const zone::Rrset& rrset : rrsets) ttl = std::max(ttl, rrset.ttl);
  return ttl;
}

// How long resolvers may cache a negative answer of `zone` (RFC 2308 5: the SOA's TTL
// and MINIMUM, the smaller).
uint32_t NegativeTtl(zone::Zone& zone) {
  for (const zone::Rrset& rrset : zone.Get(zone.origin())) {
    if (rrset.type != dns::RrType::kSoa || rrset.rdatas.empty() || rrset.rdatas[0].size() < 4) continue;
    const auto& rdata = rrset.rdatas[0];
    const size_t at = rdata.size() - 4;
    const uint32_t minimum =
        (uint32_t{rdata[at]} << 24) | (uint32_t{rdata[at + 1]} << 16) | (uint32_t{rdata[at + 2]} << 8) | rdata[at + 3];
    return std::min(rrset.ttl, minimum);
  }
  return 0;
}

std::string Listing(const std::vector<std::string>& names, size_t shown) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < shown; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > shown) text += ", ... (" + std::to_string(names.size() - shown) + " more)";
  return text;
}

}  // namespace

std::string TakedownEngine::Report(const PreviewRequest& request, const Resolution& resolution) {
  const int64_t now = now_();
  const auto seconds = static_cast<double>(now);
  std::vector<dns::Name> ns;
  for (const std::string& text : request.ns) ns.push_back(dns::Name::FromText(text)->Lowercased());
  std::string out = "names listed: " + std::to_string(resolution.targets.size() + resolution.not_found.size()) +
                    " (found " + std::to_string(resolution.targets.size()) + ", not found " +
                    std::to_string(resolution.not_found.size()) + ")\n";
  out += "action: " + std::string(store::EnforceActionName(request.action)) + ": each name will answer " +
         ActionAnswer(request.action, ns, settings_) + "\n";
  out += "reason: " + (request.reason.empty() ? "-" : request.reason) + "\n";
  out += "reference: " + (request.reference.empty() ? "-" : request.reference) + "\n";
  out += "expires: " + (request.expires != 0 ? FormatTime(request.expires) : std::string("never (until restored)")) + "\n";
  if (request.force) out += "forced: yes (apexes, wildcards and names that are no host are acted on as listed)\n";

  // The zones: their whole query rate is the load a third party handed the zone would carry.
  std::map<dns::Name, std::shared_ptr<zone::Zone>> zones;
  for (const Target& target : resolution.targets) zones.emplace(target.zone, updates_.GetZone(target.zone));
  for (const auto& [origin, zone] : zones) {
    if (zone == nullptr) continue;
    out += "zone " + origin.ToText() + ": " + Rate(zone->RecentQueryRate(seconds)) +
           " queries/s recently for the whole zone (the load of handing over the zone), negative answers cached " +
           std::to_string(NegativeTtl(*zone)) + " s\n";
  }

  // The accounts hit, and their hosts the order leaves alone.
  std::map<int64_t, std::vector<std::string>> listed_by_account;
  std::set<std::string> listed;
  for (const Target& target : resolution.targets) {
    listed.insert(target.name.ToText());
    if (target.host) listed_by_account[target.host->user_id].push_back(target.name.ToText());
  }
  const bool approval = resolution.targets.size() > settings_.approve_above_names ||
                        listed_by_account.size() > settings_.approve_above_accounts;
  out += "accounts: " + std::to_string(listed_by_account.size()) + "; second approver " +
         (approval ? "needed (more than " + std::to_string(settings_.approve_above_names) + " names or " +
                         std::to_string(settings_.approve_above_accounts) + " accounts)"
                   : std::string("not needed")) +
         "\n";
  std::vector<int64_t> accounts;
  for (const auto& [user_id, names] : listed_by_account) accounts.push_back(user_id);
  auto hosts_of = directory_.HostsOf(accounts);
  for (const auto& [user_id, names] : listed_by_account) {
    auto user = directory_.UserById(user_id);
    std::vector<std::string> others;
    for (const store::HostInfo& host : hosts_of[user_id]) {
      if (!listed.contains(host.fqdn.ToText())) others.push_back(host.fqdn.ToText());
    }
    std::sort(others.begin(), others.end());
    out += "account " + (user ? user->name : "#" + std::to_string(user_id)) + ": " + std::to_string(names.size()) +
           " listed, " + std::to_string(others.size()) + " not listed and not touched" +
           (others.empty() ? "" : ": " + Listing(others, 10)) + "\n";
  }
  for (const dns::Name& name : resolution.not_found) out += "not found (skipped): " + name.ToText() + "\n";

  // One row a name.
  uint32_t cached = 0;
  out += "name\taccount\tlast update\tstate\tqueries/s\tTTL\tafter\n";
  const std::string after = ActionAnswer(request.action, ns, settings_);
  for (const Target& target : resolution.targets) {
    auto zone = zones[target.zone];
    uint32_t ttl = 0;
    if (zone != nullptr) {
      for (const dns::Name& name : target.owned) ttl = std::max(ttl, MaxTtl(zone->Get(name)));
    }
    cached = std::max(cached, ttl);
    std::string account = "-";
    std::string updated = "-";
    std::string state = "not a host";
    if (target.host) {
      const store::HostInfo& host = *target.host;
      if (auto user = directory_.UserById(host.user_id)) account = user->name;
      if (host.last_update != 0) updated = FormatTime(host.last_update);
      const bool recent = host.last_update != 0 && now - host.last_update <= settings_.active_days * 86400;
      state = host.lifecycle != store::Lifecycle::kActive ? store::LifecycleName(host.lifecycle)
              : recent                                    ? "active"
                                                          : "idle";
      if (host.abuse_state != store::AbuseState::kNone) state += std::string(", ") + store::AbuseStateName(host.abuse_state);
    }
    const double rate = zone != nullptr ? zone->RecentQueryRate(target.name, seconds) : 0;
    out += target.name.ToText() + "\t" + account + "\t" + updated + "\t" + state + "\t" + Rate(rate) + "\t" +
           std::to_string(ttl) + "\t" + after + "\n";
  }
  out += "caches: resolvers may serve the old answers for up to " + std::to_string(cached) +
         " s after apply (the largest TTL above), and the action's answers for up to " +
         std::to_string(settings_.ttl) + " s after a restore (negative answers: the zone's figure above)\n";
  return out;
}

}  // namespace tether::abuse
