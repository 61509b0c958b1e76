// The records of a takedown: what an action puts in place of a target's, what it answers,
// and the snapshot that restores them (takedown.h).
#include <map>
#include <sstream>

#include "abuse/takedown.h"
#include "dns/rdata.h"
#include "zone/master_file.h"

namespace tether::abuse {
namespace {

using dns::RrType;
using store::EnforceAction;

// The nodata marker's text: no order number or reference, which may be confidential.
constexpr const char* kWithheldText = "\"withheld by the abuse desk\"";

std::vector<zone::Rrset> SinkholeRrsets(const TakedownSettings& settings) {
  zone::Rrset a{RrType::kA, settings.ttl, {}};
  zone::Rrset aaaa{RrType::kAaaa, settings.ttl, {}};
  for (const std::string& address : settings.sinkhole) {
    const bool v6 = address.find(':') != std::string::npos;
    auto rdata = dns::RdataFromString(v6 ? RrType::kAaaa : RrType::kA, address, dns::Name());
    if (rdata) (v6 ? aaaa : a).rdatas.push_back(std::move(*rdata));
  }
  std::vector<zone::Rrset> rrsets;
  for (zone::Rrset* rrset : {&a, &aaaa}) {
    if (!rrset->rdatas.empty()) rrsets.push_back(std::move(*rrset));
  }
  return rrsets;
}

zone::Rrset NsRrset(const std::vector<dns::Name>& ns, uint32_t ttl) {
  zone::Rrset rrset{RrType::kNs, ttl, {}};
  for (const dns::Name& name : ns) rrset.rdatas.emplace_back(name.wire().begin(), name.wire().end());
  return rrset;
}

// What an apex keeps under any action: its SOA and NS.
std::vector<zone::Rrset> KeptAt(const dns::Name& name, const dns::Name& zone,
                                const std::map<dns::Name, std::vector<zone::Rrset>>& current) {
  std::vector<zone::Rrset> kept;
  auto found = current.find(name);
  if (!(name == zone) || found == current.end()) return kept;
  for (const zone::Rrset& rrset : found->second) {
    if (rrset.type == RrType::kSoa || rrset.type == RrType::kNs) kept.push_back(rrset);
  }
  return kept;
}

bool HasData(const dns::Name& name, const std::map<dns::Name, std::vector<zone::Rrset>>& current) {
  auto found = current.find(name);
  return found != current.end() && !found->second.empty();
}

void Append(std::vector<zone::Rrset>* to, const std::vector<zone::Rrset>& rrsets) {
  to->insert(to->end(), rrsets.begin(), rrsets.end());
}

}  // namespace

std::vector<zone::NameUpdate> ActionContent(const std::vector<Target>& targets, EnforceAction action,
                                            const std::vector<dns::Name>& ns, const TakedownSettings& settings,
                                            const std::map<dns::Name, std::vector<zone::Rrset>>& current) {
  const std::vector<zone::Rrset> sinkhole = SinkholeRrsets(settings);
  std::vector<zone::NameUpdate> out;
  for (const Target& target : targets) {
    const size_t first = out.size();
    for (const dns::Name& name : target.owned) out.push_back({name, KeptAt(name, target.zone, current)});
    zone::NameUpdate& own = out[first];  // owned[0] is the target's name
    switch (action) {
      case EnforceAction::kNxdomain:
        break;
      case EnforceAction::kNodata:
        // The name stays as an empty non-terminal above the marker: NODATA for every type.
        if (target.owned.size() > 1 && !(target.name == target.zone)) {
          zone::NameUpdate& marker = out.back();
          auto text = dns::RdataFromString(RrType::kTxt, kWithheldText, dns::Name());
          if (text) marker.rrsets.push_back({RrType::kTxt, settings.ttl, {std::move(*text)}});
        }
        break;
      case EnforceAction::kSinkhole:
        Append(&own.rrsets, sinkhole);
        for (size_t i = first + 1; i < out.size(); ++i) {
          if (out[i].name.FirstLabel() == "*" && HasData(out[i].name, current)) Append(&out[i].rrsets, sinkhole);
        }
        break;
      case EnforceAction::kDelegated:
        own.rrsets.push_back(NsRrset(ns, settings.ttl));
        break;
    }
  }
  return out;
}

std::string ActionAnswer(EnforceAction action, const std::vector<dns::Name>& ns, const TakedownSettings& settings) {
  const std::string ttl = " (TTL " + std::to_string(settings.ttl) + ")";
  switch (action) {
    case EnforceAction::kNxdomain:
      return "NXDOMAIN";
    case EnforceAction::kNodata:
      return "NOERROR, no data for any type";
    case EnforceAction::kSinkhole: {
      std::string text;
      for (const std::string& address : settings.sinkhole) {
        text += (text.empty() ? "" : ", ") + std::string(address.find(':') != std::string::npos ? "AAAA " : "A ") +
                address;
      }
      return text + ttl;
    }
    case EnforceAction::kDelegated: {
      std::string text = "referral to";
      for (const dns::Name& name : ns) text += " " + name.ToText();
      return text + ttl;
    }
  }
  return "";
}

std::vector<zone::NameUpdate> RpzEntries(const store::Takedown& order, const dns::Name& rpz,
                                         const TakedownSettings& settings, bool in_force) {
  std::vector<zone::NameUpdate> out;
  if (order.action == EnforceAction::kDelegated) return out;  // the partner answers for them
  auto snapshot = DecodeSnapshot(order.snapshot);
  std::vector<zone::Rrset> data;
  if (in_force) {
    const dns::Name root;
    const dns::Name wildcard_root = *root.Prepend("*");
    switch (order.action) {
      case EnforceAction::kNxdomain:
        data.push_back({RrType::kCname, settings.ttl, {{root.wire().begin(), root.wire().end()}}});
        break;
      case EnforceAction::kNodata:
        data.push_back({RrType::kCname, settings.ttl, {{wildcard_root.wire().begin(), wildcard_root.wire().end()}}});
        break;
      default:
        data = SinkholeRrsets(settings);
        break;
    }
  }
  for (const std::string& text : order.names) {
    auto name = dns::Name::FromText(text);
    if (!name) continue;
    // Names below it with records before the order (not the nodata marker): cover them too.
    bool subtree = false;
    for (const zone::NameUpdate& owned : snapshot ? *snapshot : std::vector<zone::NameUpdate>{}) {
      if (!(owned.name == *name) && owned.name.IsSubdomainOf(*name) && !owned.rrsets.empty()) subtree = true;
    }
    auto trigger = dns::Name::FromText(name->ToText() + rpz.ToText());
    if (!trigger) continue;  // too long to be a trigger below this policy zone
    out.push_back({*trigger, data});
    if (auto below = trigger->Prepend("*"); below && (subtree || !in_force)) out.push_back({*below, data});
  }
  return out;
}

std::string EncodeSnapshot(const std::vector<zone::NameUpdate>& names) {
  std::string text;
  for (const zone::NameUpdate& update : names) {
    const std::string owner = update.name.ToText();
    text += ";owner " + owner + "\n";
    for (const zone::Rrset& rrset : update.rrsets) {
      for (const auto& rdata : rrset.rdatas) zone::AppendMasterRecord(owner, rrset, rdata, &text);
    }
  }
  return text;
}

Result<std::vector<zone::NameUpdate>> DecodeSnapshot(const std::string& text) {
  std::vector<zone::NameUpdate> names;
  std::map<dns::Name, size_t> index;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(";owner ", 0) != 0) continue;
    ASSIGN_OR_RETURN(dns::Name name, dns::Name::FromText(line.substr(7)));
    name.Lowercase();
    index.emplace(name, names.size());
    names.push_back({name, {}});
  }
  zone::MasterFileOptions options;
  RETURN_IF_ERROR(zone::ReadMasterText(text, "snapshot", options, [&](zone::MasterRecord&& record) -> Status {
    record.owner.Lowercase();
    auto found = index.find(record.owner);
    if (found == index.end()) {
      return MakeError(ErrorCode::kInvalidArgument, "snapshot: a record of " + record.owner.ToText() +
                                                        " without its ;owner line");
    }
    std::vector<zone::Rrset>& rrsets = names[found->second].rrsets;
    auto same = std::find_if(rrsets.begin(), rrsets.end(), [&](const auto& r) { return r.type == record.type; });
    if (same == rrsets.end()) same = rrsets.insert(rrsets.end(), zone::Rrset{record.type, record.ttl, {}});
    same->rdatas.push_back(std::move(record.rdata));
    return Ok();
  }));
  for (zone::NameUpdate& update : names) zone::NormalizeRrsets(&update.rrsets);
  return names;
}

}  // namespace tether::abuse
