#include "store/serial.h"

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace tether::store {
namespace {

using testing::SoaRdata;

TEST(SerialTest, GreaterFollowsRfc1982) {
  EXPECT_TRUE(SerialGreater(2, 1));
  EXPECT_FALSE(SerialGreater(1, 2));
  EXPECT_FALSE(SerialGreater(5, 5));
  EXPECT_TRUE(SerialGreater(0, 0xffffffff));  // wrapped
  EXPECT_TRUE(SerialGreater(0x7fffffff, 0));
  // Exactly 2^31 apart: undefined by RFC 1982 3.2, so neither is greater.
  EXPECT_FALSE(SerialGreater(0x80000000, 0));
  EXPECT_FALSE(SerialGreater(0, 0x80000000));
}

TEST(SerialTest, IncrementWrapsAtTwoToThe32) {
  EXPECT_EQ(NextSerial(SerialPolicy::kIncrement, 41, 0), 42u);
  EXPECT_EQ(NextSerial(SerialPolicy::kIncrement, 0xffffffff, 0), 0u);
}

TEST(SerialTest, UnixTimeUsesNowWhenAhead) {
  EXPECT_EQ(NextSerial(SerialPolicy::kUnixTime, 1000, 5000), 5000u);
}

TEST(SerialTest, UnixTimeIncrementsWhenNowIsNotAhead) {
  EXPECT_EQ(NextSerial(SerialPolicy::kUnixTime, 5000, 5000), 5001u);
  EXPECT_EQ(NextSerial(SerialPolicy::kUnixTime, 2024010100, 1700000000), 2024010101u);
}

TEST(SerialTest, SoaSerialReadAndRewrite) {
  std::vector<uint8_t> rdata = SoaRdata("example.", 0x01020304);
  ASSERT_EQ(*SoaSerial(rdata), 0x01020304u);
  ASSERT_TRUE(SetSoaSerial(&rdata, 77));
  EXPECT_EQ(*SoaSerial(rdata), 77u);
  EXPECT_EQ(rdata, SoaRdata("example.", 77));
}

TEST(SerialTest, MalformedSoaIsAnErrorAtEveryLength) {
  const std::vector<uint8_t> rdata = SoaRdata("example.", 1);
  for (size_t size = 0; size < rdata.size(); ++size) {
    std::vector<uint8_t> cut(rdata.begin(), rdata.begin() + static_cast<long>(size));
    EXPECT_FALSE(SoaSerial(cut)) << size;
  }
  std::vector<uint8_t> compressed = {0xc0, 0x00};
  compressed.resize(compressed.size() + 21);
  EXPECT_FALSE(SoaSerial(compressed));
}

}  // namespace
}  // namespace tether::store
