#include "dns/rdata_descriptor.h"

#include <algorithm>
#include <array>

#include "dns/loc.h"
#include "dns/name.h"
#include "dns/svcb.h"

namespace tether::dns {
namespace {

using K = FieldKind;

// Types without an RrType enumerator of their own.
constexpr auto kRt = static_cast<RrType>(21);   // RFC 1183
constexpr auto kSig = static_cast<RrType>(24);  // RFC 2535
constexpr auto kPx = static_cast<RrType>(26);   // RFC 2163

constexpr FieldSpec kAFields[] = {{K::kIpv4, "IPv4 address"}};
constexpr FieldSpec kAaaaFields[] = {{K::kIpv6, "IPv6 address"}};
constexpr FieldSpec kNsFields[] = {{K::kCompressedName, "name server"}};
constexpr FieldSpec kCnameFields[] = {{K::kCompressedName, "target"}};
constexpr FieldSpec kPtrFields[] = {{K::kCompressedName, "domain name"}};
constexpr FieldSpec kMailboxFields[] = {{K::kCompressedName, "mailbox"}};  // MB, MG, MR
constexpr FieldSpec kSoaFields[] = {{K::kCompressedName, "primary name server"},
                                    {K::kCompressedName, "responsible mailbox"},
                                    {K::kU32, "serial"},
                                    {K::kTtl, "refresh"},
                                    {K::kTtl, "retry"},
                                    {K::kTtl, "expire"},
                                    {K::kTtl, "minimum"}};
constexpr FieldSpec kHinfoFields[] = {{K::kCharString, "CPU"}, {K::kCharString, "OS"}};
constexpr FieldSpec kMinfoFields[] = {{K::kCompressedName, "responsible mailbox"},
                                      {K::kCompressedName, "error mailbox"}};
constexpr FieldSpec kMxFields[] = {{K::kU16, "preference"}, {K::kCompressedName, "exchange"}};
constexpr FieldSpec kTxtFields[] = {{K::kCharStrings, "text"}};
constexpr FieldSpec kRpFields[] = {{K::kDecompressedName, "mailbox"},
                                   {K::kDecompressedName, "TXT name"}};
constexpr FieldSpec kAfsdbFields[] = {{K::kU16, "subtype"}, {K::kDecompressedName, "hostname"}};
constexpr FieldSpec kRtFields[] = {{K::kU16, "preference"}, {K::kDecompressedName, "host"}};
constexpr FieldSpec kSigFields[] = {
    {K::kType, "type covered"}, {K::kAlgorithm, "algorithm"},     {K::kU8, "labels"},
    {K::kU32, "original TTL"},  {K::kTime, "expiration"},         {K::kTime, "inception"},
    {K::kU16, "key tag"},       {K::kDecompressedName, "signer"}, {K::kBase64ToEnd, "signature"}};
constexpr FieldSpec kPxFields[] = {
    {K::kU16, "preference"}, {K::kDecompressedName, "MAP822"}, {K::kDecompressedName, "MAPX400"}};
constexpr FieldSpec kLocFields[] = {{K::kLoc, "location"}};
constexpr FieldSpec kSrvFields[] = {{K::kU16, "priority"},
                                    {K::kU16, "weight"},
                                    {K::kU16, "port"},
                                    {K::kDecompressedName, "target"}};
constexpr FieldSpec kNaptrFields[] = {
    {K::kU16, "order"},         {K::kU16, "preference"},
    {K::kCharString, "flags"},  {K::kCharString, "services"},
    {K::kCharString, "regexp"}, {K::kDecompressedName, "replacement"}};
constexpr FieldSpec kKxFields[] = {{K::kU16, "preference"}, {K::kName, "exchanger"}};
constexpr FieldSpec kCertFields[] = {{K::kCertType, "certificate type"},
                                     {K::kU16, "key tag"},
                                     {K::kAlgorithm, "algorithm"},
                                     {K::kBase64ToEnd, "certificate"}};
constexpr FieldSpec kDnameFields[] = {{K::kName, "target"}};
constexpr FieldSpec kDsFields[] = {{K::kU16, "key tag"},
                                   {K::kAlgorithm, "algorithm"},
                                   {K::kU8, "digest type"},
                                   {K::kHexToEnd, "digest"}};
constexpr FieldSpec kSshfpFields[] = {
    {K::kU8, "algorithm"}, {K::kU8, "fingerprint type"}, {K::kHexToEnd, "fingerprint"}};
constexpr FieldSpec kRrsigFields[] = {
    {K::kType, "type covered"}, {K::kAlgorithm, "algorithm"}, {K::kU8, "labels"},
    {K::kU32, "original TTL"},  {K::kTime, "expiration"},     {K::kTime, "inception"},
    {K::kU16, "key tag"},       {K::kName, "signer"},         {K::kBase64ToEnd, "signature"}};
constexpr FieldSpec kNsecFields[] = {{K::kName, "next domain name"},
                                     {K::kTypeBitmapNonEmpty, "type bitmap"}};
constexpr FieldSpec kDnskeyFields[] = {{K::kU16, "flags"},
                                       {K::kU8, "protocol"},
                                       {K::kAlgorithm, "algorithm"},
                                       {K::kBase64ToEnd, "public key"}};
constexpr FieldSpec kDhcidFields[] = {{K::kBase64ToEnd, "digest"}};
constexpr FieldSpec kNsec3Fields[] = {
    {K::kU8, "hash algorithm"},      {K::kU8, "flags"},
    {K::kU16, "iterations"},         {K::kSalt, "salt"},
    {K::kHash, "next hashed owner"}, {K::kTypeBitmap, "type bitmap"}};
constexpr FieldSpec kNsec3paramFields[] = {
    {K::kU8, "hash algorithm"}, {K::kU8, "flags"}, {K::kU16, "iterations"}, {K::kSalt, "salt"}};
constexpr FieldSpec kTlsaFields[] = {{K::kU8, "certificate usage"},
                                     {K::kU8, "selector"},
                                     {K::kU8, "matching type"},
                                     {K::kHexToEnd, "certificate association data"}};
constexpr FieldSpec kOpenpgpkeyFields[] = {{K::kBase64ToEnd, "public key"}};
constexpr FieldSpec kCsyncFields[] = {
    {K::kU32, "SOA serial"}, {K::kU16, "flags"}, {K::kTypeBitmap, "type bitmap"}};
constexpr FieldSpec kZonemdFields[] = {{K::kU32, "serial"},
                                       {K::kU8, "scheme"},
                                       {K::kU8, "hash algorithm"},
                                       {K::kZonemdDigest, "digest"}};
constexpr FieldSpec kSvcbFields[] = {
    {K::kU16, "priority"}, {K::kName, "target name"}, {K::kSvcParams, "SvcParams"}};
constexpr FieldSpec kEui48Fields[] = {{K::kEui48, "EUI-48 address"}};
constexpr FieldSpec kEui64Fields[] = {{K::kEui64, "EUI-64 address"}};
constexpr FieldSpec kUriFields[] = {
    {K::kU16, "priority"}, {K::kU16, "weight"}, {K::kStringToEnd, "target"}};
constexpr FieldSpec kCaaFields[] = {
    {K::kU8, "flags"}, {K::kCaaTag, "tag"}, {K::kStringToEnd, "value"}};

// Sorted by type value for binary search. Types left out (NULL, WKS, APL, IPSECKEY,
// HIP, TKEY, TSIG, OPT, ...) are RFC 3597 generic data.
constexpr Descriptor kDescriptors[] = {
    {RrType::kA, kAFields},
    {RrType::kNs, kNsFields},
    {RrType::kCname, kCnameFields},
    {RrType::kSoa, kSoaFields},
    {RrType::kMb, kMailboxFields},
    {RrType::kMg, kMailboxFields},
    {RrType::kMr, kMailboxFields},
    {RrType::kPtr, kPtrFields},
    {RrType::kHinfo, kHinfoFields},
    {RrType::kMinfo, kMinfoFields},
    {RrType::kMx, kMxFields},
    {RrType::kTxt, kTxtFields},
    {RrType::kRp, kRpFields},
    {RrType::kAfsdb, kAfsdbFields},
    {kRt, kRtFields},
    {kSig, kSigFields},
    {kPx, kPxFields},
    {RrType::kAaaa, kAaaaFields},
    {RrType::kLoc, kLocFields},
    {RrType::kSrv, kSrvFields},
    {RrType::kNaptr, kNaptrFields},
    {RrType::kKx, kKxFields},
    {RrType::kCert, kCertFields},
    {RrType::kDname, kDnameFields},
    {RrType::kDs, kDsFields},
    {RrType::kSshfp, kSshfpFields},
    {RrType::kRrsig, kRrsigFields},
    {RrType::kNsec, kNsecFields},
    {RrType::kDnskey, kDnskeyFields},
    {RrType::kDhcid, kDhcidFields},
    {RrType::kNsec3, kNsec3Fields},
    {RrType::kNsec3param, kNsec3paramFields},
    {RrType::kTlsa, kTlsaFields},
    {RrType::kSmimea, kTlsaFields},
    {RrType::kCds, kDsFields},
    {RrType::kCdnskey, kDnskeyFields},
    {RrType::kOpenpgpkey, kOpenpgpkeyFields},
    {RrType::kCsync, kCsyncFields},
    {RrType::kZonemd, kZonemdFields},
    {RrType::kSvcb, kSvcbFields},
    {RrType::kHttps, kSvcbFields},
    {RrType::kSpf, kTxtFields},
    {RrType::kEui48, kEui48Fields},
    {RrType::kEui64, kEui64Fields},
    {RrType::kUri, kUriFields},
    {RrType::kCaa, kCaaFields},
};

constexpr bool IsSorted() {
  for (size_t i = 1; i < std::size(kDescriptors); ++i) {
    if (static_cast<uint16_t>(kDescriptors[i - 1].type) >=
        static_cast<uint16_t>(kDescriptors[i].type)) {
      return false;
    }
  }
  return true;
}
static_assert(IsSorted(), "kDescriptors must be sorted by type");

bool IsAlnum(uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 4034 4.1.2: windows in increasing order, 1..32 bitmap bytes each, no trailing zero
// byte (so that every set of types has exactly one encoding).
bool SkipTypeBitmap(Reader& reader, bool allow_empty) {
  if (reader.empty() && !allow_empty) {
    reader.Fail();
    return false;
  }
  int last_window = -1;
  while (!reader.empty()) {
    uint8_t window = reader.U8();
    uint8_t length = reader.U8();
    auto bitmap = reader.Bytes(length);
    if (!reader.ok() || window <= last_window || length == 0 || length > 32 || bitmap.back() == 0) {
      reader.Fail();
      return false;
    }
    last_window = window;
  }
  return true;
}

bool SkipCharStrings(Reader& reader) {
  if (reader.empty()) {
    reader.Fail();
    return false;
  }
  while (!reader.empty()) reader.Skip(reader.U8());
  return reader.ok();
}

}  // namespace

const Descriptor* FindDescriptor(RrType type) {
  const auto* it =
      std::lower_bound(std::begin(kDescriptors), std::end(kDescriptors), type,
                       [](const Descriptor& d, RrType t) { return ToU16(d.type) < ToU16(t); });
  if (it == std::end(kDescriptors) || it->type != type) return nullptr;
  return it;
}

bool HasCompressedNames(RrType type) {
  switch (type) {
    case RrType::kNs:
    case RrType::kCname:
    case RrType::kSoa:
    case RrType::kMb:
    case RrType::kMg:
    case RrType::kMr:
    case RrType::kPtr:
    case RrType::kMinfo:
    case RrType::kMx:
      return true;
    default:
      return false;
  }
}

std::span<const uint8_t> ReadUncompressedName(Reader& reader) {
  const uint8_t* start = reader.position();
  size_t total = 0;
  while (true) {
    uint8_t len = reader.U8();
    if (!reader.ok() || len > Name::kMaxLabel || total + 1 + len > Name::kMaxWire) {
      reader.Fail();
      return {};
    }
    total += 1 + len;
    if (len == 0) break;
    reader.Skip(len);
  }
  if (!reader.ok()) return {};
  return {start, total};
}

bool SkipField(FieldKind kind, Reader& reader) {
  switch (kind) {
    case K::kCompressedName:
    case K::kDecompressedName:
    case K::kName:
      ReadUncompressedName(reader);
      break;
    case K::kU8:
    case K::kAlgorithm:
      reader.Skip(1);
      break;
    case K::kU16:
    case K::kType:
    case K::kCertType:
      reader.Skip(2);
      break;
    case K::kU32:
    case K::kTtl:
    case K::kTime:
    case K::kIpv4:
      reader.Skip(4);
      break;
    case K::kIpv6:
      reader.Skip(16);
      break;
    case K::kEui48:
      reader.Skip(6);
      break;
    case K::kEui64:
      reader.Skip(8);
      break;
    case K::kCharString:
    case K::kSalt:
      reader.Skip(reader.U8());
      break;
    case K::kCharStrings:
      return SkipCharStrings(reader);
    case K::kStringToEnd:
    case K::kHexToEnd:
    case K::kBase64ToEnd:
      reader.Rest();
      break;
    case K::kCaaTag: {
      auto tag = reader.Bytes(reader.U8());
      if (tag.empty() || !std::all_of(tag.begin(), tag.end(), IsAlnum)) reader.Fail();
      break;
    }
    case K::kHash:
      if (reader.Bytes(reader.U8()).empty()) reader.Fail();
      break;
    case K::kZonemdDigest:
      if (reader.Rest().size() < 12) reader.Fail();
      break;
    case K::kTypeBitmap:
      return SkipTypeBitmap(reader, true);
    case K::kTypeBitmapNonEmpty:
      return SkipTypeBitmap(reader, false);
    case K::kSvcParams:
      if (!ValidSvcParams(reader.Rest())) reader.Fail();
      break;
    case K::kLoc:
      if (!ValidLoc(reader.Rest())) reader.Fail();
      break;
  }
  return reader.ok();
}

}  // namespace tether::dns
