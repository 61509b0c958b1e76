// TransferDispatcher: where the DNS front end hands zone transfer requests (QTYPE AXFR or
// IXFR), which it does not answer itself. Implemented by the application on top of xfr/;
// the front end never waits for it. Without one, transfers are REFUSED by the query path.
//
// Thread-safety: Dispatch is called from UDP workers and the TCP loop concurrently.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace tether::server {

// One received transfer request. `send(message, last)` is called for each response
// message in order, possibly later and on another thread; the last call has last = true
// and may carry an empty message (nothing more to send).
struct InboundTransfer {
  std::vector<uint8_t> message;
  sockaddr_storage peer{};
  bool tcp = false;
  std::function<void(std::vector<uint8_t> message, bool last)> send;
};

class TransferDispatcher {
 public:
  virtual ~TransferDispatcher() = default;
  virtual void Dispatch(InboundTransfer transfer) = 0;
};

// True if `message` is a query (QR=0, opcode QUERY) with one question of type AXFR or
// IXFR. Reads only within `size`; a malformed question is left to the query path.
inline bool IsTransferRequest(const uint8_t* message, size_t size) {
  if (size < 12 || (message[2] & 0x80) != 0 || ((message[2] >> 3) & 0xF) != 0) return false;
  if (message[4] != 0 || message[5] != 1) return false;
  size_t pos = 12;
  while (pos < size && message[pos] != 0) {
    if ((message[pos] & 0xC0) != 0) return false;
    pos += 1 + message[pos];
  }
  if (pos + 3 > size - 1 || pos + 2 >= size) return false;
  const unsigned qtype = (unsigned{message[pos + 1]} << 8) | message[pos + 2];
  return qtype == 251 || qtype == 252;
}

}  // namespace tether::server
