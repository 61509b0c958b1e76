#include "store/serial.h"

#include "dns/wire/reader.h"
#include "store/blob_codec.h"

namespace tether::store {

bool SerialGreater(uint32_t a, uint32_t b) {
  constexpr uint32_t kHalf = 1u << 31;
  return (a < b && b - a > kHalf) || (a > b && a - b < kHalf);
}

uint32_t NextSerial(SerialPolicy policy, uint32_t serial, int64_t now) {
  const uint32_t next = serial + 1;  // unsigned: wraps at 2^32 as RFC 1982 3.1 adds
  if (policy == SerialPolicy::kUnixTime) {
    // Serials are 32 bits; RFC 1982 arithmetic makes the truncated time usable after 2106.
    const auto now32 = static_cast<uint32_t>(now);
    if (SerialGreater(now32, serial)) return now32;
  }
  return next;
}

Result<size_t> SoaSerialOffset(std::span<const uint8_t> rdata) {
  dns::Reader reader(rdata);
  if (!SkipUncompressedName(reader) || !SkipUncompressedName(reader) || reader.remaining() != 20) {
    return InvalidArgument("malformed SOA RDATA ({} bytes)", rdata.size());
  }
  return reader.offset();
}

Result<uint32_t> SoaSerial(std::span<const uint8_t> rdata) {
  ASSIGN_OR_RETURN(size_t offset, SoaSerialOffset(rdata));
  dns::Reader reader(rdata.subspan(offset));
  return reader.U32();
}

Status SetSoaSerial(std::vector<uint8_t>* rdata, uint32_t serial) {
  ASSIGN_OR_RETURN(size_t offset, SoaSerialOffset(*rdata));
  for (int i = 0; i < 4; ++i) {
    (*rdata)[offset + static_cast<size_t>(i)] = static_cast<uint8_t>(serial >> (24 - 8 * i));
  }
  return Ok();
}

}  // namespace tether::store
