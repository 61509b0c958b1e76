// Admin: the zone transfer commands (`tether zone secondary ...`, `tether zone
// allow-transfer`; docs/zone-transfers.md). Settings go to the store first, then the
// transfer service re-reads them.
#include <algorithm>
#include <ctime>

#include "app/admin.h"
#include "app/admin_output.h"
#include "base/cidr.h"
#include "base/json_text.h"
#include "base/log.h"
#include "xfr/secondary.h"
#include "xfr/transfer_apply.h"
#include "xfr/transfer_policy.h"
#include "xfr/xfr_service.h"

namespace tether::app {

namespace {

using admin_output::Fail;
using admin_output::kOk;
using admin_output::Usage;

Result<dns::Name> KeyName(const std::string& text) {
  auto name = dns::Name::FromText(text + (!text.empty() && text.back() == '.' ? "" : "."));
  if (!name) return InvalidArgument("bad key name '{}': {}", text, name.error().message);
  return name->Lowercased();
}

}  // namespace

Result<std::pair<int64_t, store::TransferSettings>> Admin::TransferSettingsOf(const std::string& text) {
  auto origin = dns::Name::FromText(text + (!text.empty() && text.back() == '.' ? "" : "."));
  if (!origin) return InvalidArgument("bad zone origin '{}': {}", text, origin.error().message);
  ASSIGN_OR_RETURN(auto info, store_.GetZone(origin->Lowercased()));
  if (!info) return NotFound("no dynamic zone {}", origin->Lowercased().ToText());
  ASSIGN_OR_RETURN(store::TransferSettings settings, store_.GetTransferSettings(info->id));
  return std::make_pair(info->id, std::move(settings));
}

Status Admin::KeyExists(const dns::Name& key) {
  ASSIGN_OR_RETURN(auto keys, store_.ListKeys());
  for (const auto& info : keys) {
    if (info.name.EqualsIgnoreCase(key)) return Ok();
  }
  return NotFound("no key {} (tether key add)", key.ToText());
}

Status Admin::SaveTransferSettings(int64_t zone_id, const store::TransferSettings& settings) {
  RETURN_IF_ERROR(store_.SetTransferSettings(zone_id, settings));
  if (transfers_ != nullptr) RETURN_IF_ERROR(transfers_->Reload());
  return Ok();
}

int Admin::ZoneSecondaryAdd(const control::Invocation& inv, control::CommandOutput& out) {
  auto address = xfr::ParsePeerAddress(inv.peer);
  if (!address) return Usage(out, address.error().message);
  auto current = TransferSettingsOf(inv.origin);
  if (!current) return Fail(out, current.error().message);
  auto& [zone_id, settings] = *current;
  store::Secondary secondary{address->text, std::nullopt};
  if (!inv.key_name.empty()) {
    auto key = KeyName(inv.key_name);
    if (!key) return Usage(out, key.error().message);
    if (auto exists = KeyExists(*key); !exists) return Fail(out, exists.error().message);
    secondary.key = *key;
  }
  // Adding an address again replaces its key.
  auto& list = settings.secondaries;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const store::Secondary& s) { return s.address == secondary.address; }),
             list.end());
  list.push_back(secondary);
  if (auto saved = SaveTransferSettings(zone_id, settings); !saved) return Fail(out, saved.error().message);
  spdlog::info("secondary {} added{}", secondary.address, secondary.key ? " with key " + secondary.key->ToText() : "");
  out.Out("id: " + secondary.address + "\n");
  return kOk;
}

int Admin::ZoneSecondaryList(const control::Invocation& inv, control::CommandOutput& out) {
  auto current = TransferSettingsOf(inv.origin);
  if (!current) return Fail(out, current.error().message);
  std::string text = inv.json ? "[" : "";
  bool first = true;
  for (const auto& secondary : current->second.secondaries) {
    if (inv.json) {
      text += std::string(first ? "" : ",") + "\n  {\"address\": " + JsonString(secondary.address) +
              ", \"key\": " + (secondary.key ? JsonString(secondary.key->ToText()) : "null") + "}";
    } else {
      text += secondary.address + "\t" + (secondary.key ? secondary.key->ToText() : "-") + "\n";
    }
    first = false;
  }
  if (inv.json) text += first ? "]\n" : "\n]\n";
  out.Out(text);
  return kOk;
}

int Admin::ZoneSecondaryRemove(const control::Invocation& inv, control::CommandOutput& out) {
  auto address = xfr::ParsePeerAddress(inv.peer);
  if (!address) return Usage(out, address.error().message);
  auto current = TransferSettingsOf(inv.origin);
  if (!current) return Fail(out, current.error().message);
  auto& [zone_id, settings] = *current;
  auto& list = settings.secondaries;
  const size_t before = list.size();
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const store::Secondary& s) { return s.address == address->text; }),
             list.end());
  if (list.size() == before) return Fail(out, "no secondary " + address->text);
  if (auto saved = SaveTransferSettings(zone_id, settings); !saved) return Fail(out, saved.error().message);
  return kOk;
}

int Admin::ZoneAllowTransfer(const control::Invocation& inv, control::CommandOutput& out) {
  auto current = TransferSettingsOf(inv.origin);
  if (!current) return Fail(out, current.error().message);
  auto& [zone_id, settings] = *current;
  std::vector<dns::Name> keys;
  for (const auto& text : inv.transfer_keys) {
    auto key = KeyName(text);
    if (!key) return Usage(out, key.error().message);
    if (!inv.remove) {
      if (auto exists = KeyExists(*key); !exists) return Fail(out, exists.error().message);
    }
    keys.push_back(*key);
  }
  std::vector<std::string> cidrs;
  for (const auto& text : inv.addresses) {
    auto cidr = Cidr::Parse(text);
    if (!cidr) return Usage(out, cidr.error().message);
    cidrs.push_back(cidr->ToString());
  }
  const bool changes = inv.clear || !keys.empty() || !cidrs.empty();
  if (inv.clear) {
    settings.keys.clear();
    settings.cidrs.clear();
  }
  for (const auto& key : keys) {
    auto found = std::find(settings.keys.begin(), settings.keys.end(), key);
    if (inv.remove && found != settings.keys.end()) settings.keys.erase(found);
    if (!inv.remove && found == settings.keys.end()) settings.keys.push_back(key);
  }
  for (const auto& cidr : cidrs) {
    auto found = std::find(settings.cidrs.begin(), settings.cidrs.end(), cidr);
    if (inv.remove && found != settings.cidrs.end()) settings.cidrs.erase(found);
    if (!inv.remove && found == settings.cidrs.end()) settings.cidrs.push_back(cidr);
  }
  if (changes) {
    if (auto saved = SaveTransferSettings(zone_id, settings); !saved) return Fail(out, saved.error().message);
  }
  std::string text = inv.json ? "[" : "";
  bool first = true;
  auto row = [&](const char* kind, const std::string& value) {
    if (inv.json) {
      text += std::string(first ? "" : ",") + "\n  {\"kind\": " + JsonString(kind) +
              ", \"value\": " + JsonString(value) + "}";
    } else {
      text += std::string(kind) + "\t" + value + "\n";
    }
    first = false;
  };
  for (const auto& key : settings.keys) row("key", key.ToText());
  for (const auto& cidr : settings.cidrs) row("address", cidr);
  if (inv.json) text += first ? "]\n" : "\n]\n";
  out.Out(text);
  return kOk;
}

bool Admin::IsSecondary(const dns::Name& origin) const {
  return secondaries_ != nullptr && secondaries_->IsSecondary(origin);
}

// The zone is transferred (AXFR) before anything is stored: a zone no primary serves is
// not created. Then it is created with the transferred content and its primaries.
int Admin::ZoneAddSecondary(const control::Invocation& inv, const dns::Name& origin,
                            control::CommandOutput& out) {
  if (secondaries_ == nullptr) return Fail(out, "this tetherd has no secondary zones");
  if (inv.service || !inv.import_file.empty() || !inv.ns.empty() || !inv.soa_email.empty()) {
    return Usage(out, "--primary does not go with --service, --import, --ns or --soa-email");
  }
  store::PrimarySettings settings;
  std::vector<xfr::PeerAddress> primaries;
  for (const auto& text : inv.primaries) {
    auto address = xfr::ParsePeerAddress(text);
    if (!address) return Usage(out, address.error().message);
    settings.primaries.push_back(address->text);
    primaries.push_back(std::move(*address));
  }
  std::optional<dns::TsigKey> key;
  if (!inv.key_name.empty()) {
    auto name = KeyName(inv.key_name);
    if (!name) return Usage(out, name.error().message);
    auto snapshot = access_.Get();
    if (const dns::TsigKey* found = snapshot->FindKey(*name)) key = *found;
    if (!key) return Fail(out, "no key " + name->ToText() + " (tether key add)");
    settings.key = *name;
  }
  out.Progress(0, 0, "transferring " + origin.ToText());
  auto transfer = xfr::InitialTransfer(origin, primaries, key ? &*key : nullptr, std::chrono::seconds(10));
  if (!transfer) return Fail(out, transfer.error().message);
  auto names = xfr::FullContent(origin, *transfer);
  if (!names) return Fail(out, names.error().message);
  auto created = store_.CreateZone(
      origin, store::SerialPolicy::kIncrement, *names,
      [&](size_t done, size_t total) { out.Progress(done, total, "storing names"); });
  if (!created) return Fail(out, created.error().message);
  settings.refreshed = static_cast<int64_t>(std::time(nullptr));
  if (auto saved = store_.SetPrimarySettings(created->id, settings); !saved) {
    (void)store_.DeleteZone(origin);
    return Fail(out, saved.error().message);
  }
  auto zone = std::make_shared<zone::Zone>(origin);
  if (auto applied = zone->Apply(std::move(*names)); !applied) return Fail(out, applied.error().message);
  secondaries_->AddZone(created->id, zone, settings);
  zones_.Put(zone);
  if (auto refreshed = RefreshAccess(); !refreshed) return Fail(out, refreshed.error().message);
  spdlog::info("secondary zone {} added: serial {}, {} names, from {}", origin.ToText(), transfer->serial,
               zone->Stats().nodes, settings.primaries.front());
  out.Out("id: " + origin.ToText() + "\n");
  return kOk;
}

}  // namespace tether::app
