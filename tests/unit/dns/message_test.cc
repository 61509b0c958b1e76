#include "dns/wire/message.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "hex_util.h"

namespace tether::dns {
namespace {

// Builds messages from hex pieces: header fields, then sections.
std::vector<uint8_t> Msg(std::string_view hex) { return FromHex(hex); }

constexpr char kQuestion[] = "076578616D706C6500 0001 0001";  // example. A IN, at offset 12
constexpr char kOpt[] = "00 0029 04D0 00008000 0000";         // OPT, udp 1232, DO
constexpr char kARecord[] = "C00C 0001 0001 0000012C 0004 C0000201";

std::vector<uint8_t> Build(uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar,
                           std::string_view body) {
  char header[64];
  std::snprintf(header, sizeof(header), "1234 0100 %04X %04X %04X %04X ", qd, an, ns, ar);
  return FromHex(std::string(header) + std::string(body));
}

TEST(MessageTest, ParsesQuery) {
  auto message = ParseMessage(Build(1, 0, 0, 0, kQuestion));
  ASSERT_TRUE(message.has_value()) << message.error().message;
  EXPECT_EQ(message->header.id, 0x1234);
  EXPECT_EQ(message->header.flags & kFlagRd, kFlagRd);
  ASSERT_EQ(message->questions.size(), 1u);
  EXPECT_EQ(message->questions[0].name.ToText(), "example.");
  EXPECT_EQ(message->questions[0].type, RrType::kA);
  EXPECT_FALSE(message->edns.has_value());
}

TEST(MessageTest, HeaderAccessors) {
  Header header;
  header.set_opcode(Opcode::kUpdate);
  header.set_rcode(5);
  EXPECT_EQ(header.opcode(), Opcode::kUpdate);
  EXPECT_EQ(header.rcode(), 5);
  EXPECT_FALSE(header.qr());
}

TEST(MessageTest, EmptyInputIsAnError) { EXPECT_FALSE(ParseMessage({}).has_value()); }

TEST(MessageTest, TruncatedHeaderIsAnError) {
  EXPECT_FALSE(ParseMessage(Msg("1234 0100 0001 0000 0000")).has_value());
}

TEST(MessageTest, HeaderOnlyIsFine) {
  EXPECT_TRUE(ParseMessage(Msg("1234 0100 0000 0000 0000 0000")).has_value());
}

TEST(MessageTest, QuestionCountBeyondDataIsAnError) {
  EXPECT_FALSE(ParseMessage(Build(2, 0, 0, 0, kQuestion)).has_value());
}

TEST(MessageTest, HugeCountsAreRejectedBeforeParsing) {
  EXPECT_FALSE(ParseMessage(Build(0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, kQuestion)).has_value());
}

TEST(MessageTest, RecordCountBeyondDataIsAnError) {
  EXPECT_FALSE(ParseMessage(Build(1, 2, 0, 0, std::string(kQuestion) + kARecord)).has_value());
}

TEST(MessageTest, TruncatedQuestionIsAnError) {
  EXPECT_FALSE(ParseMessage(Build(1, 0, 0, 0, "076578616D706C6500 0001 00")).has_value());
}

TEST(MessageTest, ParsesAnswerWithCompressedOwner) {
  auto message = ParseMessage(Build(1, 1, 0, 0, std::string(kQuestion) + kARecord));
  ASSERT_TRUE(message.has_value()) << message.error().message;
  ASSERT_EQ(message->answers.size(), 1u);
  EXPECT_EQ(message->answers[0].owner.ToText(), "example.");
  EXPECT_EQ(message->answers[0].ttl, 300u);
  EXPECT_EQ(ToHex(message->answers[0].rdata), "C0000201");
}

TEST(MessageTest, DecompressesRdataNames) {
  auto message = ParseMessage(
      Build(1, 1, 0, 0, std::string(kQuestion) + "C00C 000F 0001 00000000 0006 000A 0161 C00C"));
  ASSERT_TRUE(message.has_value()) << message.error().message;
  EXPECT_EQ(ToHex(message->answers[0].rdata), "000A0161076578616D706C6500");
}

TEST(MessageTest, RdataOverrunningMessageIsAnError) {
  EXPECT_FALSE(ParseMessage(Build(1, 1, 0, 0,
                                  std::string(kQuestion) + "C00C 0001 0001 00000000 0005 C0000201"))
                   .has_value());
}

TEST(MessageTest, MalformedRdataIsAnError) {
  EXPECT_FALSE(ParseMessage(Build(1, 1, 0, 0,
                                  std::string(kQuestion) + "C00C 0001 0001 00000000 0003 C00002"))
                   .has_value());
}

TEST(MessageTest, EmptyRdataIsKept) {
  // RFC 2136 2.5.2: deletions carry RDLENGTH 0 whatever the type.
  auto message =
      ParseMessage(Build(1, 0, 1, 0, std::string(kQuestion) + "C00C 0001 00FF 00000000 0000"));
  ASSERT_TRUE(message.has_value()) << message.error().message;
  EXPECT_TRUE(message->authority[0].rdata.empty());
}

TEST(MessageTest, TrailingGarbageIsAnError) {
  EXPECT_FALSE(ParseMessage(Build(1, 0, 0, 0, std::string(kQuestion) + "00")).has_value());
}

TEST(MessageTest, ParsesOpt) {
  auto message = ParseMessage(Build(1, 0, 0, 1, std::string(kQuestion) + kOpt));
  ASSERT_TRUE(message.has_value()) << message.error().message;
  ASSERT_TRUE(message->edns.has_value());
  EXPECT_EQ(message->edns->udp_size, 1232);
  EXPECT_TRUE(message->edns->dnssec_ok);
  EXPECT_EQ(message->edns->version, 0);
  EXPECT_TRUE(message->additional.empty());  // the OPT record is not kept as an RR
}

TEST(MessageTest, ParsesEdnsOptions) {
  auto message = ParseMessage(
      Build(1, 0, 0, 1,
            std::string(kQuestion) + "00 0029 1000 01020000 000C 000A 0008 0102030405060708"));
  ASSERT_TRUE(message.has_value()) << message.error().message;
  EXPECT_EQ(message->edns->extended_rcode, 1);
  EXPECT_EQ(message->edns->version, 2);
  ASSERT_EQ(message->edns->options.size(), 1u);
  EXPECT_EQ(message->edns->options[0].code, 10);
  EXPECT_EQ(ToHex(message->edns->options[0].data), "0102030405060708");
}

TEST(MessageTest, TruncatedEdnsOptionIsAnError) {
  EXPECT_FALSE(
      ParseMessage(
          Build(1, 0, 0, 1, std::string(kQuestion) + "00 0029 1000 00000000 0006 000A 0008 0102"))
          .has_value());
}

TEST(MessageTest, TwoOptRecordsAreAnError) {
  EXPECT_FALSE(ParseMessage(Build(1, 0, 0, 2, std::string(kQuestion) + kOpt + kOpt)).has_value());
}

TEST(MessageTest, OptWithNonRootOwnerIsAnError) {
  EXPECT_FALSE(
      ParseMessage(Build(1, 0, 0, 1, std::string(kQuestion) + "C00C 0029 04D0 00000000 0000"))
          .has_value());
}

TEST(MessageTest, OptInAnswerSectionIsAnError) {
  EXPECT_FALSE(ParseMessage(Build(1, 1, 0, 0, std::string(kQuestion) + kOpt)).has_value());
}

TEST(MessageTest, OptInAuthoritySectionIsAnError) {
  EXPECT_FALSE(ParseMessage(Build(1, 0, 1, 0, std::string(kQuestion) + kOpt)).has_value());
}

constexpr char kTsig[] =
    "036B657900 00FA 00FF 00000000 001D"
    " 0B686D61632D73686132353600 000065536B00 012C 0000 1234 0000 0000";

TEST(MessageTest, TsigAsLastRecordIsRemembered) {
  auto message = ParseMessage(Build(1, 0, 0, 2, std::string(kQuestion) + kOpt + kTsig));
  ASSERT_TRUE(message.has_value()) << message.error().message;
  ASSERT_EQ(message->additional.size(), 1u);
  EXPECT_EQ(message->additional[0].type, RrType::kTsig);
  EXPECT_EQ(message->tsig_offset, 12u + 13u + 11u);
}

TEST(MessageTest, TsigNotLastIsAnError) {
  EXPECT_FALSE(ParseMessage(Build(1, 0, 0, 2, std::string(kQuestion) + kTsig + kOpt)).has_value());
}

TEST(MessageTest, TsigOutsideAdditionalIsAnError) {
  EXPECT_FALSE(ParseMessage(Build(1, 1, 0, 0, std::string(kQuestion) + kTsig)).has_value());
}

TEST(MessageTest, BadQuestionNameIsAnError) {
  EXPECT_FALSE(ParseMessage(Build(1, 0, 0, 0, "C00C 0001 0001")).has_value());
}

}  // namespace
}  // namespace tether::dns
