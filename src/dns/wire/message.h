// The DNS message: header (RFC 1035 4.1.1), question, resource records and EDNS(0)
// (RFC 6891). ParseMessage() is the general, allocating parser used by updates, transfers,
// tests and fuzzing; the query path has its own zero-allocation parser (server/query.h)
// that applies the same rules. Values; not synchronised.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/rr_type.h"
#include "dns/wire/reader.h"

namespace tether::dns {

constexpr size_t kHeaderSize = 12;

// Header flag bits in the second 16-bit word.
constexpr uint16_t kFlagQr = 0x8000;
constexpr uint16_t kFlagAa = 0x0400;
constexpr uint16_t kFlagTc = 0x0200;
constexpr uint16_t kFlagRd = 0x0100;
constexpr uint16_t kFlagRa = 0x0080;
constexpr uint16_t kFlagAd = 0x0020;
constexpr uint16_t kFlagCd = 0x0010;

struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t qdcount = 0;
  uint16_t ancount = 0;
  uint16_t nscount = 0;
  uint16_t arcount = 0;

  bool qr() const { return (flags & kFlagQr) != 0; }
  Opcode opcode() const { return static_cast<Opcode>((flags >> 11) & 0xF); }
  uint8_t rcode() const { return static_cast<uint8_t>(flags & 0xF); }
  void set_opcode(Opcode op) {
    flags = static_cast<uint16_t>((flags & ~0x7800) | (static_cast<unsigned>(op) << 11));
  }
  void set_rcode(uint8_t rcode) { flags = static_cast<uint16_t>((flags & ~0xF) | (rcode & 0xF)); }
};

// Reads the 12-byte header. Fails the reader if fewer bytes remain.
Header ReadHeader(Reader& reader);

struct Question {
  Name name;
  RrType type = RrType::kA;
  uint16_t klass = 1;
};

struct Rr {
  Name owner;
  RrType type = RrType::kA;
  uint16_t klass = 1;
  uint32_t ttl = 0;
  std::vector<uint8_t> rdata;  // canonical uncompressed wire form; empty if RDLENGTH was 0
};

struct EdnsOption {
  uint16_t code = 0;
  std::vector<uint8_t> data;
};

// RFC 6891 6.1.3: the OPT record's fields.
struct Edns {
  uint16_t udp_size = 0;
  uint8_t extended_rcode = 0;  // upper 8 bits of the 12-bit RCODE
  uint8_t version = 0;
  bool dnssec_ok = false;
  std::vector<EdnsOption> options;
};

constexpr uint16_t kEdnsDoBit = 0x8000;

struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<Rr> answers;
  std::vector<Rr> authority;
  std::vector<Rr> additional;  // without the OPT record
  std::optional<Edns> edns;
  // Offset of the last additional record if it is a TSIG record (RFC 8945 5.1), else 0.
  size_t tsig_offset = 0;
};

// Parses and validates a whole message: counts are capped by the bytes present, names are
// validated, RDATA of known types is checked and decompressed, at most one OPT record (owner
// root, in the additional section), TSIG only as the last record, no trailing bytes.
// An error means FORMERR (if the header was readable) or drop.
Result<Message> ParseMessage(std::span<const uint8_t> wire);

}  // namespace tether::dns
