#include "dns/wire/tsig.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <utility>

#include "dns/rr_type.h"
#include "dns/wire/message.h"
#include "dns/wire/reader.h"

namespace tether::dns {

namespace {

constexpr uint64_t kTime48Mask = (uint64_t{1} << 48) - 1;
constexpr size_t kArcountOffset = 10;
constexpr uint8_t kEmptyKey[1] = {0};

// TSIG error codes (RFC 8945 3, the TSIG RCODEs).
constexpr uint16_t kErrorBadSig = 16;
constexpr uint16_t kErrorBadKey = 17;
constexpr uint16_t kErrorBadTime = 18;
constexpr uint16_t kErrorBadTrunc = 22;

struct AlgorithmInfo {
  TsigAlgorithm algorithm;
  std::string_view text;  // as nsupdate -y takes it
  std::string_view name;  // RFC 8945 6 (and RFC 4635 2): the name in the TSIG record
  const char* digest;     // OpenSSL's digest name
  size_t mac_size;
};

constexpr std::array<AlgorithmInfo, 6> kAlgorithms = {{
    {TsigAlgorithm::kHmacMd5, "hmac-md5", "hmac-md5.sig-alg.reg.int.", "MD5", 16},
    {TsigAlgorithm::kHmacSha1, "hmac-sha1", "hmac-sha1.", "SHA1", 20},
    {TsigAlgorithm::kHmacSha224, "hmac-sha224", "hmac-sha224.", "SHA224", 28},
    {TsigAlgorithm::kHmacSha256, "hmac-sha256", "hmac-sha256.", "SHA256", 32},
    {TsigAlgorithm::kHmacSha384, "hmac-sha384", "hmac-sha384.", "SHA384", 48},
    {TsigAlgorithm::kHmacSha512, "hmac-sha512", "hmac-sha512.", "SHA512", 64},
}};

const AlgorithmInfo& Info(TsigAlgorithm algorithm) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (info.algorithm == algorithm) return info;
  }
  return kAlgorithms[3];  // unreachable for a valid enum value
}

const std::array<Name, kAlgorithms.size()>& AlgorithmNames() {
  static const std::array<Name, kAlgorithms.size()> names = [] {
    std::array<Name, kAlgorithms.size()> out;
    for (size_t i = 0; i < kAlgorithms.size(); ++i) out[i] = *Name::FromText(kAlgorithms[i].name);
    return out;
  }();
  return names;
}

// HMAC (RFC 2104) over a sequence of byte ranges, through OpenSSL's EVP_MAC. One object per
// MAC computed; any OpenSSL failure latches and Final() then returns nullopt. This and the
// Digest* helpers below are the pieces a signer of message sequences (RFC 8945 5.3.1, zone
// transfers) will reuse: DigestPriorMac, DigestMessage per message, then only the timers
// (time signed, fudge) instead of DigestVariables.
class Hmac {
 public:
  Hmac(TsigAlgorithm algorithm, std::span<const uint8_t> secret) {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // shared, immutable
    if (mac == nullptr) return;
    ctx_ = EVP_MAC_CTX_new(mac);
    if (ctx_ == nullptr) return;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                         const_cast<char*>(Info(algorithm).digest), 0),
        OSSL_PARAM_construct_end(),
    };
    // A null key would mean "keep the previous key": pass a valid pointer even for length 0.
    ok_ =
        EVP_MAC_init(ctx_, secret.empty() ? kEmptyKey : secret.data(), secret.size(), params) == 1;
  }
  ~Hmac() { EVP_MAC_CTX_free(ctx_); }
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;

  void Update(std::span<const uint8_t> bytes) {
    if (ok_ && !bytes.empty()) ok_ = EVP_MAC_update(ctx_, bytes.data(), bytes.size()) == 1;
  }
  void U16(uint16_t v) {
    const uint8_t bytes[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    Update(bytes);
  }
  void U48(uint64_t v) {
    uint8_t bytes[6];
    for (int i = 0; i < 6; ++i) bytes[i] = static_cast<uint8_t>(v >> (8 * (5 - i)));
    Update(bytes);
  }
  std::optional<std::vector<uint8_t>> Final() {
    if (!ok_) return std::nullopt;
    std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
    size_t size = 0;
    if (EVP_MAC_final(ctx_, out.data(), &size, out.size()) != 1) return std::nullopt;
    out.resize(size);
    return out;
  }

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
  bool ok_ = false;
};

// RFC 8945 4.3.1/4.3.2: a request MAC (or prior MAC) enters the digest with its length.
void DigestPriorMac(Hmac& hmac, std::span<const uint8_t> mac) {
  hmac.U16(static_cast<uint16_t>(mac.size()));
  hmac.Update(mac);
}

// RFC 8945 4.3.2: the message as it was before the TSIG record was added: the original ID
// and the ARCOUNT without the TSIG record. REQUIRES: message.size() >= kHeaderSize.
void DigestMessage(Hmac& hmac, std::span<const uint8_t> message, uint16_t original_id,
                   uint16_t arcount) {
  uint8_t header[kHeaderSize];
  std::copy_n(message.begin(), kHeaderSize, header);
  header[0] = static_cast<uint8_t>(original_id >> 8);
  header[1] = static_cast<uint8_t>(original_id);
  header[kArcountOffset] = static_cast<uint8_t>(arcount >> 8);
  header[kArcountOffset + 1] = static_cast<uint8_t>(arcount);
  hmac.Update(header);
  hmac.Update(message.subspan(kHeaderSize));
}

// RFC 8945 4.3.3: the TSIG variables. Names in canonical form (RFC 4034 6.2: uncompressed,
// lowercase), class ANY, TTL 0.
void DigestVariables(Hmac& hmac, const TsigRecord& tsig) {
  hmac.Update(tsig.key_name.Lowercased().wire());
  hmac.U16(ToU16(RrClass::kAny));
  hmac.U16(0);  // TTL, 32 bits
  hmac.U16(0);
  hmac.Update(tsig.algorithm.Lowercased().wire());
  hmac.U48(tsig.time_signed);
  hmac.U16(tsig.fudge);
  hmac.U16(tsig.error);
  hmac.U16(static_cast<uint16_t>(tsig.other.size()));
  hmac.Update(tsig.other);
}

// The MAC of one message (RFC 8945 4.3): [request MAC,] the message without its TSIG record,
// the TSIG variables of `tsig`. `message` ends where the TSIG record starts (or would).
std::optional<std::vector<uint8_t>> ComputeMac(const TsigKey& key,
                                               std::optional<std::span<const uint8_t>> request_mac,
                                               std::span<const uint8_t> message, uint16_t arcount,
                                               const TsigRecord& tsig) {
  Hmac hmac(key.algorithm, key.secret);
  if (request_mac) DigestPriorMac(hmac, *request_mac);
  DigestMessage(hmac, message, tsig.original_id, arcount);
  DigestVariables(hmac, tsig);
  return hmac.Final();
}

// RFC 8945 5.3.1: the MAC of a later message of a multi-message response: the prior MAC,
// the message, and only the timers of its TSIG variables.
std::optional<std::vector<uint8_t>> ComputeContinuationMac(const TsigKey& key,
                                                           std::span<const uint8_t> prior_mac,
                                                           std::span<const uint8_t> message,
                                                           uint16_t arcount,
                                                           const TsigRecord& tsig) {
  Hmac hmac(key.algorithm, key.secret);
  DigestPriorMac(hmac, prior_mac);
  DigestMessage(hmac, message, tsig.original_id, arcount);
  hmac.U48(tsig.time_signed);
  hmac.U16(tsig.fudge);
  return hmac.Final();
}

enum class MacSize { kFull, kTruncated, kInvalid };

// RFC 8945 5.2.2.1: longer than the hash, or shorter than both 10 bytes and half the hash,
// is FORMERR; shorter than the hash but not below that floor is a valid truncation.
MacSize CheckMacSize(TsigAlgorithm algorithm, size_t size) {
  size_t full = Info(algorithm).mac_size;
  if (size > full || size < std::max<size_t>(10, full / 2)) return MacSize::kInvalid;
  return size == full ? MacSize::kFull : MacSize::kTruncated;
}

// Compares a received (possibly truncated, RFC 8945 5.2.2.1) MAC with the computed one in
// constant time. REQUIRES: received.size() <= computed.size().
bool MacMatches(std::span<const uint8_t> received, const std::vector<uint8_t>& computed) {
  return !received.empty() && received.size() <= computed.size() &&
         CRYPTO_memcmp(received.data(), computed.data(), received.size()) == 0;
}

// RFC 8945 5.2.3: is `now` within time signed +- fudge?
bool WithinFudge(uint64_t time_signed, uint16_t fudge, uint64_t now) {
  uint64_t skew = now > time_signed ? now - time_signed : time_signed - now;
  return skew <= fudge;
}

// Reads TSIG RDATA (RFC 8945 4.2) from a reader limited to RDLENGTH; it must be consumed
// exactly.
bool ReadTsigRdata(Reader& rdata, TsigRecord* out) {
  // Compression is not expected here (RFC 3597 4), but a backward pointer is harmless: the
  // MAC covers the canonical form of the name, not its encoding.
  if (!ReadName(rdata, &out->algorithm)) return false;
  out->algorithm.Lowercase();
  uint64_t high = rdata.U16();
  out->time_signed = (high << 32) | rdata.U32();
  out->fudge = rdata.U16();
  uint16_t mac_size = rdata.U16();
  auto mac = rdata.Bytes(mac_size);
  out->mac.assign(mac.begin(), mac.end());
  out->original_id = rdata.U16();
  out->error = rdata.U16();
  uint16_t other_len = rdata.U16();
  auto other = rdata.Bytes(other_len);
  out->other.assign(other.begin(), other.end());
  return rdata.ok() && rdata.empty();
}

// The TSIG record of a message, found by walking the whole message through the reader.
struct Located {
  TsigStatus status = TsigStatus::kUnsigned;  // kUnsigned, kFormErr, or kOk when found
  size_t offset = 0;                          // where the TSIG record starts
  uint16_t arcount = 0;                       // ARCOUNT without the TSIG record
  TsigRecord record;
};

// RFC 8945 5.1 / 5.4.1: the TSIG record must be the last record of the additional section,
// of class ANY and TTL 0; one anywhere else, a malformed one, or bytes after it are FORMERR.
Located LocateTsig(std::span<const uint8_t> message) {
  Located out;
  Reader reader(message);
  Header header = ReadHeader(reader);
  uint8_t name[Name::kMaxWire];
  for (uint32_t i = 0; i < header.qdcount && reader.ok(); ++i) {
    ReadName(reader, name);
    reader.Skip(4);
  }
  const uint32_t before_additional = uint32_t{header.ancount} + header.nscount;
  const uint32_t total = before_additional + header.arcount;
  for (uint32_t i = 0; i < total && reader.ok(); ++i) {
    size_t start = reader.offset();
    size_t owner_size = ReadName(reader, name);  // into a buffer: no allocation per record
    auto type = static_cast<RrType>(reader.U16());
    uint16_t klass = reader.U16();
    uint32_t ttl = reader.U32();
    uint16_t rdlength = reader.U16();
    Reader rdata = reader.Sub(rdlength);
    if (!reader.ok() || type != RrType::kTsig) continue;
    if (i + 1 != total || i < before_additional || klass != ToU16(RrClass::kAny) || ttl != 0 ||
        !ReadTsigRdata(rdata, &out.record) || !reader.empty()) {
      out.status = TsigStatus::kFormErr;
      return out;
    }
    out.record.key_name = Name::FromValidWire({name, owner_size}).Lowercased();
    out.status = TsigStatus::kOk;
    out.offset = start;
    out.arcount = static_cast<uint16_t>(header.arcount - 1);
    return out;
  }
  // A message we cannot walk may hide a TSIG record: it is FORMERR, never "unsigned".
  if (!reader.ok()) out.status = TsigStatus::kFormErr;
  return out;
}

uint16_t HeaderU16(std::span<const uint8_t> message, size_t offset) {
  return static_cast<uint16_t>((message[offset] << 8) | message[offset + 1]);
}

std::vector<uint8_t> Time48(uint64_t time) {
  std::vector<uint8_t> out;
  for (int shift = 40; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(time >> shift));
  return out;
}

// Appends the TSIG record (owner uncompressed) and counts it in ARCOUNT. On failure the
// writer is left as it was.
bool AppendTsig(Writer& writer, const TsigRecord& tsig) {
  uint16_t arcount = HeaderU16(writer.view(), kArcountOffset);
  if (arcount == 0xFFFF) return false;
  Writer::Mark mark = writer.GetMark();
  writer.Name(tsig.key_name.wire(), /*compress=*/false);
  writer.U16(ToU16(RrType::kTsig));
  writer.U16(ToU16(RrClass::kAny));
  writer.U32(0);
  size_t rdlength_at = writer.size();
  writer.U16(0);
  writer.Name(tsig.algorithm.wire(), /*compress=*/false);  // RFC 8945 4.2: not compressed
  writer.U16(static_cast<uint16_t>(tsig.time_signed >> 32));
  writer.U32(static_cast<uint32_t>(tsig.time_signed));
  writer.U16(tsig.fudge);
  writer.U16(static_cast<uint16_t>(tsig.mac.size()));
  writer.Bytes(tsig.mac);
  writer.U16(tsig.original_id);
  writer.U16(tsig.error);
  writer.U16(static_cast<uint16_t>(tsig.other.size()));
  writer.Bytes(tsig.other);
  if (!writer.ok()) {
    writer.Rewind(mark);
    return false;
  }
  writer.PatchU16(rdlength_at, static_cast<uint16_t>(writer.size() - rdlength_at - 2));
  writer.PatchU16(kArcountOffset, static_cast<uint16_t>(arcount + 1));
  return true;
}

}  // namespace

std::string_view TsigAlgorithmString(TsigAlgorithm algorithm) { return Info(algorithm).text; }

std::optional<TsigAlgorithm> TsigAlgorithmFromString(std::string_view text) {
  for (const AlgorithmInfo& info : kAlgorithms) {
    if (text.size() == info.text.size() &&
        std::equal(text.begin(), text.end(), info.text.begin(), [](char a, char b) {
          return AsciiLower(static_cast<uint8_t>(a)) == static_cast<uint8_t>(b);
        })) {
      return info.algorithm;
    }
  }
  return std::nullopt;
}

Name TsigAlgorithmName(TsigAlgorithm algorithm) {
  for (size_t i = 0; i < kAlgorithms.size(); ++i) {
    if (kAlgorithms[i].algorithm == algorithm) return AlgorithmNames()[i];
  }
  return AlgorithmNames()[3];
}

std::optional<TsigAlgorithm> TsigAlgorithmFromName(const Name& name) {
  for (size_t i = 0; i < kAlgorithms.size(); ++i) {
    if (AlgorithmNames()[i].EqualsIgnoreCase(name)) return kAlgorithms[i].algorithm;
  }
  return std::nullopt;
}

size_t TsigMacSize(TsigAlgorithm algorithm) { return Info(algorithm).mac_size; }

TsigVerification VerifyRequest(std::span<const uint8_t> message, const TsigKeyLookup& keys,
                               uint64_t now) {
  TsigVerification result;
  Located located = LocateTsig(message);
  result.status = located.status;
  if (located.status != TsigStatus::kOk) return result;
  result.record = std::move(located.record);
  result.tsig_offset = located.offset;
  const TsigRecord& tsig = result.record;

  // RFC 8945 5.2: key, then MAC, then time, then truncation.
  // 5.2.1: an unknown key, or an algorithm other than the key's, is BADKEY.
  const TsigKey* key = keys ? keys(tsig.key_name) : nullptr;
  std::optional<TsigAlgorithm> algorithm = TsigAlgorithmFromName(tsig.algorithm);
  if (key == nullptr || !algorithm || *algorithm != key->algorithm) {
    result.status = TsigStatus::kBadKey;
    return result;
  }
  // 5.2.2.1: a MAC longer than the hash or below the truncation floor is FORMERR.
  if (CheckMacSize(*algorithm, tsig.mac.size()) == MacSize::kInvalid) {
    result.status = TsigStatus::kFormErr;
    return result;
  }
  // 5.2.2: a truncated MAC is compared with the same leading bytes of the computed one.
  auto mac = ComputeMac(*key, std::nullopt, message.first(located.offset), located.arcount, tsig);
  if (!mac || !MacMatches(tsig.mac, *mac)) {
    result.status = TsigStatus::kBadSig;
    return result;
  }
  result.key = key;
  // 5.2.3
  if (!WithinFudge(tsig.time_signed, tsig.fudge, now)) {
    result.status = TsigStatus::kBadTime;
    return result;
  }
  // 5.2.4: our local truncation policy is the RFC's floor, already enforced above, so BADTRUNC
  // is never the outcome of a request that reached this point.
  result.status = TsigStatus::kOk;
  return result;
}

uint16_t TsigErrorFor(TsigStatus status) {
  switch (status) {
    case TsigStatus::kBadSig:
      return kErrorBadSig;
    case TsigStatus::kBadKey:
      return kErrorBadKey;
    case TsigStatus::kBadTime:
      return kErrorBadTime;
    case TsigStatus::kBadTrunc:
      return kErrorBadTrunc;
    case TsigStatus::kUnsigned:
    case TsigStatus::kOk:
    case TsigStatus::kFormErr:
      break;
  }
  return 0;
}

bool SignResponse(Writer& writer, const TsigVerification& request, uint64_t now) {
  if (!writer.ok() || writer.size() < kHeaderSize) return false;
  TsigRecord tsig;
  tsig.time_signed = now & kTime48Mask;
  tsig.fudge = request.record.fudge;
  tsig.original_id = HeaderU16(writer.view(), 0);
  tsig.error = TsigErrorFor(request.status);
  switch (request.status) {
    case TsigStatus::kBadKey:
    case TsigStatus::kBadSig:
      // RFC 8945 5.3.2: errors about the key or the MAC go back unsigned (MAC size 0), naming
      // the key and algorithm the request used.
      tsig.key_name = request.record.key_name;
      tsig.algorithm = request.record.algorithm;
      return AppendTsig(writer, tsig);
    case TsigStatus::kBadTime:
      // RFC 8945 5.2.3 and 5.3.2: signed; Other Data carries the server's time. Time Signed
      // is the request's, as BIND and Knot do, so that the client's own time check passes
      // and it can read our clock from Other Data.
      tsig.time_signed = request.record.time_signed;
      tsig.other = Time48(now & kTime48Mask);
      break;
    case TsigStatus::kOk:
    case TsigStatus::kBadTrunc:
      break;
    case TsigStatus::kUnsigned:
    case TsigStatus::kFormErr:
      return false;
  }
  if (request.key == nullptr) return false;
  tsig.key_name = request.key->name.Lowercased();
  tsig.algorithm = TsigAlgorithmName(request.key->algorithm);
  // RFC 8945 4.3.1 and 5.3: the request MAC (as received, truncated or not), the response,
  // the response's TSIG variables.
  auto mac = ComputeMac(*request.key, request.record.mac, writer.view(),
                        HeaderU16(writer.view(), kArcountOffset), tsig);
  if (!mac) return false;
  tsig.mac = std::move(*mac);
  return AppendTsig(writer, tsig);
}

std::optional<std::vector<uint8_t>> SignRequest(Writer& writer, const TsigKey& key, uint64_t now,
                                                uint16_t fudge) {
  if (!writer.ok() || writer.size() < kHeaderSize) return std::nullopt;
  TsigRecord tsig;
  tsig.key_name = key.name.Lowercased();
  tsig.algorithm = TsigAlgorithmName(key.algorithm);
  tsig.time_signed = now & kTime48Mask;
  tsig.fudge = fudge;
  tsig.original_id = HeaderU16(writer.view(), 0);
  // RFC 8945 4.3.2: a request's MAC covers the message and the variables only.
  auto mac =
      ComputeMac(key, std::nullopt, writer.view(), HeaderU16(writer.view(), kArcountOffset), tsig);
  if (!mac) return std::nullopt;
  tsig.mac = std::move(*mac);
  if (!AppendTsig(writer, tsig)) return std::nullopt;
  return std::move(tsig.mac);
}

TsigStatus VerifyResponse(std::span<const uint8_t> message, const TsigKey& key,
                          std::span<const uint8_t> request_mac, uint64_t now) {
  Located located = LocateTsig(message);
  if (located.status != TsigStatus::kOk) return located.status;
  const TsigRecord& tsig = located.record;
  std::optional<TsigAlgorithm> algorithm = TsigAlgorithmFromName(tsig.algorithm);
  if (!tsig.key_name.EqualsIgnoreCase(key.name) || !algorithm || *algorithm != key.algorithm) {
    return TsigStatus::kBadKey;
  }
  // RFC 8945 5.3.2: BADKEY and BADSIG come back unsigned; report the server's verdict.
  if (tsig.mac.empty() && tsig.error == kErrorBadKey) return TsigStatus::kBadKey;
  if (tsig.mac.empty() && tsig.error == kErrorBadSig) return TsigStatus::kBadSig;
  // RFC 8945 5.4.1: the client checks a response like the server checks a request.
  if (CheckMacSize(*algorithm, tsig.mac.size()) == MacSize::kInvalid) return TsigStatus::kFormErr;
  auto mac = ComputeMac(key, request_mac, message.first(located.offset), located.arcount, tsig);
  if (!mac || !MacMatches(tsig.mac, *mac)) return TsigStatus::kBadSig;
  switch (tsig.error) {
    case 0:
      break;
    case kErrorBadTime:
      return TsigStatus::kBadTime;
    case kErrorBadTrunc:
      return TsigStatus::kBadTrunc;
    case kErrorBadSig:
      return TsigStatus::kBadSig;
    case kErrorBadKey:
      return TsigStatus::kBadKey;
    default:
      return TsigStatus::kFormErr;  // an error TSIG does not define
  }
  if (!WithinFudge(tsig.time_signed, tsig.fudge, now)) return TsigStatus::kBadTime;
  return TsigStatus::kOk;
}

}  // namespace tether::dns

namespace tether::dns {

TsigStreamSigner::TsigStreamSigner(const TsigVerification& request) {
  if (request.status != TsigStatus::kOk || request.key == nullptr) return;
  valid_ = true;
  key_ = *request.key;
  fudge_ = request.record.fudge;
  prior_mac_ = request.record.mac;
}

bool TsigStreamSigner::Sign(Writer& writer, uint64_t now) {
  if (!valid_ || !writer.ok() || writer.size() < kHeaderSize) return false;
  TsigRecord tsig;
  tsig.key_name = key_.name.Lowercased();
  tsig.algorithm = TsigAlgorithmName(key_.algorithm);
  tsig.time_signed = now & kTime48Mask;
  tsig.fudge = fudge_;
  tsig.original_id = HeaderU16(writer.view(), 0);
  const uint16_t arcount = HeaderU16(writer.view(), kArcountOffset);
  auto mac = first_ ? ComputeMac(key_, prior_mac_, writer.view(), arcount, tsig)
                    : ComputeContinuationMac(key_, prior_mac_, writer.view(), arcount, tsig);
  if (!mac) return false;
  tsig.mac = *mac;
  if (!AppendTsig(writer, tsig)) return false;
  prior_mac_ = std::move(*mac);
  first_ = false;
  return true;
}

TsigStatus TsigStreamVerifier::Verify(std::span<const uint8_t> message, uint64_t now) {
  if (first_) {
    TsigStatus status = VerifyResponse(message, key_, prior_mac_, now);
    if (status != TsigStatus::kOk) return status;
    first_ = false;
    prior_mac_ = LocateTsig(message).record.mac;
    return status;
  }
  Located located = LocateTsig(message);
  if (located.status != TsigStatus::kOk) {
    return located.status == TsigStatus::kUnsigned ? TsigStatus::kFormErr : located.status;
  }
  const TsigRecord& tsig = located.record;
  std::optional<TsigAlgorithm> algorithm = TsigAlgorithmFromName(tsig.algorithm);
  if (!tsig.key_name.EqualsIgnoreCase(key_.name) || !algorithm || *algorithm != key_.algorithm) {
    return TsigStatus::kBadKey;
  }
  if (CheckMacSize(*algorithm, tsig.mac.size()) == MacSize::kInvalid) return TsigStatus::kFormErr;
  auto mac = ComputeContinuationMac(key_, prior_mac_, message.first(located.offset),
                                    located.arcount, tsig);
  if (!mac || !MacMatches(tsig.mac, *mac)) return TsigStatus::kBadSig;
  if (tsig.error != 0) return TsigStatus::kFormErr;
  if (!WithinFudge(tsig.time_signed, tsig.fudge, now)) return TsigStatus::kBadTime;
  prior_mac_ = tsig.mac;
  return TsigStatus::kOk;
}

}  // namespace tether::dns
