#include "abuse/watch.h"

namespace tether::abuse {

void SyncQueryLogging(update::UpdateService& updates, const store::HostInfo& host) {
  auto zone = updates.GetZone(host.fqdn.Parent());
  if (zone == nullptr) return;
  zone->SetNameState(host.fqdn, zone::kNodeStateLogQueries, host.abuse_state == store::AbuseState::kWatch);
}

void SyncQueryLogging(update::UpdateService& updates, const accounts::Directory& directory) {
  for (const store::HostInfo& host :
       directory.HostsIf([](const store::HostInfo& h) { return h.abuse_state == store::AbuseState::kWatch; })) {
    SyncQueryLogging(updates, host);
  }
}

}  // namespace tether::abuse
