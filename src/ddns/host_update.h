// HostUpdate: what an HTTP update client (dyndns2, the DuckDNS URL, the REST API) asks of
// the hosts of one zone, as a request on the one update path. The decision "good" or
// "nochg" is taken on the zone's updater against the current content, so two clients
// racing on one host both get a true answer, and the answer comes only once the change is
// durable and published.
//
// Thread-safety: constructed on any thread; Apply/Done run on the zone's updater.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ddns/dyndns2.h"
#include "dns/name.h"
#include "update/update_request.h"
#include "zone/zone.h"

namespace tether::ddns {

// The change asked for one host, with "use the client's address" already resolved.
struct HostChange {
  dns::Name fqdn;
  AddressChange ipv4;  // kUnset here means "leave as it is"
  AddressChange ipv6;
  Toggle wildcard = Toggle::kUnchanged;  // *.fqdn CNAME fqdn
  std::optional<std::string> mx;         // "" removes the MX; else MX 10 <mx>
  std::optional<std::string> txt;        // set the TXT RRset to this one string
  bool clear_txt = false;
  bool offline = false;                  // owner parked it: no address records published
  uint32_t ttl = 60;
};

struct HostOutcome {
  // kRefused: the host's abuse state refuses updates (checked again on the updater).
  enum class Result { kGood, kNochg, kDnsErr, kRefused };
  Result result = Result::kDnsErr;
  // The host's addresses after the update, of the families the change named (all when it
  // named none): "v4", "v6" or "v4,v6".
  std::string addresses;
  std::string before;     // "A 198.51.100.7 AAAA 2001:db8::7" (for the history)
  std::string after;
  // False: before/after are not filled in (a nochg decided on the published content, where
  // they would be the host's content now: DescribePublished gives it when it is needed).
  bool described = true;
};

// Evaluates `changes` against the published content of `zone`, changing nothing; any
// thread. Returns the outcomes when every change is `nochg`, else nullopt (then the changes
// take the update path). The published content is durable, so a `nochg` decided here is a
// true answer: the request is ordered before any change still in flight, which was not
// answered yet either. Saves routers' periodic polls the trip through the zone's updater.
std::optional<std::vector<HostOutcome>> PublishedNochg(zone::Zone& zone, const std::vector<HostChange>& changes);
// The published content of `name` as HostOutcome::before describes it.
std::string DescribePublished(zone::Zone& zone, const dns::Name& name);

class HostUpdateRequest : public update::UpdateRequest {
 public:
  using Callback = std::function<void(std::vector<HostOutcome>)>;
  // `refused(fqdn)` (may be empty) tells, on the updater, whether the host's abuse state
  // refuses updates now: its change is then not applied (kRefused).
  using Refused = std::function<bool(const dns::Name& fqdn)>;
  HostUpdateRequest(std::vector<HostChange> changes, Callback done, Refused refused = nullptr)
      : changes_(std::move(changes)), done_(std::move(done)), refused_(std::move(refused)) {}
  // A request dropped without Done (its zone removed before it was queued, the service
  // stopping) answers dnserr for every host: its callback is always called once.
  ~HostUpdateRequest() override;
  HostUpdateRequest(const HostUpdateRequest&) = delete;
  HostUpdateRequest& operator=(const HostUpdateRequest&) = delete;

  // Never fails: each host's outcome is its own (a host that cannot be changed is left as
  // it is and answered dnserr or abuse).
  dns::Rcode Apply(update::ZoneView& view) override;
  bool AppliesAtomically() const override { return true; }
  void Done(const update::UpdateOutcome& outcome) override;

  // The outcomes of the last Apply.
  const std::vector<HostOutcome>& outcomes() const { return outcomes_; }

 private:
  std::vector<HostChange> changes_;
  std::vector<HostOutcome> outcomes_;
  Callback done_;
  Refused refused_;
};

}  // namespace tether::ddns
