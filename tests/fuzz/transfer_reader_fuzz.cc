// Fuzzes the secondary side's reading of zone transfer responses (xfr/transfer_reader.h):
// untrusted messages from a primary, fed one at a time as they come off TCP, then the
// content of a full transfer built as FullContent builds it for the store.
//
// Input: one mode byte, then messages each preceded by its 2-byte length (as on TCP).
//   bit 0: the request was an IXFR from serial 5 (else AXFR);
//   bit 1: the request was signed, so every message must verify (a fixed key and MAC).
// The zone is example.com., the request ID 0x4242 (as in corpus/transfer_reader, written by
// make_corpus.py).
#include <cstdint>
#include <span>
#include <vector>

#include "xfr/transfer_apply.h"
#include "xfr/transfer_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tether;
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::span<const uint8_t> input(data + 1, size - 1);
  static const dns::Name origin = *dns::Name::FromText("example.com.");
  xfr::TransferRequestInfo info;
  info.origin = origin;
  info.id = 0x4242;
  info.max_records = 10000;
  if (mode & 1) {
    info.qtype = dns::RrType::kIxfr;
    info.client_serial = 5;
  }
  if (mode & 2) {
    info.key = dns::TsigKey{*dns::Name::FromText("xfr.key."), dns::TsigAlgorithm::kHmacSha256,
                            std::vector<uint8_t>(32, 7)};
    info.request_mac.assign(32, 0x11);
  }
  xfr::TransferReader reader(std::move(info));
  while (input.size() >= 2 && !reader.done()) {
    const size_t length = static_cast<size_t>((input[0] << 8) | input[1]);
    input = input.subspan(2);
    if (length > input.size()) break;  // the connection closed mid-message
    if (!reader.Add(input.first(length), 1800000000)) return 0;
    input = input.subspan(length);
  }
  if (!reader.done()) return 0;
  xfr::Transfer transfer = reader.Take();
  if (transfer.kind == xfr::TransferKind::kFull) (void)xfr::FullContent(origin, transfer);
  return 0;
}
