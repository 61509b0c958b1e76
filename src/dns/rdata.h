// RDATA of every RR type Tether serves: conversion between presentation form (master files,
// the `tether` command, the REST API), the canonical uncompressed wire form that zones and
// the store hold, and the form received in a message (where the RFC 1035 types may carry
// compressed names). Types without a descriptor are handled as RFC 3597 generic data
// ("\# LEN HEX"). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/rr_type.h"
#include "dns/wire/reader.h"
#include "dns/wire/writer.h"

namespace tether::dns {

// One field of presentation text as the master-file tokenizer split it. `text` is the
// field's raw characters: escapes (\X, \DDD) are not yet resolved, and for a quoted field
// the surrounding quotes are removed and `quoted` is true.
struct TextToken {
  std::string_view text;
  bool quoted = false;
};

// Presentation -> canonical wire RDATA. Relative names are completed with `origin`. Accepts
// the RFC 3597 generic form "\# LEN HEX..." for every type (and checks it against the type's
// structure when the type is known). Errors name the field that is wrong.
Result<std::vector<uint8_t>> RdataFromText(RrType type, std::span<const TextToken> tokens,
                                           const Name& origin);

// Convenience: splits `text` on whitespace, honouring double quotes, then RdataFromText.
Result<std::vector<uint8_t>> RdataFromString(RrType type, std::string_view text,
                                             const Name& origin);

// RDATA in a received message -> canonical wire RDATA. `rdata` is a sub-reader limited to
// RDLENGTH whose message() is the whole message, so compressed names (only legal for the
// RFC 1035 types) can be followed. Validates the structure of known types (e.g. an A record
// is exactly 4 bytes, names are well-formed, nothing is left over).
Result<std::vector<uint8_t>> RdataFromWire(RrType type, Reader rdata);

// Checks that canonical wire RDATA is well-formed for `type` (e.g. loaded from the store).
Status ValidateRdata(RrType type, std::span<const uint8_t> rdata);

// Canonical wire RDATA -> presentation form (without owner, TTL, class and type), in the
// form BIND and Knot print. Types without a descriptor print as "\# LEN HEX".
// REQUIRES: ValidateRdata(type, rdata) succeeds.
std::string RdataToText(RrType type, std::span<const uint8_t> rdata);
// The same, appended to `out`. Addresses (A, AAAA), the text of every dyndns2 answer and
// history entry, take a direct path.
void AppendRdataText(RrType type, std::span<const uint8_t> rdata, std::string* out);

// Writes canonical wire RDATA into a message, preceded by its RDLENGTH. Names in the RDATA
// of the RFC 1035 types (NS, CNAME, SOA, PTR, MX, MB, MG, MR, MINFO) are compressed
// against `writer`'s table; every other type is copied verbatim (RFC 3597 4).
// REQUIRES: ValidateRdata(type, rdata) succeeds.
void WriteRdata(Writer& writer, RrType type, std::span<const uint8_t> rdata);

// The domain names embedded in canonical wire RDATA that may receive additional-section
// processing (RFC 1035 3.3: NS, MX; RFC 2782: SRV), or the empty name if none. Returns the
// offset of the name inside `rdata`, or -1.
int AdditionalNameOffset(RrType type, std::span<const uint8_t> rdata);

// RFC 4034 6.2: lowercases the embedded names of the types listed there, in place, so that
// RDATA can be compared and sorted canonically. Other types are left untouched.
void CanonicalizeRdata(RrType type, std::vector<uint8_t>* rdata);

}  // namespace tether::dns
