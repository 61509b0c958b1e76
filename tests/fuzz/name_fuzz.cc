// Fuzzes name parsing: ReadName over arbitrary bytes at every offset of the first 64 (with
// and without lowercasing), and Name::FromText over the input as text. Every name that
// parses must survive ToText -> FromText unchanged; any disagreement aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dns/name.h"
#include "dns/wire/reader.h"

namespace {

using tether::dns::Name;

void CheckTextRoundTrip(const Name& name) {
  std::string text = name.ToText();
  auto again = Name::FromText(text);
  if (!again || !(*again == name)) {
    std::fprintf(stderr, "name text round trip failed: %s\n", text.c_str());
    std::abort();
  }
}

void CheckReadAt(const uint8_t* data, size_t size, size_t offset, bool lowercase) {
  tether::dns::Reader reader({data, size});
  reader.Skip(offset);
  uint8_t buffer[Name::kMaxWire];
  size_t length = tether::dns::ReadName(reader, buffer, lowercase);
  if (length == 0) {
    if (reader.ok()) std::abort();  // failure must latch
    return;
  }
  if (!reader.ok() || reader.offset() <= offset) std::abort();  // a name consumes bytes
  auto name = Name::FromWire({buffer, length});
  if (!name) {
    std::fprintf(stderr, "ReadName produced an invalid name\n");
    std::abort();
  }
  CheckTextRoundTrip(*name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  for (size_t offset = 0; offset < size && offset < 64; ++offset) {
    CheckReadAt(data, size, offset, false);
    CheckReadAt(data, size, offset, true);
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto origin = Name::FromText("example.");
  auto name = Name::FromText(text, *origin);
  if (name) {
    if (name->size() > Name::kMaxWire || !Name::FromWire(name->wire())) std::abort();
    CheckTextRoundTrip(*name);
  }
  return 0;
}
