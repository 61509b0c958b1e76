// UpdateDispatcher: where the DNS front end hands messages it does not answer itself
// (opcodes UPDATE and NOTIFY). Implemented by the application on top of the update path; the front end
// never waits for it.
//
// Thread-safety: Dispatch is called from UDP workers and the TCP loop concurrently.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace tether::server {

// One received message for the update path. `reply` must be called exactly once, possibly
// later and on another thread; an empty response means "send nothing".
struct InboundUpdate {
  std::vector<uint8_t> message;
  sockaddr_storage peer{};
  std::function<void(std::vector<uint8_t>)> reply;
};

class UpdateDispatcher {
 public:
  virtual ~UpdateDispatcher() = default;
  // Takes the messages and returns at once: the query threads hand over what a batch of
  // datagrams held in one call and do none of the work (parsing, TSIG) themselves.
  virtual void Dispatch(std::vector<InboundUpdate> updates) = 0;
};

// True if `message` is a request (QR=0) with opcode UPDATE, or NOTIFY (RFC 1996: for the
// secondary zones; the receiver tells them apart).
inline bool IsUpdateRequest(const uint8_t* message, size_t size) {
  if (size < 12 || (message[2] & 0x80) != 0) return false;
  const unsigned opcode = (message[2] >> 3) & 0xF;
  return opcode == 5 || opcode == 4;
}

}  // namespace tether::server
