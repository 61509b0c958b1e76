// Reading history values and results (abuse/history_value.h), including garbage.
#include "abuse/history_value.h"

#include <gtest/gtest.h>

#include <string>

namespace tether::abuse {
namespace {

std::vector<std::string> Texts(const std::vector<IpAddress>& addresses) {
  std::vector<std::string> texts;
  for (const IpAddress& address : addresses) texts.push_back(address.to_string());
  return texts;
}

TEST(ParsePublishedAddressesTest, ReadsCommaSeparatedValue) {
  EXPECT_EQ(Texts(ParsePublishedAddresses("A 198.51.100.7, AAAA 2001:db8::7")),
            (std::vector<std::string>{"198.51.100.7", "2001:db8::7"}));
}

TEST(ParsePublishedAddressesTest, ReadsSpaceSeparatedValueWithOtherTypes) {
  EXPECT_EQ(
      Texts(ParsePublishedAddresses(
          "A 192.0.2.1 A 192.0.2.2 AAAA 2001:db8::1 TXT \"A 203.0.113.9\" MX 10 mail.example.")),
      (std::vector<std::string>{"192.0.2.1", "192.0.2.2", "2001:db8::1"}));
}

TEST(ParsePublishedAddressesTest, IgnoresWrongFamilyAndBadAddresses) {
  EXPECT_TRUE(ParsePublishedAddresses("AAAA 192.0.2.1 A 2001:db8::1 A 999.1.1.1 A").empty());
  EXPECT_TRUE(ParsePublishedAddresses("-").empty());
  EXPECT_TRUE(ParsePublishedAddresses("").empty());
}

TEST(ParsePublishedAddressesTest, MappedAddressIsIpv4) {
  EXPECT_EQ(Texts(ParsePublishedAddresses("a 192.0.2.1 aaaa ::ffff:192.0.2.2")),
            (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
}

TEST(ParsePublishedAddressesTest, UnterminatedQuoteSwallowsTheRest) {
  EXPECT_EQ(Texts(ParsePublishedAddresses("A 192.0.2.1 TXT \"abc\\\" A 192.0.2.2")),
            (std::vector<std::string>{"192.0.2.1"}));
}

TEST(ParsePublishedAddressesTest, GarbageNeverCrashes) {
  uint64_t state = 12345;
  const std::string alphabet = std::string("Aa0123456789.:,\" \\f/%[]") + '\0' + '\xff';
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    size_t length = static_cast<size_t>(state % 80);
    for (size_t i = 0; i < length; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      text += alphabet[(state >> 33) % alphabet.size()];
    }
    for (const IpAddress& address : ParsePublishedAddresses(text)) {
      EXPECT_FALSE(address.to_string().empty());
    }
    ParseSourceAddress(text);
    SummarizeResult(text);
  }
  ParsePublishedAddresses(std::string(100000, 'A'));
  ParsePublishedAddresses("A " + std::string(5000, '1'));
}

TEST(ParseSourceAddressTest, ReadsAddressesWithAndWithoutPort) {
  EXPECT_EQ(ParseSourceAddress("192.0.2.1")->to_string(), "192.0.2.1");
  EXPECT_EQ(ParseSourceAddress("192.0.2.1:8080")->to_string(), "192.0.2.1");
  EXPECT_EQ(ParseSourceAddress("2001:db8::1")->to_string(), "2001:db8::1");
  EXPECT_EQ(ParseSourceAddress("[2001:db8::1]:443")->to_string(), "2001:db8::1");
  EXPECT_EQ(ParseSourceAddress("::ffff:192.0.2.9")->to_string(), "192.0.2.9");
  EXPECT_FALSE(ParseSourceAddress("").has_value());
  EXPECT_FALSE(ParseSourceAddress("[2001:db8::1").has_value());
  EXPECT_FALSE(ParseSourceAddress("example.net").has_value());
}

TEST(SummarizeResultTest, CountsFoldedPolls) {
  EXPECT_EQ(SummarizeResult("nochg").kind, HistoryResult::kNochg);
  EXPECT_EQ(SummarizeResult("nochg").nochg_polls, 1);
  EXPECT_EQ(SummarizeResult("nochg (+11 before)").nochg_polls, 12);
  EXPECT_EQ(SummarizeResult("good").kind, HistoryResult::kGood);
  EXPECT_EQ(SummarizeResult("good").nochg_polls, 0);
  EXPECT_EQ(SummarizeResult("good (after 3 nochg)").nochg_polls, 3);
  EXPECT_EQ(SummarizeResult("nochg (+99999999999999999999 before)").nochg_polls, 1);
}

TEST(SummarizeResultTest, EverythingElseIsARefusal) {
  for (const char* result : {"badauth", "abuse: host frozen", "911", "", "goodness", "nohost"}) {
    EXPECT_EQ(SummarizeResult(result).kind, HistoryResult::kRefused) << result;
  }
}

}  // namespace
}  // namespace tether::abuse
