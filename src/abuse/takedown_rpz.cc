// The RPZ feed (docs/abuse.md): every policy zone served here follows the orders in force.
#include "abuse/takedown.h"
#include "update/function_request.h"

namespace tether::abuse {
namespace {

// Every policy zone of the store that this node updates.
Result<std::vector<dns::Name>> PolicyZones(store::Store& store, update::UpdateService& updates) {
  ASSIGN_OR_RETURN(std::vector<store::ZoneInfo> zones, store.ListZones());
  std::vector<dns::Name> out;
  for (const store::ZoneInfo& info : zones) {
    if (info.rpz && updates.IsDynamic(info.origin)) out.push_back(info.origin);
  }
  return out;
}

}  // namespace

Result<std::vector<zone::NameUpdate>> TakedownEngine::RpzContent(const dns::Name& rpz) {
  ASSIGN_OR_RETURN(std::vector<store::Takedown> all, store_.takedowns().ListTakedowns());
  std::vector<zone::NameUpdate> out;
  for (const store::Takedown& listed : all) {
    if (listed.status != store::TakedownStatus::kApplied) continue;
    ASSIGN_OR_RETURN(auto order, store_.takedowns().GetTakedown(listed.id));
    if (!order) continue;
    for (zone::NameUpdate& entry : RpzEntries(RpzTargetsOf(*order), order->action, rpz, settings_, true)) {
      out.push_back(std::move(entry));
    }
  }
  return out;
}

Status TakedownEngine::UpdateRpz(const std::vector<RpzTarget>& targets, store::EnforceAction action,
                                 bool in_force) {
  ASSIGN_OR_RETURN(std::vector<dns::Name> zones, PolicyZones(store_, updates_));
  for (const dns::Name& rpz : zones) {
    std::vector<zone::NameUpdate> entries = RpzEntries(targets, action, rpz, settings_, in_force);
    auto done = update::RunInZone(updates_, rpz, [&](update::ZoneView& view) {
      for (const zone::NameUpdate& entry : entries) {
        if (view.Get(entry.name) != entry.rrsets) view.Set(entry.name, entry.rrsets);
      }
      return dns::Rcode::kNoError;
    });
    if (!done && done.error().code == ErrorCode::kNotFound) continue;  // removed meanwhile
    if (!done || done->rcode != dns::Rcode::kNoError) {
      return MakeError(ErrorCode::kUnavailable, "updating the policy zone " + rpz.ToText());
    }
  }
  return Ok();
}

}  // namespace tether::abuse
