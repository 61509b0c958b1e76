// DdnsHandler: the update protocols routers and small clients speak — dyndns2
// (`/nic/update`, `/v3/update`) and the DuckDNS-style token URL (`/update`) — as described in
// docs/http-api.md. It authenticates (off the event loop when a password hash is needed),
// applies the limits, turns each host into a HostChange and sends them through the one
// update path, and answers with the exact words these clients parse once the changes are
// durable.
//
// Thread-safety: Handle* may be called from any event-loop thread concurrently.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/authenticator.h"
#include "accounts/directory.h"
#include "api/host_pacing.h"
#include "api/http_message.h"
#include "base/rate_limiter.h"
#include "base/work_pool.h"
#include "ddns/host_update.h"
#include "store/accounts.h"
#include "update/update_service.h"

namespace tether::api {

struct DdnsOptions {
  std::vector<std::string> blocked_agents;  // substrings of User-Agent answered `badagent`
  bool allow_wildcard = true;               // false: wildcard=ON is `!donator`
  bool allow_mx = true;                     // false: mx= is `!donator`
  uint32_t ttl = 60;
  // Updates without a change, per host: beyond this many per hour the host gets `abuse`.
  double nochg_per_hour = 30;
  // Changes: per host, account and client address (per minute, with that burst).
  double host_changes_per_minute = 10;
  double account_changes_per_minute = 600;
  double address_requests_per_minute = 1200;
  // Repeated `nochg` polls of one host are kept as one history entry per interval.
  std::chrono::seconds history_coalesce{3600};
};

class DdnsHandler {
 public:
  DdnsHandler(DdnsOptions options, accounts::Directory& directory, accounts::Authenticator& authenticator,
              update::UpdateService& updates, store::AccountStore& accounts, WorkPool& slow_work);

  void HandleDyndns2(HttpRequest request, Respond respond);
  void HandleDuck(HttpRequest request, Respond respond);

 private:
  struct Call;
  void Authenticate(std::shared_ptr<Call> call, std::function<void(std::shared_ptr<Call>)> next);
  void RunDyndns2(std::shared_ptr<Call> call);
  // The answer once the update path has decided every change.
  void AnswerDyndns2(Call& call, const std::vector<ddns::HostOutcome>& outcomes);
  void RunDuck(std::shared_ptr<Call> call);
  // Sends the changes zone by zone and calls `done` with one outcome per change, in order.
  // `checked`: the directory's HostsGeneration() read before the hosts' abuse states were
  // found not to refuse updates (the updater checks them again only if it moved).
  void Submit(std::vector<ddns::HostChange> changes, uint64_t checked,
              std::function<void(std::vector<ddns::HostOutcome>)> done);
  // The changes of one zone: answered from the published content if none changes anything,
  // else through the zone's updater.
  void SubmitZone(const dns::Name& origin, std::vector<ddns::HostChange> changes, uint64_t checked,
                  std::function<void(std::vector<ddns::HostOutcome>)> done);
  // Also logs the update if the host is watched. `note`: from pacing_ (HistoryNote or a
  // Spend*), nullopt when the entry is folded into an earlier one. `requested`: a refused
  // update's wish (what it would have set), kept as the entry's new value beside the
  // published content.
  void RecordHistory(const store::HostInfo& host, const Call& call,
                     const ddns::HostOutcome* outcome, std::string_view result,
                     std::optional<std::string> note, const std::string* requested = nullptr);

  const DdnsOptions options_;
  accounts::Directory& directory_;
  accounts::Authenticator& authenticator_;
  update::UpdateService& updates_;
  store::AccountStore& accounts_;
  WorkPool& slow_work_;
  HostPacing pacing_;              // per host: nochg and change budgets, history folding
  IdRateLimiter account_changes_;  // per user id
  RateLimiter address_requests_;
};

}  // namespace tether::api
