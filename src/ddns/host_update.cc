#include "ddns/host_update.h"

#include <sys/socket.h>

#include <algorithm>

#include "dns/rdata.h"
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
      out += dns::RrTypeToString(rrset.type) + " " + dns::RdataToText(rrset.type, rdata);
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
    if (rrset.type == RrType::kA && !rrset.rdatas.empty()) v4 = dns::RdataToText(RrType::kA, rrset.rdatas.front());
    if (rrset.type == RrType::kAaaa && !rrset.rdatas.empty()) {
      v6 = dns::RdataToText(RrType::kAaaa, rrset.rdatas.front());
    }
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

}  // namespace

dns::Rcode HostUpdateRequest::Apply(update::ZoneView& view) {
  outcomes_.clear();
  for (const HostChange& change : changes_) {
    HostOutcome outcome;
    const std::vector<zone::Rrset>& current = view.Get(change.fqdn);
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
    outcome.before = Describe(current);
    outcome.after = next == current ? outcome.before : Describe(next);
    if (!zone::CheckRrsetsFit(next)) {
      outcome.result = HostOutcome::Result::kDnsErr;
    } else if (next == current) {
      outcome.result = HostOutcome::Result::kNochg;
    } else {
      outcome.result = HostOutcome::Result::kGood;
      view.Set(change.fqdn, std::move(next));
    }
    outcome.addresses = AddressesOf(view.Get(change.fqdn), change);
    if (change.wildcard != Toggle::kUnchanged) {
      auto star = change.fqdn.Prepend("*");
      if (star) {
        std::vector<zone::Rrset> wildcard;
        if (change.wildcard == Toggle::kOn) {
          wildcard.push_back({RrType::kCname, change.ttl, {{change.fqdn.wire().begin(), change.fqdn.wire().end()}}});
        }
        if (view.Get(*star) != wildcard) {
          view.Set(*star, std::move(wildcard));
          if (outcome.result == HostOutcome::Result::kNochg) outcome.result = HostOutcome::Result::kGood;
        }
      }
    }
    outcomes_.push_back(std::move(outcome));
  }
  return dns::Rcode::kNoError;
}

std::optional<std::vector<HostOutcome>> PublishedNochg(zone::Zone& zone, const std::vector<HostChange>& changes) {
  update::ZoneView view(zone);
  HostUpdateRequest request(changes, nullptr);
  request.Apply(view);
  for (const auto& outcome : request.outcomes()) {
    if (outcome.result != HostOutcome::Result::kNochg) return std::nullopt;
  }
  return request.outcomes();
}

void HostUpdateRequest::Done(const update::UpdateOutcome& outcome) {
  if (outcome.rcode != dns::Rcode::kNoError) {
    // Not durable: nothing may be reported as done.
    for (auto& host : outcomes_) {
      if (host.result == HostOutcome::Result::kGood) host.result = HostOutcome::Result::kDnsErr;
    }
    if (outcomes_.size() != changes_.size()) outcomes_.assign(changes_.size(), HostOutcome{});
  }
  done_(std::move(outcomes_));
}

}  // namespace tether::ddns
