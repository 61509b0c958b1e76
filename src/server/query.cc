#include "server/query.h"

#include <algorithm>
#include <cstring>
#include <ctime>

#include "dns/name.h"
#include "dns/wire/message.h"
#include "dns/wire/reader.h"
#include "dns/wire/tsig.h"
#include "dns/wire/writer.h"
#include "zone/answer.h"

namespace tether::server {

using dns::Rcode;
using dns::RrType;

namespace {

constexpr size_t kOptSize = 11;  // root owner, type, class, TTL, RDLENGTH 0
constexpr uint16_t kMinUdpPayload = 512;

struct EdnsInfo {
  bool tsig = false;  // the last record is a TSIG record (checked by dns::VerifyRequest)
  bool present = false;
  bool dnssec_ok = false;
  uint8_t version = 0;
  uint16_t udp_payload = 0;
};

// Skips one resource record; returns its type (and the OPT fields into `edns`).
bool SkipRecord(dns::Reader& reader, bool additional, EdnsInfo* edns) {
  uint8_t owner[dns::Name::kMaxWire];
  size_t owner_size = dns::ReadName(reader, owner);
  auto type = static_cast<RrType>(reader.U16());
  uint16_t klass = reader.U16();
  uint32_t ttl = reader.U32();
  uint16_t rdlength = reader.U16();
  dns::Reader rdata = reader.Sub(rdlength);
  if (!reader.ok() || owner_size == 0) return false;
  if (type == RrType::kTsig) {
    if (!additional || edns->tsig) return false;
    edns->tsig = true;
    return true;
  }
  if (edns->tsig) return false;  // RFC 8945 5.1: TSIG is the last record
  if (type != RrType::kOpt) return true;
  // RFC 6891 6.1.1: one OPT, in the additional section, owned by the root.
  if (!additional || edns->present || owner_size != 1) return false;
  edns->present = true;
  edns->udp_payload = klass;
  edns->version = static_cast<uint8_t>(ttl >> 16);
  edns->dnssec_ok = (ttl & dns::kEdnsDoBit) != 0;
  // Options are length-checked; unknown ones are ignored (RFC 6891 6.1.2).
  while (!rdata.empty()) {
    rdata.U16();
    rdata.Skip(rdata.U16());
  }
  return rdata.ok();
}

void PutU16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

}  // namespace

size_t HandleQuery(const zone::ZoneSet& zones, std::span<const uint8_t> request,
                   Transport transport, const QueryOptions& options, uint8_t* out,
                   size_t out_capacity, bool* watched) {
  if (request.size() < dns::kHeaderSize || out_capacity < dns::kHeaderSize + kOptSize) return 0;
  dns::Reader reader(request);
  dns::Header header = dns::ReadHeader(reader);
  if (header.qr()) return 0;  // never answer a response (RFC 1035 4.1.1; reflection loops)

  // The response header: ID, opcode and RD copied; counts filled in at the end. CD is
  // cleared: Tether is not a security-aware server yet (RFC 4035 3.1.6 asks those to copy
  // it), and Knot and NSD clear it too.
  const uint16_t kept_flags = header.flags & (0x7800 | dns::kFlagRd);
  uint16_t flags = static_cast<uint16_t>(dns::kFlagQr | kept_flags);
  uint16_t rcode = 0;
  uint16_t counts[4] = {0, 0, 0, 0};

  dns::Writer writer(out, out_capacity);
  writer.Bytes(request.subspan(0, dns::kHeaderSize));  // patched below

  zone::Query query;
  EdnsInfo edns;
  bool question_ok = false;
  size_t question_end = dns::kHeaderSize;

  // Question: exactly one, written without compression (nothing precedes it to point to).
  if (header.qdcount == 1) {
    query.qname_size = dns::ReadName(reader, query.qname, /*lowercase=*/true);
    uint16_t qtype = reader.U16();
    uint16_t qclass = reader.U16();
    question_end = reader.offset();
    question_ok = reader.ok() && query.qname_size + 4 == question_end - dns::kHeaderSize;
    query.qtype = static_cast<RrType>(qtype);
    if (question_ok) {
      // The rest of the message: skip answer and authority, find OPT, no trailing bytes.
      bool well_formed = true;
      uint32_t others = uint32_t{header.ancount} + header.nscount;
      for (uint32_t i = 0; i < others + header.arcount && well_formed; ++i) {
        well_formed = SkipRecord(reader, i >= others, &edns);
      }
      if (!well_formed || !reader.empty()) {
        rcode = static_cast<uint16_t>(Rcode::kFormErr);
        edns.present = edns.present && well_formed;
      } else if (qclass != dns::ToU16(dns::RrClass::kIn) && qclass != dns::ToU16(dns::RrClass::kAny)) {
        rcode = static_cast<uint16_t>(Rcode::kRefused);
      }
    } else {
      rcode = static_cast<uint16_t>(Rcode::kFormErr);
    }
  } else {
    rcode = static_cast<uint16_t>(Rcode::kFormErr);
  }

  // RFC 8945: a signed query is answered only if it verifies, and the answer is signed.
  dns::TsigVerification tsig;
  std::shared_ptr<const update::AccessSnapshot> keys;
  const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
  if (edns.tsig && rcode == 0) {
    if (options.keys != nullptr) keys = options.keys->Get();
    tsig = dns::VerifyRequest(
        request, [&](const dns::Name& name) { return keys ? keys->FindKey(name) : nullptr; }, now);
    if (tsig.status == dns::TsigStatus::kFormErr) {
      rcode = static_cast<uint16_t>(Rcode::kFormErr);
    } else if (tsig.status != dns::TsigStatus::kOk) {
      rcode = static_cast<uint16_t>(Rcode::kNotAuth);
    }
  }
  const bool sign = edns.tsig && tsig.status != dns::TsigStatus::kFormErr &&
                    tsig.status != dns::TsigStatus::kUnsigned;

  if (rcode == 0 && header.opcode() != dns::Opcode::kQuery) rcode = static_cast<uint16_t>(Rcode::kNotImp);
  if (rcode == 0 && edns.present && edns.version > 0) rcode = static_cast<uint16_t>(Rcode::kBadVers);
  if (rcode == 0) {
    switch (query.qtype) {
      case RrType::kOpt:
      case RrType::kTsig:
      case RrType::kTkey:
        rcode = static_cast<uint16_t>(Rcode::kFormErr);
        break;
      case RrType::kAxfr:
      case RrType::kIxfr:
      case RrType::kMaila:
      case RrType::kMailb:
        rcode = static_cast<uint16_t>(Rcode::kRefused);  // transfers: not offered yet
        break;
      default:
        break;
    }
  }

  if (question_ok) {
    writer.Bytes(request.subspan(dns::kHeaderSize, question_end - dns::kHeaderSize));
    writer.RememberName(dns::kHeaderSize);  // names in answers compress against the question
    counts[0] = 1;
  }

  // RFC 6891 6.2.3-6.2.5: the UDP limit is the requester's payload size (at least 512),
  // capped by ours; without EDNS it is 512. Room for our OPT record is kept aside.
  size_t limit = out_capacity;
  if (transport == Transport::kUdp) {
    size_t udp = edns.present ? std::clamp<size_t>(edns.udp_payload, kMinUdpPayload, options.max_udp_payload)
                              : kMinUdpPayload;
    limit = std::min(limit, udp);
  }
  if (edns.present) limit -= kOptSize;
  if (sign) {
    // Room for our TSIG record: owner, fixed fields, algorithm, MAC and other data.
    size_t tsig_size = tsig.record.key_name.size() + 10 + tsig.record.algorithm.size() + 16 + 64 + 6;
    limit = limit > tsig_size + dns::kHeaderSize ? limit - tsig_size : dns::kHeaderSize;
  }

  if (rcode == 0) {
    zone::IndexLabels(&query);
    query.tcp = transport == Transport::kTcp;
    query.window = zone::QueryWindow(now);
    writer.set_limit(limit);
    zone::AnswerResult answer = zone::AnswerQuery(zones, query, writer);
    if (watched != nullptr) *watched = answer.watched;
    rcode = static_cast<uint16_t>(answer.rcode);
    if (answer.authoritative) flags |= dns::kFlagAa;
    if (answer.truncated) flags |= dns::kFlagTc;
    counts[1] = answer.answer_count;
    counts[2] = answer.authority_count;
    counts[3] = answer.additional_count;
  }

  if (edns.present) {
    writer.set_limit(out_capacity);
    writer.U8(0);  // root owner
    writer.U16(dns::ToU16(RrType::kOpt));
    writer.U16(options.max_udp_payload);
    uint32_t ttl = (uint32_t{static_cast<uint8_t>(rcode >> 4)} << 24) | (edns.dnssec_ok ? dns::kEdnsDoBit : 0);
    writer.U32(ttl);
    writer.U16(0);
    counts[3] = static_cast<uint16_t>(counts[3] + 1);
  }
  if (!writer.ok()) return 0;

  flags = static_cast<uint16_t>(flags | (rcode & 0xF));
  PutU16(out + 2, flags);
  for (int i = 0; i < 4; ++i) PutU16(out + 4 + 2 * i, counts[i]);
  if (sign) {
    writer.set_limit(out_capacity);
    if (!dns::SignResponse(writer, tsig, now)) return 0;
  }
  return writer.size();
}

}  // namespace tether::server
