// Fuzzes the store's blob parsers (store/blob_codec.h), which read bytes from the database
// file: the RRsets of a name, the RRs of a journal entry, an owner key, and SOA RDATA.
// Nothing may crash or read out of bounds, and everything that parses must encode back to
// exactly the input (the formats have one encoding), or the fuzzer aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "store/blob_codec.h"
#include "store/serial.h"

namespace {

using namespace tether;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "store blob round trip failed: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  std::vector<uint8_t> encoded;

  if (auto rrsets = store::DecodeRrsets(input)) {
    store::EncodeRrsets(*rrsets, &encoded);
    Check(std::vector<uint8_t>(input.begin(), input.end()) == encoded, "rrsets");
  }
  if (auto rrs = store::DecodeJournalRrs(input)) {
    store::EncodeJournalRrs(*rrs, &encoded);
    Check(std::vector<uint8_t>(input.begin(), input.end()) == encoded, "journal");
  }
  static const dns::Name kOrigin = *dns::Name::FromText("example.");
  if (auto name = store::NameFromOwnerKey(input, kOrigin)) {
    auto key = store::OwnerKey(*name, kOrigin);
    Check(std::vector<uint8_t>(key.begin(), key.end()) ==
              std::vector<uint8_t>(input.begin(), input.end()),
          "owner key");
  }
  if (auto serial = store::SoaSerial(input)) {
    std::vector<uint8_t> rdata(input.begin(), input.end());
    Check(store::SetSoaSerial(&rdata, *serial + 1).has_value(), "soa serial");
    Check(*store::SoaSerial(rdata) == *serial + 1, "soa serial rewrite");
  }
  return 0;
}
