#include "zone/master_fields.h"

#include <gtest/gtest.h>

namespace tether::zone {
namespace {

TEST(MasterFieldsTest, TtlPlainSeconds) {
  EXPECT_EQ(ParseTtl("0"), 0u);
  EXPECT_EQ(ParseTtl("3600"), 3600u);
  EXPECT_EQ(ParseTtl("4294967295"), 4294967295u);
}

TEST(MasterFieldsTest, TtlBindUnits) {
  EXPECT_EQ(ParseTtl("1w2d3h4m5s"), 7 * 86400u + 2 * 86400u + 3 * 3600u + 4 * 60u + 5u);
  EXPECT_EQ(ParseTtl("1h30m"), 5400u);
  EXPECT_EQ(ParseTtl("2W"), 14 * 86400u);
  EXPECT_EQ(ParseTtl("1H1M1S"), 3661u);
  EXPECT_EQ(ParseTtl("90s"), 90u);
}

TEST(MasterFieldsTest, TtlRejectsTrailingBareNumberAfterUnit) {
  EXPECT_EQ(ParseTtl("1h30"), std::nullopt);  // as BIND
}

TEST(MasterFieldsTest, TtlRejectsMalformed) {
  for (const char* text : {"", "h", "1x", "-1", "1.5", "1hh", " 1", "0x10"}) {
    EXPECT_EQ(ParseTtl(text), std::nullopt) << text;
  }
}

TEST(MasterFieldsTest, TtlRejectsOverflow) {
  EXPECT_EQ(ParseTtl("4294967296"), std::nullopt);
  EXPECT_EQ(ParseTtl("99999999999999999999999"), std::nullopt);
  EXPECT_EQ(ParseTtl("7102w"), std::nullopt);
  EXPECT_EQ(ParseTtl("7101w9999999d"), std::nullopt);
}

TEST(MasterFieldsTest, ClassMnemonicsAnyCase) {
  EXPECT_EQ(ParseClass("IN"), 1);
  EXPECT_EQ(ParseClass("in"), 1);
  EXPECT_EQ(ParseClass("CH"), 3);
  EXPECT_EQ(ParseClass("chaos"), 3);
  EXPECT_EQ(ParseClass("HS"), 4);
}

TEST(MasterFieldsTest, ClassGenericForm) {
  EXPECT_EQ(ParseClass("CLASS1"), 1);
  EXPECT_EQ(ParseClass("class65535"), 65535);
  EXPECT_EQ(ParseClass("CLASS65536"), std::nullopt);
  EXPECT_EQ(ParseClass("CLASS"), std::nullopt);
  EXPECT_EQ(ParseClass("CLASS+1"), std::nullopt);
  EXPECT_EQ(ParseClass("CLASS1x"), std::nullopt);
}

TEST(MasterFieldsTest, ClassRejectsQueryClassesAndTypes) {
  EXPECT_EQ(ParseClass("ANY"), std::nullopt);
  EXPECT_EQ(ParseClass("NONE"), std::nullopt);
  EXPECT_EQ(ParseClass("A"), std::nullopt);
}

}  // namespace
}  // namespace tether::zone
