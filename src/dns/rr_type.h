// RR types, classes, opcodes and rcodes with their mnemonics (RFC 1035, RFC 6895 and the
// IANA registry). Pure values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tether::dns {

enum class RrType : uint16_t {
  kA = 1,
  kNs = 2,
  kCname = 5,
  kSoa = 6,
  kMb = 7,
  kMg = 8,
  kMr = 9,
  kNull = 10,
  kPtr = 12,
  kHinfo = 13,
  kMinfo = 14,
  kMx = 15,
  kTxt = 16,
  kRp = 17,
  kAfsdb = 18,
  kAaaa = 28,
  kLoc = 29,
  kSrv = 33,
  kNaptr = 35,
  kKx = 36,
  kCert = 37,
  kDname = 39,
  kOpt = 41,
  kApl = 42,
  kDs = 43,
  kSshfp = 44,
  kIpseckey = 45,
  kRrsig = 46,
  kNsec = 47,
  kDnskey = 48,
  kDhcid = 49,
  kNsec3 = 50,
  kNsec3param = 51,
  kTlsa = 52,
  kSmimea = 53,
  kCds = 59,
  kCdnskey = 60,
  kOpenpgpkey = 61,
  kCsync = 62,
  kZonemd = 63,
  kSvcb = 64,
  kHttps = 65,
  kSpf = 99,
  kEui48 = 108,
  kEui64 = 109,
  kTkey = 249,
  kTsig = 250,
  kIxfr = 251,
  kAxfr = 252,
  kMailb = 253,
  kMaila = 254,
  kAny = 255,
  kUri = 256,
  kCaa = 257,
};

enum class RrClass : uint16_t {
  kIn = 1,
  kCh = 3,
  kHs = 4,
  kNone = 254,
  kAny = 255,
};

enum class Opcode : uint8_t {
  kQuery = 0,
  kIquery = 1,
  kStatus = 2,
  kNotify = 4,
  kUpdate = 5,
};

// RCODEs, including the extended ones carried in the OPT and TSIG records.
enum class Rcode : uint16_t {
  kNoError = 0,
  kFormErr = 1,
  kServFail = 2,
  kNxDomain = 3,
  kNotImp = 4,
  kRefused = 5,
  kYxDomain = 6,
  kYxRrset = 7,
  kNxRrset = 8,
  kNotAuth = 9,
  kNotZone = 10,
  kBadVers = 16,  // also BADSIG in TSIG
  kBadKey = 17,
  kBadTime = 18,
  kBadMode = 19,
  kBadName = 20,
  kBadAlg = 21,
  kBadTrunc = 22,
  kBadCookie = 23,
};

inline uint16_t ToU16(RrType type) { return static_cast<uint16_t>(type); }
inline uint16_t ToU16(RrClass klass) { return static_cast<uint16_t>(klass); }

// "A", "AAAA", ..., or "TYPE12345" (RFC 3597) for types without a mnemonic.
std::string RrTypeToString(RrType type);
// Accepts mnemonics in any case and the generic "TYPEnnn" form.
std::optional<RrType> RrTypeFromString(std::string_view text);

std::string RrClassToString(RrClass klass);
std::optional<RrClass> RrClassFromString(std::string_view text);

std::string RcodeToString(Rcode rcode);
std::string OpcodeToString(Opcode opcode);

// Meta and question-only types (RFC 6895 3.1): never stored in a zone.
bool IsMetaType(RrType type);

}  // namespace tether::dns
