// Fuzzes the master-file reader (RFC 1035 5), the zone checks and the writer over arbitrary
// text. Checks that every record read has valid RDATA, and that a zone that loads is
// written out in a form that loads again to the same content (a round trip).
//
// $INCLUDE is refused (max_include_depth 0) so no input can read real files. The sink
// stops the read after a bounded number of records so that $GENERATE cannot make one input
// run for long.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "dns/rdata.h"
#include "zone/master_file.h"
#include "zone/master_reader.h"

namespace {

using namespace tether;

constexpr size_t kMaxRecords = 20000;

void CheckRoundTrip(const zone::MasterFileOptions& options, std::vector<zone::NameUpdate> updates) {
  zone::Zone original(options.origin);
  if (!original.Apply(updates)) return;  // e.g. an RRset over 64 KiB
  std::ostringstream written;
  if (!zone::WriteMasterFile(original, written)) __builtin_trap();
  auto reread = zone::LoadZoneUpdatesFromText(written.str(), "written", options);
  if (!reread) __builtin_trap();
  zone::Zone copy(options.origin);
  if (!copy.Apply(std::move(*reread))) __builtin_trap();
  for (const auto& update : updates) {
    if (original.Get(update.name) != copy.Get(update.name)) __builtin_trap();
  }
  if (copy.Stats().nodes != original.Stats().nodes) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const dns::Name kOrigin = *dns::Name::FromText("example.");
  std::string_view text(reinterpret_cast<const char*>(data), size);
  zone::MasterFileOptions options;
  options.origin = kOrigin;
  options.max_include_depth = 0;

  size_t count = 0;
  Status status =
      zone::ReadMasterText(text, "fuzz", options, [&](zone::MasterRecord&& record) -> Status {
        if (!dns::ValidateRdata(record.type, record.rdata)) __builtin_trap();
        if (++count > kMaxRecords) return InvalidArgument("too many records");
        return Ok();
      });
  (void)status;
  if (count > kMaxRecords) return 0;
  auto updates = zone::LoadZoneUpdatesFromText(text, "fuzz", options);
  if (updates) CheckRoundTrip(options, std::move(*updates));
  return 0;
}
