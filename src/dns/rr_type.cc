#include "dns/rr_type.h"

#include <array>
#include <charconv>
#include <strings.h>

namespace tether::dns {
namespace {

struct TypeName {
  RrType type;
  const char* name;
};

constexpr TypeName kTypeNames[] = {
    {RrType::kA, "A"},           {RrType::kNs, "NS"},
    {RrType::kCname, "CNAME"},   {RrType::kSoa, "SOA"},
    {RrType::kMb, "MB"},         {RrType::kMg, "MG"},
    {RrType::kMr, "MR"},         {RrType::kNull, "NULL"},
    {RrType::kPtr, "PTR"},       {RrType::kHinfo, "HINFO"},
    {RrType::kMinfo, "MINFO"},   {RrType::kMx, "MX"},
    {RrType::kTxt, "TXT"},       {RrType::kRp, "RP"},
    {RrType::kAfsdb, "AFSDB"},   {RrType::kAaaa, "AAAA"},
    {RrType::kLoc, "LOC"},       {RrType::kSrv, "SRV"},
    {RrType::kNaptr, "NAPTR"},   {RrType::kKx, "KX"},
    {RrType::kCert, "CERT"},     {RrType::kDname, "DNAME"},
    {RrType::kOpt, "OPT"},       {RrType::kApl, "APL"},
    {RrType::kDs, "DS"},         {RrType::kSshfp, "SSHFP"},
    {RrType::kIpseckey, "IPSECKEY"}, {RrType::kRrsig, "RRSIG"},
    {RrType::kNsec, "NSEC"},     {RrType::kDnskey, "DNSKEY"},
    {RrType::kDhcid, "DHCID"},   {RrType::kNsec3, "NSEC3"},
    {RrType::kNsec3param, "NSEC3PARAM"}, {RrType::kTlsa, "TLSA"},
    {RrType::kSmimea, "SMIMEA"}, {RrType::kCds, "CDS"},
    {RrType::kCdnskey, "CDNSKEY"}, {RrType::kOpenpgpkey, "OPENPGPKEY"},
    {RrType::kCsync, "CSYNC"},   {RrType::kZonemd, "ZONEMD"},
    {RrType::kSvcb, "SVCB"},     {RrType::kHttps, "HTTPS"},
    {RrType::kSpf, "SPF"},       {RrType::kEui48, "EUI48"},
    {RrType::kEui64, "EUI64"},   {RrType::kTkey, "TKEY"},
    {RrType::kTsig, "TSIG"},     {RrType::kIxfr, "IXFR"},
    {RrType::kAxfr, "AXFR"},     {RrType::kMailb, "MAILB"},
    {RrType::kMaila, "MAILA"},   {RrType::kAny, "ANY"},
    {RrType::kUri, "URI"},       {RrType::kCaa, "CAA"},
};

bool ParseGenericNumber(std::string_view text, std::string_view prefix, uint16_t* out) {
  if (text.size() <= prefix.size()) return false;
  if (strncasecmp(text.data(), prefix.data(), prefix.size()) != 0) return false;
  std::string_view digits = text.substr(prefix.size());
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || value > 65535) return false;
  *out = static_cast<uint16_t>(value);
  return true;
}

bool EqualsIgnoreCase(std::string_view a, const char* b) {
  size_t n = std::char_traits<char>::length(b);
  return a.size() == n && strncasecmp(a.data(), b, n) == 0;
}

}  // namespace

std::string RrTypeToString(RrType type) {
  for (const auto& entry : kTypeNames) {
    if (entry.type == type) return entry.name;
  }
  return "TYPE" + std::to_string(ToU16(type));
}

std::optional<RrType> RrTypeFromString(std::string_view text) {
  for (const auto& entry : kTypeNames) {
    if (EqualsIgnoreCase(text, entry.name)) return entry.type;
  }
  uint16_t value = 0;
  if (ParseGenericNumber(text, "TYPE", &value)) return static_cast<RrType>(value);
  return std::nullopt;
}

std::string RrClassToString(RrClass klass) {
  switch (klass) {
    case RrClass::kIn:
      return "IN";
    case RrClass::kCh:
      return "CH";
    case RrClass::kHs:
      return "HS";
    case RrClass::kNone:
      return "NONE";
    case RrClass::kAny:
      return "ANY";
  }
  return "CLASS" + std::to_string(ToU16(klass));
}

std::optional<RrClass> RrClassFromString(std::string_view text) {
  if (EqualsIgnoreCase(text, "IN")) return RrClass::kIn;
  if (EqualsIgnoreCase(text, "CH") || EqualsIgnoreCase(text, "CHAOS")) return RrClass::kCh;
  if (EqualsIgnoreCase(text, "HS")) return RrClass::kHs;
  if (EqualsIgnoreCase(text, "NONE")) return RrClass::kNone;
  if (EqualsIgnoreCase(text, "ANY")) return RrClass::kAny;
  uint16_t value = 0;
  if (ParseGenericNumber(text, "CLASS", &value)) return static_cast<RrClass>(value);
  return std::nullopt;
}

std::string RcodeToString(Rcode rcode) {
  static constexpr std::array<const char*, 24> kNames = {
      "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
      "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",  "NOTZONE", "RCODE11",
      "RCODE12", "RCODE13", "RCODE14",  "RCODE15",  "BADVERS", "BADKEY",
      "BADTIME", "BADMODE", "BADNAME",  "BADALG",   "BADTRUNC", "BADCOOKIE"};
  auto value = static_cast<uint16_t>(rcode);
  if (value < kNames.size()) return kNames[value];
  return "RCODE" + std::to_string(value);
}

std::string OpcodeToString(Opcode opcode) {
  switch (opcode) {
    case Opcode::kQuery:
      return "QUERY";
    case Opcode::kIquery:
      return "IQUERY";
    case Opcode::kStatus:
      return "STATUS";
    case Opcode::kNotify:
      return "NOTIFY";
    case Opcode::kUpdate:
      return "UPDATE";
  }
  return "OPCODE" + std::to_string(static_cast<unsigned>(opcode));
}

bool IsMetaType(RrType type) {
  uint16_t value = ToU16(type);
  return type == RrType::kOpt || (value >= 128 && value <= 255);
}

}  // namespace tether::dns
