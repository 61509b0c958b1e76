// RDATA descriptors: each RR type with a known structure is a sequence of field kinds (as in
// Knot's rdata descriptors and ldns's rdf types). The wire functions (rdata.cc) and the
// presentation functions (rdata_text.cc) both walk these tables, so the two always agree
// on what a well-formed RDATA is. Internal to dns/rdata*.cc. Immutable; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "dns/rr_type.h"
#include "dns/wire/reader.h"

namespace tether::dns {

enum class FieldKind : uint8_t {
  // Names. RFC 3597 4: only the RFC 1035 types are compressed on output; receivers
  // decompress those and SHOULD also decompress RP, AFSDB, RT, SIG, PX, NXT, NAPTR and SRV.
  // Every other embedded name (DNAME, KX, RRSIG, NSEC, SVCB, ...) must arrive uncompressed.
  kCompressedName,    // compressed in messages (RFC 1035 types)
  kDecompressedName,  // accepted compressed, always written uncompressed
  kName,              // never compressed
  kU8,
  kU16,
  kU32,
  kTtl,        // u32; presentation accepts BIND units (SOA timers)
  kType,       // u16 RR type, printed as its mnemonic (RRSIG type covered)
  kAlgorithm,  // u8 DNSSEC algorithm; presentation also accepts mnemonics (RFC 4034 A.1)
  kCertType,   // u16 CERT type, printed as its mnemonic when it has one (RFC 4398 2.1)
  kTime,       // u32, YYYYMMDDHHmmSS (RFC 4034 3.2)
  kIpv4,
  kIpv6,
  kEui48,  // RFC 7043
  kEui64,
  kCharString,          // one <character-string>: length byte + bytes
  kCharStrings,         // one or more <character-string>s to the end (TXT, SPF)
  kStringToEnd,         // bytes to the end, presented quoted (CAA value, URI target)
  kCaaTag,              // length byte + 1.. alphanumeric bytes (RFC 8659 4.1)
  kHexToEnd,            // presentation requires at least one byte (as BIND does)
  kBase64ToEnd,         // likewise
  kZonemdDigest,        // hex to the end, at least 12 bytes (RFC 8976 2.2.4)
  kSalt,                // length byte + bytes, hex or "-" (RFC 5155 3.3)
  kHash,                // length byte (>= 1) + bytes, base32hex (RFC 5155 3.3)
  kTypeBitmap,          // RFC 4034 4.1.2; may be empty (NSEC3, CSYNC)
  kTypeBitmapNonEmpty,  // NSEC: BIND refuses an empty one in presentation
  kSvcParams,           // RFC 9460 2.2
  kLoc,                 // the whole RDATA of LOC (RFC 1876), see loc.h
};

struct FieldSpec {
  FieldKind kind;
  const char* name;  // for error messages: "bad preference '-1' in MX record"
};

struct Descriptor {
  RrType type;
  std::span<const FieldSpec> fields;
};

// The descriptor of `type`, or nullptr if the type is handled as RFC 3597 generic data.
const Descriptor* FindDescriptor(RrType type);

// RFC 3597 4: the RFC 1035 types whose names are compressed in messages.
bool HasCompressedNames(RrType type);

// Consumes one field of canonical (uncompressed) wire RDATA from `reader`, checking its
// structure. Returns false (and fails the reader) if the field is malformed.
bool SkipField(FieldKind kind, Reader& reader);

// Consumes an uncompressed wire name; returns its bytes, or an empty span (and fails the
// reader) on a malformed name or a compression pointer.
std::span<const uint8_t> ReadUncompressedName(Reader& reader);

inline bool IsNameKind(FieldKind kind) {
  return kind == FieldKind::kCompressedName || kind == FieldKind::kDecompressedName ||
         kind == FieldKind::kName;
}

}  // namespace tether::dns
