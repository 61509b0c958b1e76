// Building transfer responses: splitting into messages, compression, TSIG on every message.
#include "xfr/response_stream.h"

#include <gtest/gtest.h>

#include "dns/wire/message.h"
#include "dns/wire/writer.h"

namespace tether::xfr {
namespace {

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

std::vector<uint8_t> Question() {
  dns::Name zone = N("example.");
  std::vector<uint8_t> q(zone.wire().begin(), zone.wire().end());
  q.insert(q.end(), {0, 252, 0, 1});
  return q;
}

RecordList Hosts(int count) {
  RecordList records;
  for (int i = 0; i < count; ++i) {
    const std::vector<uint8_t> address = {10, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
    records.Add(N("host" + std::to_string(i) + ".example."), dns::RrType::kA, 60, address);
  }
  return records;
}

std::vector<std::vector<uint8_t>> Collect(const RecordList& records, size_t max_size,
                                          dns::TsigStreamSigner* signer = nullptr) {
  const std::vector<uint8_t> question = Question();
  ResponseHeader header{0x1234, false, question};
  std::vector<std::vector<uint8_t>> messages;
  EXPECT_TRUE(SendRecords(header, records, max_size, signer, 1800000000,
                          [&](std::vector<uint8_t> m) { messages.push_back(std::move(m)); }));
  return messages;
}

TEST(RecordListTest, RecordsComeBackInOrder) {
  RecordList records = Hosts(3);
  size_t offset = 0;
  for (int i = 0; i < 3; ++i) {
    RecordView view = records.At(&offset);
    EXPECT_EQ(dns::Name::FromValidWire(view.owner), N("host" + std::to_string(i) + ".example."));
    EXPECT_EQ(view.type, dns::RrType::kA);
    EXPECT_EQ(view.ttl, 60u);
    EXPECT_EQ(view.rdata.size(), 4u);
  }
  EXPECT_EQ(offset, records.bytes());
}

TEST(SendRecordsTest, SmallAnswerIsOneMessage) {
  auto messages = Collect(Hosts(3), kMaxTcpMessage);
  ASSERT_EQ(messages.size(), 1u);
  auto parsed = dns::ParseMessage(messages[0]);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->header.id, 0x1234);
  EXPECT_TRUE(parsed->header.qr());
  EXPECT_NE(parsed->header.flags & dns::kFlagAa, 0);
  EXPECT_EQ(parsed->header.rcode(), 0);
  ASSERT_EQ(parsed->questions.size(), 1u);
  EXPECT_EQ(parsed->questions[0].type, dns::RrType::kAxfr);
  ASSERT_EQ(parsed->answers.size(), 3u);
  EXPECT_EQ(parsed->answers[2].owner, N("host2.example."));
}

TEST(SendRecordsTest, LargeAnswerIsSplitWithinTheLimit) {
  auto messages = Collect(Hosts(2000), 4096);
  ASSERT_GT(messages.size(), 1u);
  size_t total = 0;
  int next = 0;
  for (const auto& message : messages) {
    EXPECT_LE(message.size(), 4096u);
    auto parsed = dns::ParseMessage(message);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->questions.size(), 1u);  // the question in every message
    for (const auto& rr : parsed->answers) {
      EXPECT_EQ(rr.owner, N("host" + std::to_string(next++) + ".example."));
    }
    total += parsed->answers.size();
  }
  EXPECT_EQ(total, 2000u);
}

TEST(SendRecordsTest, OwnersAreCompressed) {
  auto messages = Collect(Hosts(100), kMaxTcpMessage);
  ASSERT_EQ(messages.size(), 1u);
  // Uncompressed, "hostNN.example." is 16 bytes; compressed, the label "hostNN" and a
  // pointer to the question's "example." (9 bytes). Header and question: 12 + 13 bytes.
  EXPECT_LE(messages[0].size(), 12u + 13u + 100u * (9 + 14));
}

TEST(SendRecordsTest, EveryMessageIsSignedWhenTheRequestWas) {
  dns::TsigKey key{N("xfr.key."), dns::TsigAlgorithm::kHmacSha256, {9, 9, 9, 9}};
  std::vector<uint8_t> request(512);
  dns::Writer writer(request.data(), request.size());
  writer.U16(0x1234);
  writer.U16(0);
  writer.U16(1);
  writer.U16(0);
  writer.U16(0);
  writer.U16(0);
  const std::vector<uint8_t> question = Question();
  writer.Bytes(question);
  auto mac = dns::SignRequest(writer, key, 1800000000);
  ASSERT_TRUE(mac);
  request.resize(writer.size());
  dns::TsigVerification verification =
      dns::VerifyRequest(request, [&](const dns::Name&) { return &key; }, 1800000000);
  ASSERT_EQ(verification.status, dns::TsigStatus::kOk);
  dns::TsigStreamSigner signer(verification);
  auto messages = Collect(Hosts(3000), kMaxTcpMessage, &signer);
  ASSERT_GT(messages.size(), 1u);
  dns::TsigStreamVerifier verifier(key, *mac);
  for (const auto& message : messages) {
    EXPECT_LE(message.size(), kMaxTcpMessage);
    EXPECT_EQ(verifier.Verify(message, 1800000000), dns::TsigStatus::kOk);
  }
}

TEST(SendRecordsTest, RecordTooLargeFails) {
  RecordList records;
  records.Add(N("big.example."), dns::RrType::kTxt, 60, std::vector<uint8_t>(3000, 'x'));
  const std::vector<uint8_t> question = Question();
  int sent = 0;
  EXPECT_FALSE(SendRecords({1, false, question}, records, 1024, nullptr, 0,
                           [&](std::vector<uint8_t>) { ++sent; }));
  EXPECT_EQ(sent, 0);
}

TEST(ErrorResponseTest, CarriesRcodeAndQuestion) {
  const std::vector<uint8_t> question = Question();
  auto message = ErrorResponse({7, true, question}, dns::Rcode::kRefused, nullptr, 0);
  auto parsed = dns::ParseMessage(message);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->header.id, 7);
  EXPECT_EQ(parsed->header.rcode(), 5);
  EXPECT_NE(parsed->header.flags & dns::kFlagRd, 0);
  EXPECT_EQ(parsed->header.flags & dns::kFlagAa, 0);
  EXPECT_EQ(parsed->questions.size(), 1u);
  EXPECT_TRUE(parsed->answers.empty());
}

}  // namespace
}  // namespace tether::xfr
