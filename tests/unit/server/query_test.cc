// Message-level rules of the query path (RFC 1035 4.1, RFC 6891).
#include "server/query.h"

#include <gtest/gtest.h>

#include "../zone/zone_test_util.h"
#include "dns/wire/message.h"
#include "dns/wire/tsig.h"

namespace tether::server {
namespace {

using dns::Rcode;
using zone::testing::ZoneFromText;

std::string BigTxt() {
  std::string text;
  for (int i = 0; i < 8; ++i) text += "big TXT \"" + std::string(200, static_cast<char>('a' + i)) + "\"\n";
  return text;
}

class QueryTest : public ::testing::Test {
 protected:
  QueryTest()
      : zones_({ZoneFromText("example.", "@ 60 SOA ns.example. h.example. 1 60 60 60 60\n"
                                         "@ 60 NS ns.example.\nns 60 A 192.0.2.1\n" + BigTxt())}) {}

  // A query for ns.example. A, plus `extra` bytes appended after the question.
  static std::vector<uint8_t> Packet(uint16_t flags = 0x0100, uint16_t qdcount = 1, uint16_t arcount = 0,
                                     const std::string& name = "ns.example.", uint16_t qtype = 1,
                                     uint16_t qclass = 1) {
    std::vector<uint8_t> p = {0xAB, 0xCD, static_cast<uint8_t>(flags >> 8), static_cast<uint8_t>(flags),
                              0, static_cast<uint8_t>(qdcount), 0, 0, 0, 0, 0, static_cast<uint8_t>(arcount)};
    if (qdcount > 0) {
      dns::Name qname = *dns::Name::FromText(name);
      auto wire = qname.wire();
      p.insert(p.end(), wire.begin(), wire.end());
      p.insert(p.end(), {static_cast<uint8_t>(qtype >> 8), static_cast<uint8_t>(qtype),
                         static_cast<uint8_t>(qclass >> 8), static_cast<uint8_t>(qclass)});
    }
    return p;
  }
  static void AddOpt(std::vector<uint8_t>* p, uint16_t payload, uint8_t version = 0, bool dnssec_ok = false,
                     std::vector<uint8_t> options = {}) {
    p->insert(p->end(), {0, 0, 41, static_cast<uint8_t>(payload >> 8), static_cast<uint8_t>(payload), 0, version,
                         static_cast<uint8_t>(dnssec_ok ? 0x80 : 0), 0, 0, static_cast<uint8_t>(options.size())});
    p->insert(p->end(), options.begin(), options.end());
  }

  std::vector<uint8_t> Send(const std::vector<uint8_t>& packet, Transport transport = Transport::kUdp) {
    std::vector<uint8_t> out(65535);
    size_t size = HandleQuery(zones_, packet, transport, QueryOptions{}, out.data(), out.size());
    out.resize(size);
    return out;
  }
  static Rcode RcodeOf(const std::vector<uint8_t>& response) {
    auto message = dns::ParseMessage(response);
    EXPECT_TRUE(message) << (message ? "" : message.error().message);
    uint16_t rcode = response[3] & 0xF;
    if (message && message->edns) rcode = static_cast<uint16_t>(rcode | (message->edns->extended_rcode << 4));
    return static_cast<Rcode>(rcode);
  }

  zone::ZoneSet zones_;
};

TEST_F(QueryTest, AnswersAQuery) {
  auto response = Send(Packet());
  ASSERT_FALSE(response.empty());
  auto message = dns::ParseMessage(response);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->header.id, 0xABCD);
  EXPECT_TRUE(message->header.qr());
  EXPECT_TRUE(message->header.flags & dns::kFlagAa);
  EXPECT_TRUE(message->header.flags & dns::kFlagRd);  // copied
  EXPECT_FALSE(message->header.flags & dns::kFlagRa);
  EXPECT_EQ(message->answers.size(), 1u);
}

TEST_F(QueryTest, ExpiredZoneIsServFailUntilRefreshed) {
  zones_.zones().front()->set_expired(true);  // a secondary zone past its SOA EXPIRE
  EXPECT_EQ(RcodeOf(Send(Packet())), Rcode::kServFail);
  zones_.zones().front()->set_expired(false);
  EXPECT_EQ(RcodeOf(Send(Packet())), Rcode::kNoError);
}

TEST_F(QueryTest, ShortPacketIsDropped) {
  EXPECT_TRUE(Send({0, 1, 2, 3, 4}).empty());
}

TEST_F(QueryTest, ResponseIsNeverAnswered) {
  EXPECT_TRUE(Send(Packet(0x8000)).empty());
}

TEST_F(QueryTest, UnknownOpcodeIsNotImp) {
  auto response = Send(Packet(0x7800));  // opcode 15
  EXPECT_EQ(RcodeOf(response), Rcode::kNotImp);
}

TEST_F(QueryTest, NoQuestionIsFormErr) {
  EXPECT_EQ(RcodeOf(Send(Packet(0, 0))), Rcode::kFormErr);
}

TEST_F(QueryTest, TwoQuestionsIsFormErr) {
  auto packet = Packet(0, 2);
  EXPECT_EQ(RcodeOf(Send(packet)), Rcode::kFormErr);
}

TEST_F(QueryTest, TrailingGarbageIsFormErr) {
  auto packet = Packet();
  packet.push_back(0xFF);
  EXPECT_EQ(RcodeOf(Send(packet)), Rcode::kFormErr);
}

TEST_F(QueryTest, CompressedQuestionNameIsFormErr) {
  std::vector<uint8_t> packet = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x00, 0, 1, 0, 1};
  auto response = Send(packet);
  ASSERT_FALSE(response.empty());
  EXPECT_EQ(response[3] & 0xF, 1);
}

TEST_F(QueryTest, TruncatedQuestionIsFormErr) {
  auto packet = Packet();
  packet.resize(packet.size() - 3);
  auto response = Send(packet);
  ASSERT_FALSE(response.empty());
  EXPECT_EQ(response[3] & 0xF, 1);
}

TEST_F(QueryTest, EdnsVersionAboveZeroIsBadVers) {
  auto packet = Packet(0, 1, 1);
  AddOpt(&packet, 1232, 1);
  auto response = Send(packet);
  EXPECT_EQ(response[3] & 0xF, 0);
  EXPECT_EQ(RcodeOf(response), Rcode::kBadVers);
}

TEST_F(QueryTest, DnssecOkIsEchoed) {
  auto packet = Packet(0, 1, 1);
  AddOpt(&packet, 1232, 0, true);
  auto message = dns::ParseMessage(Send(packet));
  ASSERT_TRUE(message && message->edns);
  EXPECT_TRUE(message->edns->dnssec_ok);
  EXPECT_EQ(message->edns->udp_size, 1232);
}

TEST_F(QueryTest, UnknownEdnsOptionIsIgnored) {
  auto packet = Packet(0, 1, 1);
  AddOpt(&packet, 1232, 0, false, {0xFD, 0xE9, 0, 2, 0xAA, 0xBB});
  auto response = Send(packet);
  EXPECT_EQ(RcodeOf(response), Rcode::kNoError);
}

TEST_F(QueryTest, TwoOptRecordsAreFormErr) {
  auto packet = Packet(0, 1, 2);
  AddOpt(&packet, 1232);
  AddOpt(&packet, 1232);
  EXPECT_EQ(RcodeOf(Send(packet)), Rcode::kFormErr);
}

TEST_F(QueryTest, WithoutEdnsUdpAnswersAreLimitedTo512Bytes) {
  auto response = Send(Packet(0, 1, 0, "big.example.", 16));
  EXPECT_LE(response.size(), 512u);
  EXPECT_TRUE(response[2] & 0x02);  // TC
}

TEST_F(QueryTest, AdvertisedPayloadIsHonoured) {
  auto packet = Packet(0, 1, 1, "big.example.", 16);
  AddOpt(&packet, 1000);
  auto response = Send(packet);
  EXPECT_LE(response.size(), 1000u);
  EXPECT_TRUE(response[2] & 0x02);
}

TEST_F(QueryTest, LargePayloadIsCappedByOurMaximum) {
  auto packet = Packet(0, 1, 1, "big.example.", 16);
  AddOpt(&packet, 65000);
  auto response = Send(packet);
  EXPECT_LE(response.size(), 1232u);
  EXPECT_TRUE(response[2] & 0x02);
}

TEST_F(QueryTest, TcpAnswerIsComplete) {
  auto response = Send(Packet(0, 1, 0, "big.example.", 16), Transport::kTcp);
  EXPECT_GT(response.size(), 1232u);
  EXPECT_FALSE(response[2] & 0x02);
  auto message = dns::ParseMessage(response);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->answers.size(), 8u);
}

TEST_F(QueryTest, SignedQueryGetsASignedAnswer) {
  dns::TsigKey key{*dns::Name::FromText("q.key."), dns::TsigAlgorithm::kHmacSha256, std::vector<uint8_t>(32, 7)};
  update::AccessControl access;
  access.Set(std::make_shared<const update::AccessSnapshot>(
      std::vector<store::TsigKeyInfo>{{key.name, "hmac-sha256", key.secret, {}}}, std::vector<store::ZoneInfo>{}));
  auto packet = Packet(0, 1, 0);
  std::vector<uint8_t> buffer(4096);
  auto mac = [&] {
    dns::Writer w(buffer.data(), buffer.size());
    w.Bytes(packet);
    auto result = dns::SignRequest(w, key, static_cast<uint64_t>(std::time(nullptr)));
    buffer.resize(w.size());
    return result;
  }();
  ASSERT_TRUE(mac);
  QueryOptions options;
  options.keys = &access;
  std::vector<uint8_t> out(4096);
  size_t size = HandleQuery(zones_, buffer, Transport::kUdp, options, out.data(), out.size());
  out.resize(size);
  EXPECT_EQ(out[3] & 0xF, 0);
  EXPECT_EQ(dns::VerifyResponse(out, key, *mac, static_cast<uint64_t>(std::time(nullptr))), dns::TsigStatus::kOk);

  // Without the key the query gets NOTAUTH.
  std::vector<uint8_t> refused(4096);
  refused.resize(HandleQuery(zones_, buffer, Transport::kUdp, QueryOptions{}, refused.data(), refused.size()));
  EXPECT_EQ(refused[3] & 0xF, static_cast<int>(Rcode::kNotAuth));
}

TEST_F(QueryTest, ChaosClassIsRefused) {
  EXPECT_EQ(RcodeOf(Send(Packet(0, 1, 0, "ns.example.", 1, 3))), Rcode::kRefused);
}

TEST_F(QueryTest, ZoneTransferIsRefusedForNow) {
  EXPECT_EQ(RcodeOf(Send(Packet(0, 1, 0, "example.", 252))), Rcode::kRefused);
}

}  // namespace
}  // namespace tether::server
