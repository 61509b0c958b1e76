#include "ddns/host_update.h"

#include <sys/socket.h>

#include <algorithm>
#include <utility>

#include "dns/rdata.h"
#include "dns/rdata_codec.h"
#include "update/zone_view.h"
#include "zone/node.h"

namespace tether::ddns {

namespace {

using dns::RrType;

zone::Rrset* FindType(std::vector<zone::Rrset>& rrsets, RrType type) {
  for (auto& rrset : rrsets) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

void Remove(std::vector<zone::Rrset>& rrsets, RrType type) {
  rrsets.erase(std::remove_if(rrsets.begin(), rrsets.end(), [&](const zone::Rrset& r) { return r.type == type; }),
               rrsets.end());
}

void SetSingle(std::vector<zone::Rrset>& rrsets, RrType type, uint32_t ttl, std::vector<uint8_t> rdata) {
  Remove(rrsets, type);
  rrsets.push_back({type, ttl, {std::move(rdata)}});
}

std::string Describe(const std::vector<zone::Rrset>& rrsets) {
  std::string out;
  for (const auto& rrset : rrsets) {
    if (rrset.type != RrType::kA && rrset.type != RrType::kAaaa && rrset.type != RrType::kTxt &&
        rrset.type != RrType::kMx) {
      continue;
    }
    for (const auto& rdata : rrset.rdatas) {
      if (!out.empty()) out += ' ';
      out += dns::RrTypeToString(rrset.type);
      out += ' ';
      dns::AppendRdataText(rrset.type, rdata, &out);
    }
  }
  return out.empty() ? "-" : out;
}

// The addresses of the families the request named (dyndns2 echoes what was sent: a client
// that sent only an IPv6 address is told about that one); all of them when it named none.
std::string AddressesOf(const std::vector<zone::Rrset>& rrsets, const HostChange& change) {
  const bool named_v4 = change.ipv4.kind != AddressChange::Kind::kUnset;
  const bool named_v6 = change.ipv6.kind != AddressChange::Kind::kUnset;
  const bool all = !named_v4 && !named_v6;
  std::string v4;
  std::string v6;
  for (const auto& rrset : rrsets) {
    if (!all && ((rrset.type == RrType::kA && !named_v4) || (rrset.type == RrType::kAaaa && !named_v6))) continue;
    if (rrset.rdatas.empty() || (rrset.type != RrType::kA && rrset.type != RrType::kAaaa)) continue;
    std::string& text = rrset.type == RrType::kA ? v4 : v6;
    text.clear();
    dns::AppendRdataText(rrset.type, rrset.rdatas.front(), &text);
  }
  if (!v4.empty() && !v6.empty()) return v4 + "," + v6;
  return v4.empty() ? v6 : v4;
}

// Applies one family's change to the host's content.
void ApplyAddress(std::vector<zone::Rrset>& rrsets, const AddressChange& change, RrType type, uint32_t ttl) {
  const size_t size = type == RrType::kA ? 4 : 16;
  switch (change.kind) {
    case AddressChange::Kind::kUnset:
    case AddressChange::Kind::kPreserve:
      return;
    case AddressChange::Kind::kDelete:
      Remove(rrsets, type);
      return;
    case AddressChange::Kind::kSet:
      SetSingle(rrsets, type, ttl, std::vector<uint8_t>(change.address.begin(), change.address.begin() + static_cast<long>(size)));
      return;
    case AddressChange::Kind::kPrefix: {
      // Every AAAA keeps its interface identifier under the new prefix.
      zone::Rrset* aaaa = FindType(rrsets, RrType::kAaaa);
      if (aaaa == nullptr) return;
      for (auto& rdata : aaaa->rdatas) {
        std::array<uint8_t, 16> host{};
        std::copy(rdata.begin(), rdata.end(), host.begin());
        auto moved = ReplacePrefix(host, change.address, change.prefix_length);
        rdata.assign(moved.begin(), moved.end());
      }
      aaaa->ttl = ttl;
      return;
    }
  }
}

// The host's content after `change`, normalized (as the zone keeps it).
std::vector<zone::Rrset> ApplyChange(const std::vector<zone::Rrset>& current, const HostChange& change) {
  std::vector<zone::Rrset> next = current;
  ApplyAddress(next, change.ipv4, RrType::kA, change.ttl);
  ApplyAddress(next, change.ipv6, RrType::kAaaa, change.ttl);
  if (change.offline) {
    Remove(next, RrType::kA);
    Remove(next, RrType::kAaaa);
  }
  if (change.mx) {
    if (change.mx->empty()) {
      Remove(next, RrType::kMx);
    } else if (auto rdata = dns::RdataFromString(RrType::kMx, "10 " + *change.mx + ".", dns::Name())) {
      SetSingle(next, RrType::kMx, change.ttl, std::move(*rdata));
    }
  }
  if (change.clear_txt) Remove(next, RrType::kTxt);
  if (change.txt) {
    std::string quoted = "\"";
    for (char c : *change.txt) {
      if (c == '"' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c);
    }
    quoted.push_back('"');
    if (auto rdata = dns::RdataFromString(RrType::kTxt, quoted, dns::Name())) {
      SetSingle(next, RrType::kTxt, change.ttl, std::move(*rdata));
    }
  }
  zone::NormalizeRrsets(&next);
  return next;
}

// The content of *.fqdn that `change` asks for, or nullopt if it leaves the wildcard alone.
std::optional<std::pair<dns::Name, std::vector<zone::Rrset>>> WildcardOf(const HostChange& change) {
  if (change.wildcard == Toggle::kUnchanged) return std::nullopt;
  auto star = change.fqdn.Prepend("*");
  if (!star) return std::nullopt;
  std::vector<zone::Rrset> wildcard;
  if (change.wildcard == Toggle::kOn) {
    wildcard.push_back({RrType::kCname, change.ttl, {{change.fqdn.wire().begin(), change.fqdn.wire().end()}}});
  }
  return std::make_pair(std::move(*star), std::move(wildcard));
}

}  // namespace

dns::Rcode HostUpdateRequest::Apply(update::ZoneView& view) {
  outcomes_.clear();
  for (const HostChange& change : changes_) {
    HostOutcome outcome;
    const std::vector<zone::Rrset>& current = view.Get(change.fqdn);
    if (refused_ && refused_(change.fqdn)) {
      outcome.result = HostOutcome::Result::kRefused;
      outcome.before = outcome.after = Describe(current);
      outcomes_.push_back(std::move(outcome));
      continue;
    }
    std::vector<zone::Rrset> next = ApplyChange(current, change);
    const bool same = next == current;
    outcome.before = Describe(current);
    outcome.after = same ? outcome.before : Describe(next);
    if (!zone::CheckRrsetsFit(next)) {
      outcome.result = HostOutcome::Result::kDnsErr;
      outcome.addresses = AddressesOf(current, change);  // what stays
    } else if (same) {
      outcome.result = HostOutcome::Result::kNochg;
      outcome.addresses = AddressesOf(current, change);
    } else {
      outcome.result = HostOutcome::Result::kGood;
      outcome.addresses = AddressesOf(next, change);
      view.Set(change.fqdn, std::move(next));
    }
    if (auto wildcard = WildcardOf(change)) {
      if (view.Get(wildcard->first) != wildcard->second) {
        view.Set(wildcard->first, std::move(wildcard->second));
        if (outcome.result == HostOutcome::Result::kNochg) outcome.result = HostOutcome::Result::kGood;
      }
    }
    outcomes_.push_back(std::move(outcome));
  }
  return dns::Rcode::kNoError;
}

namespace {

// Does `change` leave `rrset` (a view into the zone; invalid: none) as it is, for one
// address family? nullopt: not decided here.
std::optional<bool> FamilyUnchanged(const zone::RrsetView& rrset, const AddressChange& change, size_t size,
                                    uint32_t ttl) {
  switch (change.kind) {
    case AddressChange::Kind::kUnset:
    case AddressChange::Kind::kPreserve:
      return true;
    case AddressChange::Kind::kDelete:
      return !rrset.valid();
    case AddressChange::Kind::kSet: {
      // Exactly one record, this address, this TTL (the records are packed as answer
      // records: fixed part, then the RDATA).
      if (!rrset.valid() || rrset.count() != 1 || rrset.ttl() != ttl) return false;
      const auto wire = rrset.wire();
      return wire.size() == zone::kRecordFixedSize + size &&
             std::equal(change.address.begin(), change.address.begin() + static_cast<long>(size),
                        wire.begin() + zone::kRecordFixedSize);
    }
    case AddressChange::Kind::kPrefix:
      return std::nullopt;
  }
  return std::nullopt;
}

// Apply's verdict for the usual router poll (addresses only), read from the packed content
// without decoding it: true "changes nothing" (and `outcome` is filled in as Apply would,
// except before/after), false "changes something", nullopt "not decided here".
std::optional<bool> QuickNochg(zone::Zone& zone, const HostChange& change, HostOutcome* outcome) {
  if (change.mx || change.txt || change.clear_txt || change.wildcard != Toggle::kUnchanged) return std::nullopt;
  std::optional<bool> unchanged;
  zone.WithCurrent(change.fqdn, [&](const zone::NodeData* data) {
    zone::RrsetView a;
    zone::RrsetView aaaa;
    if (data != nullptr) {
      a = zone::FindRrset(data, RrType::kA);
      aaaa = zone::FindRrset(data, RrType::kAaaa);
    }
    if (change.offline) {  // parked: no address records whatever was asked
      unchanged = !a.valid() && !aaaa.valid();
    } else {
      auto v4 = FamilyUnchanged(a, change.ipv4, 4, change.ttl);
      auto v6 = FamilyUnchanged(aaaa, change.ipv6, 16, change.ttl);
      if (v4 && v6) unchanged = *v4 && *v6;
    }
    if (!unchanged.value_or(false)) return;
    // The answer's addresses, as AddressesOf gives them: the first record of each family
    // the request named (of both when it named none).
    const bool named_v4 = change.ipv4.kind != AddressChange::Kind::kUnset;
    const bool named_v6 = change.ipv6.kind != AddressChange::Kind::kUnset;
    const bool all = !named_v4 && !named_v6;
    outcome->result = HostOutcome::Result::kNochg;
    outcome->described = false;
    outcome->addresses.clear();
    if (a.valid() && (all || named_v4)) {
      dns::rdata_codec::AppendIpv4(a.wire().subspan(zone::kRecordFixedSize, 4), &outcome->addresses);
    }
    if (aaaa.valid() && (all || named_v6)) {
      if (!outcome->addresses.empty()) outcome->addresses.push_back(',');
      dns::rdata_codec::AppendIpv6(aaaa.wire().subspan(zone::kRecordFixedSize, 16), &outcome->addresses);
    }
  });
  return unchanged;
}

}  // namespace

std::optional<std::vector<HostOutcome>> PublishedNochg(zone::Zone& zone, const std::vector<HostChange>& changes) {
  // The usual poll is decided without decoding any content.
  {
    std::vector<HostOutcome> outcomes(changes.size());
    bool decided = true;
    for (size_t i = 0; i < changes.size(); ++i) {
      auto unchanged = QuickNochg(zone, changes[i], &outcomes[i]);
      if (unchanged && !*unchanged) return std::nullopt;
      decided = decided && unchanged.has_value();
    }
    if (decided) return outcomes;
  }
  // Apply's decisions, on the published content; the answer texts are made only once
  // every change is known to be a nochg (most polls are; the others leave early).
  std::vector<std::vector<zone::Rrset>> contents;
  contents.reserve(changes.size());
  for (const HostChange& change : changes) {
    std::vector<zone::Rrset> current = zone.Get(change.fqdn);
    if (ApplyChange(current, change) != current || !zone::CheckRrsetsFit(current)) return std::nullopt;
    if (auto wildcard = WildcardOf(change); wildcard && zone.Get(wildcard->first) != wildcard->second) {
      return std::nullopt;
    }
    contents.push_back(std::move(current));
  }
  // Each name is looked up once: a later change of the same name sees the same content,
  // as it would on the updater (none of them changes anything).
  std::vector<HostOutcome> outcomes(changes.size());
  for (size_t i = 0; i < changes.size(); ++i) {
    outcomes[i].result = HostOutcome::Result::kNochg;
    outcomes[i].before = Describe(contents[i]);
    outcomes[i].after = outcomes[i].before;
    outcomes[i].addresses = AddressesOf(contents[i], changes[i]);
  }
  return outcomes;
}

std::string DescribePublished(zone::Zone& zone, const dns::Name& name) { return Describe(zone.Get(name)); }

HostUpdateRequest::~HostUpdateRequest() {
  if (done_) done_(std::vector<HostOutcome>(changes_.size()));  // kDnsErr
}

void HostUpdateRequest::Done(const update::UpdateOutcome& outcome) {
  if (outcome.rcode != dns::Rcode::kNoError) {
    // Not durable: nothing may be reported as done.
    for (auto& host : outcomes_) {
      if (host.result == HostOutcome::Result::kGood) host.result = HostOutcome::Result::kDnsErr;
    }
    if (outcomes_.size() != changes_.size()) outcomes_.assign(changes_.size(), HostOutcome{});
  }
  std::exchange(done_, nullptr)(std::move(outcomes_));
}

}  // namespace tether::ddns
