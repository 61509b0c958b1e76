#include "update/rfc2136.h"

#include <algorithm>

#include "base/log.h"
#include "dns/rdata.h"
#include "dns/wire/message.h"
#include "dns/wire/reader.h"
#include "dns/wire/writer.h"
#include "zone/node.h"

namespace tether::update {

using dns::Rcode;
using dns::RrClass;
using dns::RrType;

namespace {

constexpr uint16_t kClassIn = 1;
constexpr uint16_t kClassNone = 254;
constexpr uint16_t kClassAny = 255;

bool IsForbiddenInUpdate(RrType type) {
  return type == RrType::kAxfr || type == RrType::kIxfr || type == RrType::kMaila ||
         type == RrType::kMailb || type == RrType::kOpt || type == RrType::kTsig ||
         type == RrType::kTkey;
}

// RFC 4035 2.5 / RFC 2136 3.4.2.2: types that may sit next to a CNAME.
bool MayAccompanyCname(RrType type) {
  return type == RrType::kRrsig || type == RrType::kNsec || type == RrType::kNsec3;
}

std::vector<uint8_t> Canonical(RrType type, std::vector<uint8_t> rdata) {
  dns::CanonicalizeRdata(type, &rdata);
  return rdata;
}

bool SameRdata(RrType type, const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  return a.size() == b.size() && Canonical(type, a) == Canonical(type, b);
}

// The SOA serial field of SOA RDATA (after the two names).
uint32_t SoaSerial(const std::vector<uint8_t>& rdata) {
  dns::Reader reader(rdata);
  uint8_t skip[dns::Name::kMaxWire];
  dns::ReadName(reader, skip);
  dns::ReadName(reader, skip);
  return reader.U32();
}

// RFC 1982: is a newer than b?
bool SerialGreater(uint32_t a, uint32_t b) {
  return a != b && static_cast<uint32_t>(a - b) < 0x80000000u;
}

std::vector<uint8_t> BuildResponse(const dns::Header& request_header, const dns::Question* zone,
                                   Rcode rcode, const dns::TsigVerification* tsig, uint64_t now) {
  std::vector<uint8_t> buffer(512 + dns::Name::kMaxWire * 3);
  dns::Writer writer(buffer.data(), buffer.size());
  writer.U16(request_header.id);
  uint16_t flags = static_cast<uint16_t>(dns::kFlagQr | (static_cast<uint16_t>(dns::Opcode::kUpdate) << 11) |
                                         (static_cast<uint16_t>(rcode) & 0xF));
  writer.U16(flags);
  writer.U16(zone != nullptr ? 1 : 0);
  writer.U16(0);
  writer.U16(0);
  writer.U16(0);
  if (zone != nullptr) {
    writer.Name(zone->name.wire(), true);
    writer.U16(dns::ToU16(zone->type));
    writer.U16(zone->klass);
  }
  if (tsig != nullptr && tsig->status != dns::TsigStatus::kUnsigned &&
      tsig->status != dns::TsigStatus::kFormErr) {
    dns::SignResponse(writer, *tsig, now);
  }
  buffer.resize(writer.size());
  return buffer;
}

class Rfc2136Request : public UpdateRequest {
 public:
  Rfc2136Request(dns::Message message, dns::TsigVerification tsig,
                 std::shared_ptr<const AccessSnapshot> access, const KeyEntry* key, Reply reply,
                 std::function<uint64_t()> now)
      : message_(std::move(message)),
        tsig_(std::move(tsig)),
        access_(std::move(access)),
        key_(key),
        reply_(std::move(reply)),
        now_(std::move(now)) {}

  Rcode Apply(ZoneView& view) override { return ApplyUpdateMessage(message_, key_, view); }
  // UPDATE datagrams are gathered by the receiver (for up to 1 ms); a second wait on the
  // updater left the receiver and the commit no overlap and cost a third of the rate of
  // 64 updates in flight (bench/README.md).
  bool JoinsCohort() const override { return false; }

  void Done(const UpdateOutcome& outcome) override {
    reply_(BuildResponse(message_.header, &message_.questions.front(), outcome.rcode, &tsig_, now_()));
  }

 private:
  dns::Message message_;
  dns::TsigVerification tsig_;
  std::shared_ptr<const AccessSnapshot> access_;  // keeps key_ and tsig_.key alive
  const KeyEntry* key_;
  Reply reply_;
  std::function<uint64_t()> now_;
};

// The RFC 2136 processing of one message against a view.
class UpdateProcessor {
 public:
  UpdateProcessor(const dns::Message& message, const KeyEntry* key) : message_(message), key_(key) {}

  Rcode Apply(ZoneView& view) {
    const dns::Name& zone = view.origin();
    if (Rcode rcode = CheckPrerequisites(view); rcode != Rcode::kNoError) return rcode;
    // RFC 2136 3.3: every update must be permitted, or none is applied.
    if (key_ != nullptr) {
      for (const auto& rr : message_.authority) {
        if (!rr.owner.IsSubdomainOf(zone)) return Rcode::kNotZone;
        if (!AccessSnapshot::KeyMayChange(*key_, zone, rr.owner, rr.type)) {
          spdlog::info("update refused: key {} may not change {} {} in {}", key_->key.name.ToText(),
                       rr.owner.ToText(), dns::RrTypeToString(rr.type), zone.ToText());
          return Rcode::kRefused;
        }
      }
    }
    if (Rcode rcode = Prescan(zone); rcode != Rcode::kNoError) return rcode;
    for (const auto& rr : message_.authority) ApplyOne(view, rr);
    // A change must leave every RRset small enough to be answered (and stored).
    for (const auto& rr : message_.authority) {
      if (!zone::CheckRrsetsFit(view.Get(rr.owner))) return Rcode::kRefused;
    }
    return Rcode::kNoError;
  }

 private:
  // RFC 2136 3.2.
  Rcode CheckPrerequisites(ZoneView& view) {
    const dns::Name& zone = view.origin();
    std::vector<const dns::Rr*> value_dependent;
    for (const auto& rr : message_.answers) {
      if (rr.ttl != 0) return Rcode::kFormErr;
      if (!rr.owner.IsSubdomainOf(zone)) return Rcode::kNotZone;
      if (rr.klass == kClassAny || rr.klass == kClassNone) {
        if (!rr.rdata.empty()) return Rcode::kFormErr;
        bool any_class = rr.klass == kClassAny;
        if (rr.type == RrType::kAny) {
          bool in_use = !view.Get(rr.owner).empty();
          if (any_class && !in_use) return Rcode::kNxDomain;
          if (!any_class && in_use) return Rcode::kYxDomain;
        } else {
          bool exists = view.Find(rr.owner, rr.type) != nullptr;
          if (any_class && !exists) return Rcode::kNxRrset;
          if (!any_class && exists) return Rcode::kYxRrset;
        }
      } else if (rr.klass == kClassIn) {
        value_dependent.push_back(&rr);
      } else {
        return Rcode::kFormErr;
      }
    }
    // Value-dependent: the RRset must be exactly the given records (RFC 2136 3.2.3).
    std::vector<bool> used(value_dependent.size(), false);
    for (size_t i = 0; i < value_dependent.size(); ++i) {
      if (used[i]) continue;
      const dns::Rr& first = *value_dependent[i];
      std::vector<std::vector<uint8_t>> wanted;
      for (size_t j = i; j < value_dependent.size(); ++j) {
        const dns::Rr& rr = *value_dependent[j];
        if (rr.type == first.type && rr.owner.EqualsIgnoreCase(first.owner)) {
          used[j] = true;
          wanted.push_back(Canonical(rr.type, rr.rdata));
        }
      }
      const zone::Rrset* rrset = view.Find(first.owner, first.type);
      if (rrset == nullptr) return Rcode::kNxRrset;
      std::vector<std::vector<uint8_t>> have;
      for (const auto& rdata : rrset->rdatas) have.push_back(Canonical(first.type, rdata));
      std::sort(wanted.begin(), wanted.end());
      wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
      std::sort(have.begin(), have.end());
      if (have != wanted) return Rcode::kNxRrset;
    }
    return Rcode::kNoError;
  }

  // RFC 2136 3.4.1.3.
  Rcode Prescan(const dns::Name& zone) const {
    for (const auto& rr : message_.authority) {
      if (!rr.owner.IsSubdomainOf(zone)) return Rcode::kNotZone;
      if (rr.klass == kClassIn) {
        if (IsForbiddenInUpdate(rr.type) || rr.type == RrType::kAny || dns::IsMetaType(rr.type)) {
          return Rcode::kFormErr;
        }
        if (rr.rdata.empty()) return Rcode::kFormErr;
      } else if (rr.klass == kClassAny) {
        if (rr.ttl != 0 || !rr.rdata.empty() || IsForbiddenInUpdate(rr.type)) return Rcode::kFormErr;
      } else if (rr.klass == kClassNone) {
        if (rr.ttl != 0 || rr.type == RrType::kAny || IsForbiddenInUpdate(rr.type)) return Rcode::kFormErr;
      } else {
        return Rcode::kFormErr;
      }
    }
    return Rcode::kNoError;
  }

  // RFC 2136 3.4.2.
  static void ApplyOne(ZoneView& view, const dns::Rr& rr) {
    const dns::Name& zone = view.origin();
    const bool at_apex = rr.owner.EqualsIgnoreCase(zone);
    std::vector<zone::Rrset> content = view.Get(rr.owner);
    auto find = [&](RrType type) {
      return std::find_if(content.begin(), content.end(), [&](const zone::Rrset& r) { return r.type == type; });
    };
    if (rr.klass == kClassIn) {
      if (rr.type == RrType::kCname) {
        bool other_data = std::any_of(content.begin(), content.end(), [](const zone::Rrset& r) {
          return r.type != RrType::kCname && !MayAccompanyCname(r.type);
        });
        if (other_data) return;  // CNAME and other data don't coexist: ignored
      } else if (!MayAccompanyCname(rr.type) && find(RrType::kCname) != content.end()) {
        return;
      }
      if (rr.type == RrType::kSoa) {
        // Only at the apex, and the serial only moves forward.
        auto soa = find(RrType::kSoa);
        if (!at_apex || soa == content.end() ||
            !SerialGreater(SoaSerial(rr.rdata), SoaSerial(soa->rdatas.front()))) {
          return;
        }
        soa->rdatas = {rr.rdata};
        soa->ttl = rr.ttl;
      } else if (rr.type == RrType::kCname) {
        // A name has one CNAME: a new one replaces it.
        auto cname = find(RrType::kCname);
        if (cname != content.end()) {
          cname->rdatas = {rr.rdata};
          cname->ttl = rr.ttl;
        } else {
          content.push_back({rr.type, rr.ttl, {rr.rdata}});
        }
      } else {
        auto rrset = find(rr.type);
        if (rrset == content.end()) {
          content.push_back({rr.type, rr.ttl, {rr.rdata}});
        } else {
          // A duplicate replaces the existing record; the RRset takes the new TTL (as BIND).
          auto& rdatas = rrset->rdatas;
          rdatas.erase(std::remove_if(rdatas.begin(), rdatas.end(),
                                      [&](const std::vector<uint8_t>& r) { return SameRdata(rr.type, r, rr.rdata); }),
                       rdatas.end());
          rdatas.push_back(rr.rdata);
          rrset->ttl = rr.ttl;
        }
      }
    } else if (rr.klass == kClassAny) {
      if (rr.type == RrType::kAny) {
        content.erase(std::remove_if(content.begin(), content.end(),
                                     [&](const zone::Rrset& r) {
                                       return !(at_apex && (r.type == RrType::kSoa || r.type == RrType::kNs));
                                     }),
                      content.end());
      } else {
        if (at_apex && (rr.type == RrType::kSoa || rr.type == RrType::kNs)) return;
        auto rrset = find(rr.type);
        if (rrset != content.end()) content.erase(rrset);
      }
    } else if (rr.klass == kClassNone) {
      if (rr.type == RrType::kSoa) return;
      auto rrset = find(rr.type);
      if (rrset == content.end()) return;
      auto& rdatas = rrset->rdatas;
      bool present = std::any_of(rdatas.begin(), rdatas.end(),
                                 [&](const std::vector<uint8_t>& r) { return SameRdata(rr.type, r, rr.rdata); });
      if (!present) return;
      if (at_apex && rr.type == RrType::kNs && rdatas.size() == 1) return;  // never the last apex NS
      rdatas.erase(std::remove_if(rdatas.begin(), rdatas.end(),
                                  [&](const std::vector<uint8_t>& r) { return SameRdata(rr.type, r, rr.rdata); }),
                   rdatas.end());
      if (rdatas.empty()) content.erase(rrset);
    }
    view.Set(rr.owner, std::move(content));
  }

  const dns::Message& message_;
  const KeyEntry* key_;
};

}  // namespace

Rcode ApplyUpdateMessage(const dns::Message& message, const KeyEntry* key, ZoneView& view) {
  return UpdateProcessor(message, key).Apply(view);
}

void HandleUpdateMessage(std::span<const uint8_t> message, const sockaddr* peer,
                         const Rfc2136Context& context, Reply reply) {
  dns::Reader header_reader(message);
  dns::Header header = dns::ReadHeader(header_reader);
  if (!header_reader.ok() || header.qr()) return reply({});  // dropped, like queries
  const uint64_t now = context.now();

  auto parsed = dns::ParseMessage(message);
  if (!parsed || parsed->questions.size() != 1 || parsed->questions.front().type != RrType::kSoa) {
    return reply(BuildResponse(header, nullptr, Rcode::kFormErr, nullptr, now));
  }
  const dns::Question& zone_section = parsed->questions.front();

  std::shared_ptr<const AccessSnapshot> access = context.access->Get();
  dns::TsigVerification tsig = dns::VerifyRequest(
      message, [&](const dns::Name& name) { return access->FindKey(name); }, now);
  if (tsig.status == dns::TsigStatus::kFormErr) {
    return reply(BuildResponse(header, &zone_section, Rcode::kFormErr, nullptr, now));
  }
  if (tsig.status != dns::TsigStatus::kUnsigned && tsig.status != dns::TsigStatus::kOk) {
    spdlog::info("update for {} rejected: TSIG error {}", zone_section.name.ToText(),
                 dns::TsigErrorFor(tsig.status));
    return reply(BuildResponse(header, &zone_section, Rcode::kNotAuth, &tsig, now));
  }

  // RFC 2136 3.1: the zone must be one we serve; only dynamic zones take updates.
  const dns::Name& origin = zone_section.name;
  std::shared_ptr<zone::Zone> served =
      zone_section.klass == kClassIn ? context.zones->Get(origin) : nullptr;
  if (served == nullptr) return reply(BuildResponse(header, &zone_section, Rcode::kNotAuth, &tsig, now));
  if (!context.updates->IsDynamic(origin)) {
    return reply(BuildResponse(header, &zone_section, Rcode::kRefused, &tsig, now));
  }

  const KeyEntry* key = nullptr;
  if (tsig.status == dns::TsigStatus::kOk) {
    key = access->FindKeyEntry(tsig.key->name);
    if (key == nullptr || !access->KeyHasZone(*key, origin)) {
      return reply(BuildResponse(header, &zone_section, Rcode::kRefused, &tsig, now));
    }
  } else if (!access->AllowsUnsigned(origin, peer)) {
    return reply(BuildResponse(header, &zone_section, Rcode::kRefused, nullptr, now));
  }

  auto request = std::make_unique<Rfc2136Request>(std::move(*parsed), std::move(tsig), access, key, reply,
                                                  context.now);
  if (!context.updates->Submit(origin, std::move(request))) {
    reply(BuildResponse(header, &zone_section, Rcode::kServFail, nullptr, now));
  }
}

}  // namespace tether::update
