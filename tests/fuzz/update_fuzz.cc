// Fuzzes RFC 2136 processing: any bytes -> ParseMessage -> ApplyUpdateMessage on a view of
// a small zone -> the resulting changes must be accepted by the in-memory zone (so nothing
// the update path lets through can fail to publish after it was committed).
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "dns/rdata.h"
#include "dns/wire/message.h"
#include "update/rfc2136.h"
#include "update/zone_view.h"
#include "zone/zone.h"

namespace {

using namespace tether;

std::shared_ptr<zone::Zone> MakeZone() {
  auto origin = *dns::Name::FromText("example.");
  auto zone = std::make_shared<zone::Zone>(origin);
  auto rdata = [](dns::RrType type, const char* text) { return *dns::RdataFromString(type, text, dns::Name()); };
  std::vector<zone::NameUpdate> names = {
      {origin,
       {zone::Rrset{dns::RrType::kSoa, 3600, {rdata(dns::RrType::kSoa, "ns.example. h.example. 1 60 60 60 60")}},
        zone::Rrset{dns::RrType::kNs, 3600, {rdata(dns::RrType::kNs, "ns.example.")}}}},
      {*dns::Name::FromText("host.example."), {zone::Rrset{dns::RrType::kA, 60, {rdata(dns::RrType::kA, "192.0.2.1")}}}},
      {*dns::Name::FromText("www.example."), {zone::Rrset{dns::RrType::kCname, 60, {rdata(dns::RrType::kCname, "host.example.")}}}},
  };
  if (!zone->Apply(std::move(names))) std::abort();
  return zone;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto message = dns::ParseMessage({data, size});
  if (!message || message->questions.size() != 1) return 0;
  auto zone = MakeZone();
  update::ZoneView view(*zone);
  update::ZoneView savepoint(view);
  if (update::ApplyUpdateMessage(*message, nullptr, savepoint) != dns::Rcode::kNoError) return 0;
  savepoint.MergeIntoParent();
  update::ZoneView::Changes changes = view.CollectChanges();
  // Whatever the update path accepts must publish.
  if (!zone->Apply(std::move(changes.names))) std::abort();
  return 0;
}
