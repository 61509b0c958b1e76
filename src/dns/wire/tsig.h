// TSIG (RFC 8945): verifying signed requests, signing responses (also the signed error
// responses the RFC requires), and signing requests / verifying responses for the client
// side (tests now, NOTIFY and zone transfers later). HMAC comes from OpenSSL; MACs are
// compared in constant time.
//
// Pure functions over their arguments; thread-safe. The key lookup callback is called on
// the caller's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dns/name.h"
#include "dns/wire/writer.h"

namespace tether::dns {

enum class TsigAlgorithm { kHmacMd5, kHmacSha1, kHmacSha224, kHmacSha256, kHmacSha384, kHmacSha512 };

// "hmac-sha256" etc. (what nsupdate -y and knsupdate -y take; "hmac-md5" for
// hmac-md5.sig-alg.reg.int.).
std::string_view TsigAlgorithmString(TsigAlgorithm algorithm);
std::optional<TsigAlgorithm> TsigAlgorithmFromString(std::string_view text);
// The algorithm's domain name as it appears in a TSIG record.
Name TsigAlgorithmName(TsigAlgorithm algorithm);
std::optional<TsigAlgorithm> TsigAlgorithmFromName(const Name& name);
size_t TsigMacSize(TsigAlgorithm algorithm);

struct TsigKey {
  Name name;  // lowercase
  TsigAlgorithm algorithm = TsigAlgorithm::kHmacSha256;
  std::vector<uint8_t> secret;
};

// Finds a key by (lowercase) name; returns null if unknown. The key must stay valid until
// the call that received it returns.
using TsigKeyLookup = std::function<const TsigKey*(const Name& name)>;

// The fields of a TSIG record (RFC 8945 4.2).
struct TsigRecord {
  Name key_name;
  Name algorithm;
  uint64_t time_signed = 0;  // 48 bits
  uint16_t fudge = 300;
  std::vector<uint8_t> mac;
  uint16_t original_id = 0;
  uint16_t error = 0;
  std::vector<uint8_t> other;
};

enum class TsigStatus {
  kUnsigned,  // no TSIG record
  kOk,
  kFormErr,   // malformed TSIG (not last, bad fields, bad MAC size) or a message too malformed
              // to find it: answer FORMERR, unsigned
  kBadKey,    // unknown key or algorithm mismatch (RFC 8945 5.2.1)
  kBadSig,    // MAC does not verify (5.2.2)
  kBadTime,   // outside the time window (5.2.3); the response is signed
  kBadTrunc,  // MAC shorter than allowed (5.2.2.1)
};

struct TsigVerification {
  TsigStatus status = TsigStatus::kUnsigned;
  const TsigKey* key = nullptr;  // the matching key (set for kOk, kBadTime and kBadTrunc)
  TsigRecord record;             // the request's TSIG record (if any)
  size_t tsig_offset = 0;        // offset of the TSIG record in the request
};

// RFC 8945 5.2: checks the TSIG record (if any) of a request. `now` in unix seconds.
TsigVerification VerifyRequest(std::span<const uint8_t> message, const TsigKeyLookup& keys,
                               uint64_t now);

// The TSIG error code to put in the response's TSIG record for a verification outcome
// (0, BADKEY=17, BADSIG=16, BADTIME=18, BADTRUNC=22), and the header RCODE (NOTAUTH for
// the TSIG errors, RFC 8945 5.3.2).
uint16_t TsigErrorFor(TsigStatus status);

// RFC 8945 5.3: appends the TSIG record to a complete response held in `writer` (header
// counts and RCODE already final: the caller sets NOTAUTH for a TSIG error) and increments
// ARCOUNT. For kOk, kBadTime and kBadTrunc the record is signed with the request's key over
// the request MAC and the response; for kBadTime, Time Signed is the request's and Other
// Data our time (5.2.3); for kBadKey/kBadSig it carries an empty MAC (5.3.2). Returns false,
// leaving the writer as it was, if it does not fit the writer's limit.
// REQUIRES: request.status is not kUnsigned or kFormErr (false is returned if it is).
bool SignResponse(Writer& writer, const TsigVerification& request, uint64_t now);

// RFC 8945 5.3.1: signs the messages of a multi-message response (AXFR, IXFR), every one of
// them. The first is signed as SignResponse does (over the request MAC); each later one
// over the prior message's MAC, the message and the timers (time signed, fudge) only.
// REQUIRES: request.status is kOk (Sign returns false otherwise). Keeps copies of what it
// needs: `request` may go away after construction. Not thread-safe; one per response.
class TsigStreamSigner {
 public:
  explicit TsigStreamSigner(const TsigVerification& request);
  // Appends the TSIG record to the complete message in `writer` (counts final); false,
  // leaving the writer as it was, if it does not fit.
  bool Sign(Writer& writer, uint64_t now);

 private:
  bool valid_ = false;
  TsigKey key_;
  uint16_t fudge_ = 300;
  std::vector<uint8_t> prior_mac_;  // the request MAC, then each message's own
  bool first_ = true;
};

// Client side of TsigStreamSigner: verifies the messages of a multi-message response in
// order. Every message must be signed (RFC 8945 5.3.1 allows up to 99 unsigned ones in
// between; Tether does not send those, and this client does not accept them yet).
class TsigStreamVerifier {
 public:
  TsigStreamVerifier(TsigKey key, std::span<const uint8_t> request_mac)
      : key_(std::move(key)), prior_mac_(request_mac.begin(), request_mac.end()) {}
  TsigStatus Verify(std::span<const uint8_t> message, uint64_t now);

 private:
  TsigKey key_;
  std::vector<uint8_t> prior_mac_;
  bool first_ = true;
};

// Client side: appends a TSIG record signing the request in `writer`; returns its MAC
// (needed to verify the response), or nullopt if it does not fit.
std::optional<std::vector<uint8_t>> SignRequest(Writer& writer, const TsigKey& key, uint64_t now,
                                                uint16_t fudge = 300);
// Client side: verifies a response to a request whose MAC was `request_mac`. kOk only if
// the MAC verifies, the TSIG error is 0 and the time is within the fudge; a TSIG error the
// server sent (unsigned BADKEY/BADSIG, signed BADTIME/BADTRUNC) is returned as that status.
TsigStatus VerifyResponse(std::span<const uint8_t> message, const TsigKey& key,
                          std::span<const uint8_t> request_mac, uint64_t now);

}  // namespace tether::dns
