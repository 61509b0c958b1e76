// The records of a takedown: what an action puts in place of a target's, what it answers,
// and the snapshot that restores them (takedown.h).
#include <map>
#include <set>
#include <algorithm>
#include <cstdlib>

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
std::vector<zone::Rrset> KeptAtApex(const std::vector<zone::Rrset>& current) {
  std::vector<zone::Rrset> kept;
  for (const zone::Rrset& rrset : current) {
    if (rrset.type == RrType::kSoa || rrset.type == RrType::kNs) kept.push_back(rrset);
  }
  return kept;
}

void Append(std::vector<zone::Rrset>* to, const std::vector<zone::Rrset>& rrsets) {
  to->insert(to->end(), rrsets.begin(), rrsets.end());
}

}  // namespace

std::vector<zone::NameUpdate> ActionContent(const Target& target, EnforceAction action,
                                            const std::vector<dns::Name>& ns, const TakedownSettings& settings,
                                            const std::vector<std::vector<zone::Rrset>>& current) {
  std::vector<zone::NameUpdate> out;
  out.reserve(target.owned.size());
  const bool apex = target.name == target.zone;
  for (size_t i = 0; i < target.owned.size(); ++i) {
    out.push_back({target.owned[i], apex && i == 0 ? KeptAtApex(current[0]) : std::vector<zone::Rrset>{}});
  }
  zone::NameUpdate& own = out[0];  // owned[0] is the target's name
  switch (action) {
    case EnforceAction::kNxdomain:
      break;
    case EnforceAction::kNodata:
      // The name stays as an empty non-terminal above the marker: NODATA for every type.
      if (out.size() > 1 && !apex) {
        auto text = dns::RdataFromString(RrType::kTxt, kWithheldText, dns::Name());
        if (text) out.back().rrsets.push_back({RrType::kTxt, settings.ttl, {std::move(*text)}});
      }
      break;
    case EnforceAction::kSinkhole: {
      const std::vector<zone::Rrset> sinkhole = SinkholeRrsets(settings);
      Append(&own.rrsets, sinkhole);
      for (size_t i = 1; i < out.size(); ++i) {
        if (out[i].name.FirstLabel() == "*" && !current[i].empty()) Append(&out[i].rrsets, sinkhole);
      }
      break;
    }
    case EnforceAction::kDelegated:
      own.rrsets.push_back(NsRrset(ns, settings.ttl));
      break;
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

std::vector<RpzTarget> RpzTargetsOf(const store::Takedown& order) {
  std::set<dns::Name> listed;
  for (const std::string& text : order.names) {
    if (auto name = dns::Name::FromText(text)) listed.insert(name->Lowercased());
  }
  for (const dns::Name& restored : RestoredNames(order.snapshot)) listed.erase(restored);
  std::set<dns::Name> with_subtree;
  if (auto snapshot = DecodeSnapshot(order.snapshot)) {
    for (const zone::NameUpdate& owned : *snapshot) {
      if (owned.rrsets.empty()) continue;
      for (dns::Name up = owned.name; !up.IsRoot();) {
        up = up.Parent();
        if (listed.contains(up)) with_subtree.insert(up);
      }
    }
  }
  std::vector<RpzTarget> out;
  for (const dns::Name& name : listed) out.push_back({name, with_subtree.contains(name)});
  return out;
}

std::vector<zone::NameUpdate> RpzEntries(const std::vector<RpzTarget>& targets, EnforceAction action,
                                         const dns::Name& rpz, const TakedownSettings& settings, bool in_force) {
  std::vector<zone::NameUpdate> out;
  if (action == EnforceAction::kDelegated) return out;  // the partner answers for them
  std::vector<zone::Rrset> data;
  if (in_force) {
    const dns::Name root;
    const dns::Name wildcard_root = *root.Prepend("*");
    if (action == EnforceAction::kNxdomain) {
      data.push_back({RrType::kCname, settings.ttl, {{root.wire().begin(), root.wire().end()}}});
    } else if (action == EnforceAction::kNodata) {
      data.push_back({RrType::kCname, settings.ttl, {{wildcard_root.wire().begin(), wildcard_root.wire().end()}}});
    } else {
      data = SinkholeRrsets(settings);
    }
  }
  const std::string suffix = rpz.ToText();
  for (const RpzTarget& target : targets) {
    auto trigger = dns::Name::FromText(target.name.ToText() + suffix);
    if (!trigger) continue;  // too long to be a trigger below this policy zone
    out.push_back({*trigger, data});
    if (auto below = trigger->Prepend("*"); below && target.subtree) out.push_back({*below, data});
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

NameSet RestoredNames(const std::string& snapshot) {
  NameSet out;
  for (size_t at = 0; at < snapshot.size();) {
    size_t end = snapshot.find('\n', at);
    if (end == std::string::npos) end = snapshot.size();
    const std::string_view line(snapshot.data() + at, end - at);
    at = end + 1;
    if (line.rfind(kRestoredPrefix, 0) != 0) continue;
    if (auto name = dns::Name::FromText(line.substr(std::string_view(kRestoredPrefix).size()))) {
      out.insert(name->Lowercased());
    }
  }
  return out;
}

Result<std::vector<zone::NameUpdate>> DecodeSnapshot(const std::string& text) {
  // The lines EncodeSnapshot writes: ";owner NAME", then "OWNER\tTTL\tIN\tTYPE\tRDATA" for
  // each of its records.
  std::vector<zone::NameUpdate> names;
  size_t line_number = 0;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + at, end - at);
    at = end + 1;
    ++line_number;
    auto bad = [&](const std::string& why) {
      return MakeError(ErrorCode::kInvalidArgument, "snapshot line " + std::to_string(line_number) + ": " + why);
    };
    if (line.empty() || line.rfind(kRestoredPrefix, 0) == 0) continue;  // RestoredNames reads those
    if (line.rfind(";owner ", 0) == 0) {
      auto name = dns::Name::FromText(line.substr(7));
      if (!name) return bad(name.error().message);
      names.push_back({name->Lowercased(), {}});
      continue;
    }
    std::string_view fields[5];
    std::string_view rest = line;
    for (int i = 0; i < 4; ++i) {
      const size_t tab = rest.find('\t');
      if (tab == std::string_view::npos) return bad("not a record line");
      fields[i] = rest.substr(0, tab);
      rest.remove_prefix(tab + 1);
    }
    fields[4] = rest;
    auto owner = dns::Name::FromText(fields[0]);
    if (!owner || names.empty() || !(owner->Lowercased() == names.back().name)) {
      return bad("a record without its ;owner line");
    }
    auto type = dns::RrTypeFromString(fields[3]);
    const auto ttl = std::strtoul(std::string(fields[1]).c_str(), nullptr, 10);
    if (!type) return bad("unknown type");
    auto rdata = dns::RdataFromString(*type, fields[4], dns::Name());
    if (!rdata) return bad(rdata.error().message);
    std::vector<zone::Rrset>& rrsets = names.back().rrsets;
    auto same = std::find_if(rrsets.begin(), rrsets.end(), [&](const auto& r) { return r.type == *type; });
    if (same == rrsets.end()) same = rrsets.insert(rrsets.end(), zone::Rrset{*type, static_cast<uint32_t>(ttl), {}});
    same->rdatas.push_back(std::move(*rdata));
  }
  for (zone::NameUpdate& update : names) zone::NormalizeRrsets(&update.rrsets);
  return names;
}

}  // namespace tether::abuse
