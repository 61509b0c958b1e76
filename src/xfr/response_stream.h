// Building the messages of a zone transfer response (RFC 5936 2.2, RFC 1995 4): records
// are packed into as few messages as fit `max_size` each, owner names compressed, the
// question copied into every message, and every message TSIG-signed when the request was
// (RFC 8945 5.3.1). Also the single-message answers (errors, the up-to-date SOA).
// Pure functions of their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "base/result.h"
#include "dns/rr_type.h"
#include "dns/wire/tsig.h"
#include "xfr/record_list.h"

namespace tether::xfr {

// What every response message repeats from the request.
struct ResponseHeader {
  uint16_t id = 0;
  bool rd = false;                    // copied from the request
  std::span<const uint8_t> question;  // QNAME (uncompressed), QTYPE, QCLASS; may be empty
};

// The largest TCP message (RFC 1035 4.2.2), less room for our TSIG record.
inline constexpr size_t kMaxTcpMessage = 65535;
inline constexpr size_t kTsigRoom = 400;

// Called with each finished message, in order.
using MessageSink = std::function<void(std::vector<uint8_t>)>;

// Sends `records` as one or more NOERROR, AA messages of at most `max_size` bytes (the
// signature included). `signer` may be null (unsigned). Fails (sending nothing more) if a
// single record does not fit a message, or signing fails.
Status SendRecords(const ResponseHeader& header, const RecordList& records, size_t max_size,
                   dns::TsigStreamSigner* signer, uint64_t now, const MessageSink& sink);

// One message without records and with `rcode`; signed with `tsig` if it verified or
// carried a TSIG error (RFC 8945 5.3.2), else unsigned.
std::vector<uint8_t> ErrorResponse(const ResponseHeader& header, dns::Rcode rcode,
                                   const dns::TsigVerification* tsig, uint64_t now);

}  // namespace tether::xfr
