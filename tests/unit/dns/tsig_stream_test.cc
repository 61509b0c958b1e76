// RFC 8945 5.3.1: multi-message responses (zone transfers) signed message by message.
#include <gtest/gtest.h>

#include <vector>

#include "dns/wire/message.h"
#include "dns/wire/tsig.h"

namespace tether::dns {
namespace {

constexpr uint64_t kNow = 1800000000;

Name N(std::string_view text) { return *Name::FromText(text); }

void WriteMessage(Writer& writer, bool response, uint16_t answers = 0) {
  writer.U16(0x4242);
  writer.U16(response ? static_cast<uint16_t>(kFlagQr | kFlagAa) : 0);
  writer.U16(1);
  writer.U16(answers);
  writer.U16(0);
  writer.U16(0);
  writer.Name(N("example.").wire(), false);
  writer.U16(ToU16(RrType::kAxfr));
  writer.U16(1);
  for (uint16_t i = 0; i < answers; ++i) {  // A records at the question name
    writer.NamePointer(kHeaderSize);
    writer.U16(ToU16(RrType::kA));
    writer.U16(1);
    writer.U32(60);
    writer.U16(4);
    writer.U32(0xC0000200u + i);
  }
}

class TsigStreamTest : public ::testing::Test {
 protected:
  TsigStreamTest() : key_{N("xfr.key."), TsigAlgorithm::kHmacSha256, {1, 2, 3, 4, 5, 6, 7, 8}} {
    std::vector<uint8_t> buffer(512);
    Writer writer(buffer.data(), buffer.size());
    WriteMessage(writer, false);
    request_mac_ = *SignRequest(writer, key_, kNow);
    buffer.resize(writer.size());
    verification_ =
        VerifyRequest(buffer, [this](const Name&) { return &key_; }, kNow);
  }

  // `count` response messages signed by one signer.
  std::vector<std::vector<uint8_t>> Stream(int count) {
    TsigStreamSigner signer(verification_);
    std::vector<std::vector<uint8_t>> messages;
    for (int i = 0; i < count; ++i) {
      std::vector<uint8_t> buffer(1024);
      Writer writer(buffer.data(), buffer.size());
      WriteMessage(writer, true, static_cast<uint16_t>(i + 1));
      EXPECT_TRUE(signer.Sign(writer, kNow + static_cast<uint64_t>(i)));
      buffer.resize(writer.size());
      messages.push_back(std::move(buffer));
    }
    return messages;
  }

  TsigKey key_;
  std::vector<uint8_t> request_mac_;
  TsigVerification verification_;
};

TEST_F(TsigStreamTest, EveryMessageVerifiesInOrder) {
  ASSERT_EQ(verification_.status, TsigStatus::kOk);
  auto messages = Stream(4);
  TsigStreamVerifier verifier(key_, request_mac_);
  for (const auto& message : messages) EXPECT_EQ(verifier.Verify(message, kNow), TsigStatus::kOk);
}

TEST_F(TsigStreamTest, FirstMessageIsAnOrdinarySignedResponse) {
  auto messages = Stream(1);
  EXPECT_EQ(VerifyResponse(messages[0], key_, request_mac_, kNow), TsigStatus::kOk);
}

TEST_F(TsigStreamTest, LaterMessagesAreNotOrdinaryResponses) {
  // They are chained to the prior MAC and carry only the timers (RFC 8945 5.3.1).
  auto messages = Stream(2);
  EXPECT_EQ(VerifyResponse(messages[1], key_, request_mac_, kNow), TsigStatus::kBadSig);
}

TEST_F(TsigStreamTest, ReorderedMessagesFail) {
  auto messages = Stream(3);
  TsigStreamVerifier verifier(key_, request_mac_);
  EXPECT_EQ(verifier.Verify(messages[0], kNow), TsigStatus::kOk);
  EXPECT_EQ(verifier.Verify(messages[2], kNow), TsigStatus::kBadSig);
}

TEST_F(TsigStreamTest, AlteredMessageFails) {
  auto messages = Stream(2);
  messages[1][messages[1].size() / 2] ^= 1;
  TsigStreamVerifier verifier(key_, request_mac_);
  EXPECT_EQ(verifier.Verify(messages[0], kNow), TsigStatus::kOk);
  EXPECT_NE(verifier.Verify(messages[1], kNow), TsigStatus::kOk);
}

TEST_F(TsigStreamTest, UnsignedLaterMessageIsRefusedByThisVerifier) {
  auto messages = Stream(1);
  std::vector<uint8_t> buffer(512);
  Writer writer(buffer.data(), buffer.size());
  WriteMessage(writer, true, 1);
  buffer.resize(writer.size());
  TsigStreamVerifier verifier(key_, request_mac_);
  EXPECT_EQ(verifier.Verify(messages[0], kNow), TsigStatus::kOk);
  EXPECT_EQ(verifier.Verify(buffer, kNow), TsigStatus::kFormErr);
}

TEST_F(TsigStreamTest, SignerWithoutAVerifiedRequestSignsNothing) {
  TsigVerification unsigned_request;
  TsigStreamSigner signer(unsigned_request);
  std::vector<uint8_t> buffer(512);
  Writer writer(buffer.data(), buffer.size());
  WriteMessage(writer, true, 1);
  const size_t size = writer.size();
  EXPECT_FALSE(signer.Sign(writer, kNow));
  EXPECT_EQ(writer.size(), size);
}

}  // namespace
}  // namespace tether::dns
