// Fuzzes the presentation parser: the first two bytes are the RR type, the rest is RDATA
// text. Whatever parses must be valid wire RDATA whose printed form parses back to the same
// bytes, and which survives WriteRdata + RdataFromWire; any disagreement aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "dns/rdata.h"
#include "dns/wire/reader.h"
#include "dns/wire/writer.h"

namespace {

[[noreturn]] void Die(const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether::dns;
  if (size < 2) return 0;
  auto type = static_cast<RrType>(data[0] << 8 | data[1]);
  std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  static const Name origin = *Name::FromText("example.");
  auto wire = RdataFromString(type, text, origin);
  if (!wire) return 0;

  auto valid = ValidateRdata(type, *wire);
  if (!valid) Die("parsed RDATA is not valid", valid.error().message);
  std::string printed = RdataToText(type, *wire);
  auto again = RdataFromString(type, printed, Name::Root());
  if (!again) Die("printed RDATA does not parse", printed + " -> " + again.error().message);
  if (*again != *wire) Die("presentation round trip changed the RDATA", printed);

  // Into a message after a header and the origin (so names can be compressed against it)
  // and back. Pointers into the 12-byte header are refused by ReadName.
  static uint8_t buffer[70000];
  Writer writer(buffer, sizeof(buffer));
  for (int i = 0; i < 12; ++i) writer.U8(0);
  writer.Name(origin.wire(), true);
  size_t rdata_start = writer.size();
  WriteRdata(writer, type, *wire);
  if (!writer.ok()) Die("WriteRdata overflowed", printed);
  Reader reader(writer.view());
  reader.Skip(rdata_start);
  uint16_t length = reader.U16();
  auto from_wire = RdataFromWire(type, reader.Sub(length));
  if (!from_wire) Die("written RDATA does not parse", printed + " -> " + from_wire.error().message);
  // Compression matches names case-insensitively (RFC 4343 4.1 lets the case of a repeated
  // name be lost), so compare the canonical forms.
  std::vector<uint8_t> expected = *wire;
  CanonicalizeRdata(type, &expected);
  CanonicalizeRdata(type, &*from_wire);
  if (*from_wire != expected) Die("wire round trip changed the RDATA", printed);
  return 0;
}
