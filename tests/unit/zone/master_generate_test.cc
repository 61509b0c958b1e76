// $GENERATE (BIND extension).
#include "zone/master_generate.h"

#include <gtest/gtest.h>

#include "master_test_util.h"

namespace tether::zone {
namespace {

using testing::N;
using testing::ReadAll;
using testing::ReadError;

std::vector<std::string> Lines(std::string_view directive) {
  std::vector<dns::TextToken> tokens;
  size_t pos = 0;
  while (pos < directive.size()) {
    size_t space = directive.find(' ', pos);
    if (space == std::string_view::npos) space = directive.size();
    tokens.push_back({directive.substr(pos, space - pos), false});
    pos = space + 1;
  }
  std::vector<std::string> lines;
  auto spec = ParseGenerate(tokens);
  if (!spec) return {"error: " + spec.error().message};
  Status status = ExpandGenerate(*spec, [&](std::string_view line) {
    lines.emplace_back(line);
    return Ok();
  });
  EXPECT_TRUE(status);
  return lines;
}

TEST(MasterGenerateTest, SubstitutesTheIterator) {
  EXPECT_EQ(Lines("$GENERATE 1-3 host$ A 10.0.0.$"),
            (std::vector<std::string>{"host1 A 10.0.0.1", "host2 A 10.0.0.2", "host3 A 10.0.0.3"}));
}

TEST(MasterGenerateTest, StepAndTtlAndClass) {
  EXPECT_EQ(Lines("$GENERATE 0-4/2 h$ 60 IN A 10.0.0.$"),
            (std::vector<std::string>{"h0 60 IN A 10.0.0.0", "h2 60 IN A 10.0.0.2",
                                      "h4 60 IN A 10.0.0.4"}));
}

TEST(MasterGenerateTest, OffsetWidthAndBase) {
  EXPECT_EQ(Lines("$GENERATE 10-11 ${-10,3,d} A ${0,4,x}.${+1,0,X}.${0,0,o}"),
            (std::vector<std::string>{"000 A 000a.B.12", "001 A 000b.C.13"}));
}

TEST(MasterGenerateTest, NibbleMode) {
  EXPECT_EQ(Lines("$GENERATE 18-18 ${0,5,n} PTR x"), (std::vector<std::string>{"2.1.0 PTR x"}));
  EXPECT_EQ(Lines("$GENERATE 171-171 ${0,0,N} PTR x"), (std::vector<std::string>{"B.A PTR x"}));
}

TEST(MasterGenerateTest, EscapedDollarIsLiteral) {
  EXPECT_EQ(Lines("$GENERATE 1-1 a\\$$ TXT x"), (std::vector<std::string>{"a\\$1 TXT x"}));
}

TEST(MasterGenerateTest, BadRangesAreErrors) {
  for (const char* range : {"5-1", "1", "a-b", "1-2/0", "-1-2", "1-2/x", "0-4294967296"}) {
    auto lines = Lines(std::string("$GENERATE ") + range + " h$ A 10.0.0.1");
    ASSERT_EQ(lines.size(), 1u) << range;
    EXPECT_TRUE(lines[0].starts_with("error: bad $GENERATE range")) << range << ": " << lines[0];
  }
}

TEST(MasterGenerateTest, TooManyRecordsIsError) {
  auto lines = Lines("$GENERATE 0-4294967295 h$ A 10.0.0.1");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].starts_with("error: $GENERATE range")) << lines[0];
}

TEST(MasterGenerateTest, BadModifiersAreErrors) {
  for (const char* lhs : {"${", "${x}", "${0,x}", "${0,1,q}", "${0,1,d,4}", "${0,999}", "${-1}"}) {
    auto lines = Lines(std::string("$GENERATE 0-1 ") + lhs + " A 10.0.0.1");
    ASSERT_EQ(lines.size(), 1u) << lhs;
    EXPECT_TRUE(lines[0].starts_with("error: ")) << lhs;
  }
}

TEST(MasterGenerateTest, WrongFieldCountIsError) {
  EXPECT_TRUE(Lines("$GENERATE 1-2 h$ A")[0].starts_with("error: $GENERATE takes"));
}

TEST(MasterGenerateTest, ReaderEmitsGeneratedRecords) {
  auto records = ReadAll("$GENERATE 1-2 host-$ 30 A 192.0.2.$\n");
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[1].owner, N("host-2.example.com."));
  EXPECT_EQ((*records)[1].ttl, 30u);
  EXPECT_EQ((*records)[1].rdata, (std::vector<uint8_t>{192, 0, 2, 2}));
}

TEST(MasterGenerateTest, QuotedRhsIsReadAsSeveralFields) {
  auto records = ReadAll("$GENERATE 1-1 m$ MX \"10 mx$\"\n");
  ASSERT_TRUE(records) << records.error().message;
  std::vector<uint8_t> expected = {0, 10};
  dns::Name name = N("mx1.example.com.");
  expected.insert(expected.end(), name.wire().begin(), name.wire().end());
  EXPECT_EQ((*records)[0].rdata, expected);
}

TEST(MasterGenerateTest, ReaderErrorsNameTheGenerateLine) {
  EXPECT_TRUE(
      ReadError("a A 192.0.2.1\n$GENERATE 1-300 h$ A 192.0.2.$\n").starts_with("zone.db:2: "));
  EXPECT_TRUE(
      ReadError("\n$GENERATE 3-1 h$ A 192.0.2.$\n").starts_with("zone.db:2: bad $GENERATE range"));
}

}  // namespace
}  // namespace tether::zone
