// Admin: the zone transfer commands (`tether zone secondary ...`, `tether zone
// allow-transfer`; docs/zone-transfers.md). Settings go to the store first, then the
// transfer service re-reads them.
#include <algorithm>

#include "app/admin.h"
#include "app/admin_output.h"
#include "base/cidr.h"
#include "base/json_text.h"
#include "base/log.h"
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

}  // namespace tether::app
