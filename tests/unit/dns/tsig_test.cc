#include "dns/wire/tsig.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "dns/wire/message.h"
#include "hex_util.h"

namespace tether::dns {
namespace {

constexpr uint64_t kNow = 1800000000;
constexpr TsigAlgorithm kAllAlgorithms[] = {TsigAlgorithm::kHmacMd5,    TsigAlgorithm::kHmacSha1,
                                            TsigAlgorithm::kHmacSha224, TsigAlgorithm::kHmacSha256,
                                            TsigAlgorithm::kHmacSha384, TsigAlgorithm::kHmacSha512};

Name N(std::string_view text) { return *Name::FromText(text); }

std::vector<uint8_t> Base64(std::string_view text) {
  std::vector<uint8_t> out(text.size());
  int size = EVP_DecodeBlock(out.data(), reinterpret_cast<const uint8_t*>(text.data()),
                             static_cast<int>(text.size()));
  EXPECT_GE(size, 0);
  size -= static_cast<int>(std::count(text.begin(), text.end(), '='));
  out.resize(static_cast<size_t>(std::max(size, 0)));
  return out;
}

TsigKey Key(std::string_view name, TsigAlgorithm algorithm, std::string_view secret = "c2VjcmV0") {
  return TsigKey{N(name), algorithm, Base64(secret)};
}

// Captured requests of real clients (see testdata/capture_tsig.py), one hex line each.
std::vector<uint8_t> Golden(const std::string& file) {
  std::ifstream in(std::filesystem::path(__FILE__).parent_path() / "testdata" / file);
  std::string hex((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(hex.empty()) << file;
  return FromHex(hex);
}

// A query for example. A with the given ID and additional count.
void WriteQuery(Writer& writer, uint16_t id, bool response = false) {
  writer.U16(id);
  writer.U16(response ? static_cast<uint16_t>(kFlagQr | kFlagAa) : kFlagRd);
  writer.U16(1);
  writer.U16(0);
  writer.U16(0);
  writer.U16(0);
  writer.Name(N("example.").wire(), false);
  writer.U16(ToU16(RrType::kA));
  writer.U16(1);
}

class TsigTest : public ::testing::Test {
 protected:
  TsigKeyLookup Lookup() {
    return [this](const Name& name) -> const TsigKey* {
      auto it = keys_.find(name.ToText());
      return it == keys_.end() ? nullptr : &it->second;
    };
  }
  void AddKey(const TsigKey& key) { keys_[key.name.ToText()] = key; }

  // A signed query; `mac` receives the request MAC.
  std::vector<uint8_t> SignedQuery(const TsigKey& key, uint64_t now,
                                   std::vector<uint8_t>* mac = nullptr) {
    std::vector<uint8_t> buffer(512);
    Writer writer(buffer.data(), buffer.size());
    WriteQuery(writer, 0x1234);
    auto request_mac = SignRequest(writer, key, now);
    EXPECT_TRUE(request_mac.has_value());
    if (mac != nullptr && request_mac) *mac = *request_mac;
    buffer.resize(writer.size());
    return buffer;
  }

  // The response the server sends for `verification`; empty if SignResponse failed.
  std::vector<uint8_t> Respond(const TsigVerification& verification, uint64_t now) {
    std::vector<uint8_t> buffer(512);
    Writer writer(buffer.data(), buffer.size());
    WriteQuery(writer, 0x1234, /*response=*/true);
    if (!SignResponse(writer, verification, now)) return {};
    buffer.resize(writer.size());
    return buffer;
  }

  std::map<std::string, TsigKey> keys_;
};

// Rewrites the TSIG record of a signed message: its class, TTL and RDATA, keeping the owner.
std::vector<uint8_t> WithTsig(const std::vector<uint8_t>& message, size_t tsig_offset,
                              uint16_t klass, uint32_t ttl, const std::vector<uint8_t>& rdata) {
  Reader reader(std::span<const uint8_t>(message).subspan(tsig_offset));
  uint8_t owner[Name::kMaxWire];
  size_t owner_size = ReadName(reader, owner);
  std::vector<uint8_t> out(message.begin(), message.begin() + static_cast<long>(tsig_offset));
  out.insert(out.end(), owner, owner + owner_size);
  for (uint32_t v : {uint32_t{ToU16(RrType::kTsig)}, uint32_t{klass}}) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
  }
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(ttl >> shift));
  out.push_back(static_cast<uint8_t>(rdata.size() >> 8));
  out.push_back(static_cast<uint8_t>(rdata.size()));
  out.insert(out.end(), rdata.begin(), rdata.end());
  return out;
}

std::vector<uint8_t> TsigRdata(const TsigRecord& tsig, size_t mac_size_field) {
  std::vector<uint8_t> buffer(1024);
  Writer writer(buffer.data(), buffer.size());
  writer.Name(tsig.algorithm.wire(), false);
  writer.U16(static_cast<uint16_t>(tsig.time_signed >> 32));
  writer.U32(static_cast<uint32_t>(tsig.time_signed));
  writer.U16(tsig.fudge);
  writer.U16(static_cast<uint16_t>(mac_size_field));
  writer.Bytes(tsig.mac);
  writer.U16(tsig.original_id);
  writer.U16(tsig.error);
  writer.U16(static_cast<uint16_t>(tsig.other.size()));
  writer.Bytes(tsig.other);
  buffer.resize(writer.size());
  return buffer;
}

TEST(TsigAlgorithmTest, NamesAndStringsRoundTrip) {
  for (TsigAlgorithm algorithm : kAllAlgorithms) {
    EXPECT_EQ(TsigAlgorithmFromString(TsigAlgorithmString(algorithm)), algorithm);
    EXPECT_EQ(TsigAlgorithmFromName(TsigAlgorithmName(algorithm)), algorithm);
  }
  EXPECT_EQ(TsigAlgorithmName(TsigAlgorithm::kHmacMd5).ToText(), "hmac-md5.sig-alg.reg.int.");
  EXPECT_EQ(TsigAlgorithmFromName(N("HMAC-SHA256.")), TsigAlgorithm::kHmacSha256);
  EXPECT_EQ(TsigAlgorithmFromString("HMAC-SHA512"), TsigAlgorithm::kHmacSha512);
  EXPECT_FALSE(TsigAlgorithmFromString("gss-tsig").has_value());
  EXPECT_FALSE(TsigAlgorithmFromName(N("gss-tsig.")).has_value());
  EXPECT_EQ(TsigMacSize(TsigAlgorithm::kHmacSha224), 28u);
}

TEST_F(TsigTest, RoundTripEveryAlgorithm) {
  for (TsigAlgorithm algorithm : kAllAlgorithms) {
    SCOPED_TRACE(std::string(TsigAlgorithmString(algorithm)));
    TsigKey key = Key("key.example.", algorithm);
    AddKey(key);
    std::vector<uint8_t> mac;
    auto request = SignedQuery(key, kNow, &mac);
    EXPECT_EQ(mac.size(), TsigMacSize(algorithm));
    auto parsed = ParseMessage(request);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_NE(parsed->tsig_offset, 0u);

    TsigVerification verification = VerifyRequest(request, Lookup(), kNow + 10);
    ASSERT_EQ(verification.status, TsigStatus::kOk);
    EXPECT_EQ(verification.key, &keys_["key.example."]);
    EXPECT_EQ(verification.tsig_offset, parsed->tsig_offset);
    EXPECT_EQ(verification.record.mac, mac);
    EXPECT_EQ(verification.record.time_signed, kNow);

    auto response = Respond(verification, kNow + 11);
    ASSERT_FALSE(response.empty());
    EXPECT_EQ(VerifyResponse(response, key, mac, kNow + 12), TsigStatus::kOk);
    EXPECT_EQ(VerifyResponse(response, key, std::vector<uint8_t>(mac.size()), kNow + 12),
              TsigStatus::kBadSig);
  }
}

TEST_F(TsigTest, UnsignedMessageIsUnsigned) {
  std::vector<uint8_t> buffer(512);
  Writer writer(buffer.data(), buffer.size());
  WriteQuery(writer, 7);
  EXPECT_EQ(VerifyRequest(writer.view(), Lookup(), kNow).status, TsigStatus::kUnsigned);
}

TEST_F(TsigTest, UnwalkableMessageIsFormErr) {
  EXPECT_EQ(VerifyRequest(FromHex("1234 0000 0001"), Lookup(), kNow).status, TsigStatus::kFormErr);
  EXPECT_EQ(VerifyRequest(FromHex("1234 0000 0000 0001 0000 0000 00"), Lookup(), kNow).status,
            TsigStatus::kFormErr);
}

TEST_F(TsigTest, UnknownKeyIsBadKeyAndAnsweredUnsigned) {
  TsigKey key = Key("stranger.example.", TsigAlgorithm::kHmacSha256);
  std::vector<uint8_t> mac;
  auto request = SignedQuery(key, kNow, &mac);
  TsigVerification verification = VerifyRequest(request, Lookup(), kNow);
  EXPECT_EQ(verification.status, TsigStatus::kBadKey);
  EXPECT_EQ(verification.key, nullptr);
  EXPECT_EQ(TsigErrorFor(verification.status), 17);

  auto response = Respond(verification, kNow);
  ASSERT_FALSE(response.empty());
  TsigVerification echoed = VerifyRequest(response, Lookup(), kNow);  // just to parse it
  EXPECT_TRUE(echoed.record.mac.empty());
  EXPECT_EQ(echoed.record.error, 17);
  EXPECT_EQ(echoed.record.key_name, N("stranger.example."));
  EXPECT_EQ(VerifyResponse(response, key, mac, kNow), TsigStatus::kBadKey);
}

TEST_F(TsigTest, AlgorithmMismatchIsBadKey) {
  AddKey(Key("key.example.", TsigAlgorithm::kHmacSha256));
  auto request = SignedQuery(Key("key.example.", TsigAlgorithm::kHmacSha512), kNow);
  EXPECT_EQ(VerifyRequest(request, Lookup(), kNow).status, TsigStatus::kBadKey);
}

TEST_F(TsigTest, WrongSecretIsBadSigAndAnsweredUnsigned) {
  AddKey(Key("key.example.", TsigAlgorithm::kHmacSha256, "c2VjcmV0"));
  TsigKey wrong = Key("key.example.", TsigAlgorithm::kHmacSha256, "U0VDUkVU");
  std::vector<uint8_t> mac;
  auto request = SignedQuery(wrong, kNow, &mac);
  TsigVerification verification = VerifyRequest(request, Lookup(), kNow);
  EXPECT_EQ(verification.status, TsigStatus::kBadSig);
  EXPECT_EQ(verification.key, nullptr);
  auto response = Respond(verification, kNow);
  ASSERT_FALSE(response.empty());
  EXPECT_EQ(VerifyRequest(response, Lookup(), kNow).record.error, 16);
  EXPECT_EQ(VerifyResponse(response, wrong, mac, kNow), TsigStatus::kBadSig);
}

TEST_F(TsigTest, AlteredByteIsBadSig) {
  TsigKey key = Key("key.example.", TsigAlgorithm::kHmacSha256);
  AddKey(key);
  auto request = SignedQuery(key, kNow);
  for (size_t offset : {size_t{2}, size_t{13}, size_t{24}}) {  // flags, qname, qclass
    auto altered = request;
    altered[offset] ^= 0x01;
    EXPECT_EQ(VerifyRequest(altered, Lookup(), kNow).status, TsigStatus::kBadSig) << offset;
  }
}

TEST_F(TsigTest, ChangedIdStillVerifiesThroughOriginalId) {
  // RFC 8945 4.3.2: the MAC covers the original ID, so a forwarder may change the ID.
  TsigKey key = Key("key.example.", TsigAlgorithm::kHmacSha256);
  AddKey(key);
  auto request = SignedQuery(key, kNow);
  request[0] ^= 0xFF;
  EXPECT_EQ(VerifyRequest(request, Lookup(), kNow).status, TsigStatus::kOk);
}

TEST_F(TsigTest, ClockSkewIsBadTimeWithSignedResponseCarryingServerTime) {
  TsigKey key = Key("key.example.", TsigAlgorithm::kHmacSha256);
  AddKey(key);
  std::vector<uint8_t> mac;
  auto request = SignedQuery(key, kNow, &mac);
  EXPECT_EQ(VerifyRequest(request, Lookup(), kNow + 300).status, TsigStatus::kOk);
  EXPECT_EQ(VerifyRequest(request, Lookup(), kNow - 300).status, TsigStatus::kOk);
  EXPECT_EQ(VerifyRequest(request, Lookup(), kNow - 301).status, TsigStatus::kBadTime);
  const uint64_t server_now = kNow + 3600;
  TsigVerification verification = VerifyRequest(request, Lookup(), server_now);
  ASSERT_EQ(verification.status, TsigStatus::kBadTime);
  EXPECT_EQ(verification.key, &keys_["key.example."]);

  auto response = Respond(verification, server_now);
  ASSERT_FALSE(response.empty());
  TsigRecord tsig = VerifyRequest(response, Lookup(), kNow).record;
  EXPECT_EQ(tsig.error, 18);
  EXPECT_EQ(tsig.time_signed, kNow);  // the request's, so the client's own check passes
  EXPECT_EQ(tsig.other, FromHex("0000 6B49 E010"));  // server_now, 48 bits
  EXPECT_EQ(tsig.mac.size(), 32u);
  EXPECT_EQ(VerifyResponse(response, key, mac, kNow), TsigStatus::kBadTime);
  response[3] ^= 0x01;
  EXPECT_EQ(VerifyResponse(response, key, mac, kNow), TsigStatus::kBadSig);
}

TEST_F(TsigTest, SignedBadTruncResponseVerifies) {
  TsigKey key = Key("key.example.", TsigAlgorithm::kHmacSha1);
  AddKey(key);
  std::vector<uint8_t> mac;
  TsigVerification verification = VerifyRequest(SignedQuery(key, kNow, &mac), Lookup(), kNow);
  verification.status = TsigStatus::kBadTrunc;  // a stricter local policy than ours
  auto response = Respond(verification, kNow);
  ASSERT_FALSE(response.empty());
  EXPECT_EQ(VerifyResponse(response, key, mac, kNow), TsigStatus::kBadTrunc);
}

TEST_F(TsigTest, TruncatedMacWithinTheFloorVerifies) {
  TsigKey key = Key("key.example.", TsigAlgorithm::kHmacSha256);
  AddKey(key);
  auto request = SignedQuery(key, kNow);
  TsigVerification full = VerifyRequest(request, Lookup(), kNow);
  ASSERT_EQ(full.status, TsigStatus::kOk);
  TsigRecord tsig = full.record;
  tsig.mac.resize(16);  // RFC 8945 5.2.2.1: half of SHA-256's 32 bytes is allowed
  auto truncated = WithTsig(request, full.tsig_offset, 255, 0, TsigRdata(tsig, 16));
  TsigVerification verification = VerifyRequest(truncated, Lookup(), kNow);
  ASSERT_EQ(verification.status, TsigStatus::kOk);
  // The response covers the truncated request MAC.
  auto response = Respond(verification, kNow);
  EXPECT_EQ(VerifyResponse(response, key, tsig.mac, kNow), TsigStatus::kOk);

  tsig.mac[15] ^= 1;
  EXPECT_EQ(VerifyRequest(WithTsig(request, full.tsig_offset, 255, 0, TsigRdata(tsig, 16)),
                          Lookup(), kNow)
                .status,
            TsigStatus::kBadSig);
}

TEST_F(TsigTest, MacSizeOutsideTheRulesIsFormErr) {
  TsigKey key = Key("key.example.", TsigAlgorithm::kHmacSha256);
  AddKey(key);
  auto request = SignedQuery(key, kNow);
  TsigVerification full = VerifyRequest(request, Lookup(), kNow);
  for (size_t size : {size_t{0}, size_t{9}, size_t{15}, size_t{33}}) {
    TsigRecord tsig = full.record;
    tsig.mac.resize(size);
    auto altered = WithTsig(request, full.tsig_offset, 255, 0, TsigRdata(tsig, size));
    EXPECT_EQ(VerifyRequest(altered, Lookup(), kNow).status, TsigStatus::kFormErr) << size;
  }
}

TEST_F(TsigTest, GarbledRdataIsFormErr) {
  TsigKey key = Key("key.example.", TsigAlgorithm::kHmacSha256);
  AddKey(key);
  auto request = SignedQuery(key, kNow);
  TsigVerification full = VerifyRequest(request, Lookup(), kNow);
  std::vector<uint8_t> rdata = TsigRdata(full.record, full.record.mac.size());
  auto status = [&](const std::vector<uint8_t>& message) {
    return VerifyRequest(message, Lookup(), kNow).status;
  };
  auto short_rdata = rdata;
  short_rdata.pop_back();  // Other Len says 0 more bytes, Error is cut
  EXPECT_EQ(status(WithTsig(request, full.tsig_offset, 255, 0, short_rdata)), TsigStatus::kFormErr);
  auto long_rdata = rdata;
  long_rdata.push_back(0);  // a byte after Other Data
  EXPECT_EQ(status(WithTsig(request, full.tsig_offset, 255, 0, long_rdata)), TsigStatus::kFormErr);
  // MAC size larger than the RDATA holds.
  EXPECT_EQ(status(WithTsig(request, full.tsig_offset, 255, 0, TsigRdata(full.record, 200))),
            TsigStatus::kFormErr);
  // RDLENGTH past the end of the message.
  auto cut = request;
  cut.pop_back();
  EXPECT_EQ(status(cut), TsigStatus::kFormErr);
  // Bytes after the TSIG record.
  auto trailing = request;
  trailing.push_back(0);
  EXPECT_EQ(status(trailing), TsigStatus::kFormErr);
  // Class other than ANY, TTL other than 0 (RFC 8945 4.2).
  EXPECT_EQ(status(WithTsig(request, full.tsig_offset, 1, 0, rdata)), TsigStatus::kFormErr);
  EXPECT_EQ(status(WithTsig(request, full.tsig_offset, 255, 1, rdata)), TsigStatus::kFormErr);
  // The algorithm name runs past RDLENGTH.
  EXPECT_EQ(status(WithTsig(request, full.tsig_offset, 255, 0, {rdata.begin(), rdata.begin() + 5})),
            TsigStatus::kFormErr);
  // The unaltered record still verifies.
  EXPECT_EQ(status(WithTsig(request, full.tsig_offset, 255, 0, rdata)), TsigStatus::kOk);
}

TEST_F(TsigTest, TsigNotLastIsFormErr) {
  TsigKey key = Key("key.example.", TsigAlgorithm::kHmacSha256);
  AddKey(key);
  auto request = SignedQuery(key, kNow);
  // An A record after the TSIG record, counted in ARCOUNT.
  auto altered = request;
  auto a = FromHex("C00C 0001 0001 0000012C 0004 C0000201");
  altered.insert(altered.end(), a.begin(), a.end());
  altered[11] = 2;
  EXPECT_EQ(VerifyRequest(altered, Lookup(), kNow).status, TsigStatus::kFormErr);
  // The same TSIG record counted in the answer section instead.
  auto in_answer = request;
  in_answer[7] = 1;
  in_answer[11] = 0;
  EXPECT_EQ(VerifyRequest(in_answer, Lookup(), kNow).status, TsigStatus::kFormErr);
}

TEST_F(TsigTest, UppercaseKeyNameInMessageMatches) {
  // RFC 8945 4.3.3: the key name enters the MAC in canonical (lowercase) form.
  TsigKey key = Key("key.example.", TsigAlgorithm::kHmacSha256);
  AddKey(key);
  auto request = SignedQuery(key, kNow);
  TsigVerification plain = VerifyRequest(request, Lookup(), kNow);
  for (size_t i = plain.tsig_offset; i < plain.tsig_offset + 13; ++i) {
    if (request[i] >= 'a' && request[i] <= 'z') request[i] = static_cast<uint8_t>(request[i] - 32);
  }
  TsigVerification upper = VerifyRequest(request, Lookup(), kNow);
  EXPECT_EQ(upper.status, TsigStatus::kOk);
  EXPECT_EQ(upper.record.key_name, N("key.example."));
}

TEST_F(TsigTest, SignResponseThatDoesNotFitLeavesTheWriter) {
  TsigKey key = Key("key.example.", TsigAlgorithm::kHmacSha512);
  AddKey(key);
  TsigVerification verification = VerifyRequest(SignedQuery(key, kNow), Lookup(), kNow);
  std::vector<uint8_t> buffer(60);
  Writer writer(buffer.data(), buffer.size());
  WriteQuery(writer, 0x1234, true);
  size_t size = writer.size();
  EXPECT_FALSE(SignResponse(writer, verification, kNow));
  EXPECT_EQ(writer.size(), size);
  EXPECT_TRUE(writer.ok());
  EXPECT_EQ(buffer[11], 0);  // ARCOUNT untouched
  TsigVerification unsigned_request;
  EXPECT_FALSE(SignResponse(writer, unsigned_request, kNow));
}

// Requests signed by clients nobody here wrote, captured by testdata/capture_tsig.py.
struct GoldenCase {
  const char* file;
  const char* key_name;
  TsigAlgorithm algorithm;
  const char* secret;
};
constexpr uint64_t kCaptureTime = 1795723509;
constexpr GoldenCase kGolden[] = {
    {"tsig_dig_hmac_sha256.hex", "dig-sha256.tsig.test.", TsigAlgorithm::kHmacSha256,
     "0jnu3SdsMvzzlmTDPYRceA=="},
    {"tsig_dig_hmac_md5.hex", "dig-md5.tsig.test.", TsigAlgorithm::kHmacMd5,
     "pRP5FapFoJ95JEL06sv4PQ=="},
    {"tsig_dig_hmac_sha512.hex", "dig-sha512.tsig.test.", TsigAlgorithm::kHmacSha512,
     "Y2xpZW50LXNlY3JldC1mb3ItdGhlLXNoYTUxMi10ZXN0LWtleQ=="},
    {"tsig_kdig_hmac_sha384.hex", "kdig-sha384.tsig.test.", TsigAlgorithm::kHmacSha384,
     "a2RpZy1zZWNyZXQtZm9yLXNoYTM4NA=="},
    {"tsig_nsupdate_hmac_sha1.hex", "nsupdate-sha1.tsig.test.", TsigAlgorithm::kHmacSha1,
     "bnN1cGRhdGUtc2hhMQ=="},
    {"tsig_knsupdate_hmac_sha224.hex", "knsupdate-sha224.tsig.test.", TsigAlgorithm::kHmacSha224,
     "a25zdXBkYXRlLXNoYTIyNA=="},
};

TEST_F(TsigTest, InteropRequestsOfRealClientsVerify) {
  for (const GoldenCase& golden : kGolden) {
    SCOPED_TRACE(golden.file);
    AddKey(Key(golden.key_name, golden.algorithm, golden.secret));
    auto request = Golden(golden.file);
    ASSERT_TRUE(ParseMessage(request).has_value());
    TsigVerification verification = VerifyRequest(request, Lookup(), kCaptureTime);
    EXPECT_EQ(verification.status, TsigStatus::kOk);
    EXPECT_EQ(verification.record.time_signed, kCaptureTime);
    EXPECT_EQ(VerifyRequest(request, Lookup(), kCaptureTime + 301).status, TsigStatus::kBadTime);
    auto altered = request;
    altered[14] ^= 0x01;  // a byte of the question name
    EXPECT_EQ(VerifyRequest(altered, Lookup(), kCaptureTime).status, TsigStatus::kBadSig);
  }
}

TEST_F(TsigTest, InteropWrongSecretIsBadSig) {
  AddKey(Key("dig-sha256.tsig.test.", TsigAlgorithm::kHmacSha256, "c2VjcmV0"));
  EXPECT_EQ(VerifyRequest(Golden("tsig_dig_hmac_sha256.hex"), Lookup(), kCaptureTime).status,
            TsigStatus::kBadSig);
}

}  // namespace
}  // namespace tether::dns
