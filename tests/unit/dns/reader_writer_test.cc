#include <gtest/gtest.h>

#include <vector>

#include "dns/name.h"
#include "dns/wire/reader.h"
#include "dns/wire/writer.h"
#include "hex_util.h"

namespace tether::dns {
namespace {

Name N(std::string_view text) { return *Name::FromText(text); }

// ---- Reader ----

TEST(ReaderTest, ReadsBigEndian) {
  auto bytes = FromHex("01 0203 04050607");
  Reader reader(bytes);
  EXPECT_EQ(reader.U8(), 0x01);
  EXPECT_EQ(reader.U16(), 0x0203);
  EXPECT_EQ(reader.U32(), 0x04050607u);
  EXPECT_TRUE(reader.ok());
  EXPECT_TRUE(reader.empty());
}

TEST(ReaderTest, TruncatedReadLatchesError) {
  auto bytes = FromHex("01");
  Reader reader(bytes);
  EXPECT_EQ(reader.U16(), 0);
  EXPECT_FALSE(reader.ok());
}

TEST(ReaderTest, ReadsAfterErrorReturnZero) {
  auto bytes = FromHex("01 02030405");
  Reader reader(bytes);
  reader.U16();
  reader.U32();  // would fit if the error had not latched
  EXPECT_FALSE(reader.ok());
  EXPECT_EQ(reader.U8(), 0);
  EXPECT_TRUE(reader.Bytes(1).empty());
}

TEST(ReaderTest, FailedReadConsumesNothingUsable) {
  auto bytes = FromHex("0102");
  Reader reader(bytes);
  reader.Skip(3);
  EXPECT_FALSE(reader.ok());
  EXPECT_EQ(reader.remaining(), 0u);
}

TEST(ReaderTest, BytesLongerThanRemainingFails) {
  auto bytes = FromHex("010203");
  Reader reader(bytes);
  EXPECT_TRUE(reader.Bytes(4).empty());
  EXPECT_FALSE(reader.ok());
}

TEST(ReaderTest, HugeLengthDoesNotOverflow) {
  auto bytes = FromHex("010203");
  Reader reader(bytes);
  reader.U8();
  EXPECT_TRUE(reader.Bytes(SIZE_MAX).empty());
  EXPECT_FALSE(reader.ok());
}

TEST(ReaderTest, RestTakesEverything) {
  auto bytes = FromHex("010203");
  Reader reader(bytes);
  reader.U8();
  EXPECT_EQ(ToHex(reader.Rest()), "0203");
  EXPECT_TRUE(reader.ok());
  EXPECT_TRUE(reader.empty());
}

TEST(ReaderTest, FailMarksReaderFailed) {
  auto bytes = FromHex("0102");
  Reader reader(bytes);
  reader.Fail();
  EXPECT_FALSE(reader.ok());
  EXPECT_EQ(reader.U8(), 0);
}

TEST(ReaderTest, SubReaderIsLimited) {
  auto bytes = FromHex("0102 0304 05");
  Reader reader(bytes);
  reader.U8();
  Reader sub = reader.Sub(2);
  EXPECT_EQ(sub.U16(), 0x0203);
  EXPECT_EQ(sub.U8(), 0);  // past its limit
  EXPECT_FALSE(sub.ok());
  EXPECT_TRUE(reader.ok());  // the parent is unaffected
  EXPECT_EQ(reader.U8(), 0x04);
}

TEST(ReaderTest, SubReaderKnowsTheMessage) {
  auto bytes = FromHex("0102 0304 05");
  Reader reader(bytes);
  reader.Skip(2);
  Reader sub = reader.Sub(2);
  EXPECT_EQ(sub.offset(), 2u);
  EXPECT_EQ(sub.message_begin(), bytes.data());
  EXPECT_EQ(sub.message().size(), 4u);  // up to the sub-reader's end
}

TEST(ReaderTest, SubReaderLongerThanRemainingFailsBoth) {
  auto bytes = FromHex("0102");
  Reader reader(bytes);
  Reader sub = reader.Sub(3);
  EXPECT_FALSE(sub.ok());
  EXPECT_FALSE(reader.ok());
}

TEST(ReaderTest, DefaultReaderIsEmpty) {
  Reader reader;
  EXPECT_TRUE(reader.empty());
  EXPECT_EQ(reader.U8(), 0);
  EXPECT_FALSE(reader.ok());
}

// ---- Writer ----

TEST(WriterTest, WritesBigEndian) {
  uint8_t buffer[16];
  Writer writer(buffer, sizeof(buffer));
  writer.U8(1);
  writer.U16(0x0203);
  writer.U32(0x04050607);
  EXPECT_EQ(ToHex(writer.view()), "01020304050607");
  EXPECT_TRUE(writer.ok());
}

TEST(WriterTest, WritePastLimitLatchesError) {
  uint8_t buffer[16];
  Writer writer(buffer, 3);
  writer.U16(1);
  writer.U16(2);
  EXPECT_FALSE(writer.ok());
  writer.U8(3);  // would fit, but the error is latched
  EXPECT_EQ(writer.size(), 2u);
}

TEST(WriterTest, RewindClearsErrorAndDropsBytes) {
  uint8_t buffer[16];
  Writer writer(buffer, 4);
  writer.U16(1);
  Writer::Mark mark = writer.GetMark();
  writer.U32(2);
  EXPECT_FALSE(writer.ok());
  writer.Rewind(mark);
  EXPECT_TRUE(writer.ok());
  EXPECT_EQ(writer.size(), 2u);
  writer.U16(3);
  EXPECT_EQ(ToHex(writer.view()), "00010003");
}

TEST(WriterTest, PatchU16) {
  uint8_t buffer[16];
  Writer writer(buffer, sizeof(buffer));
  writer.U32(0);
  writer.PatchU16(1, 0xABCD);
  EXPECT_EQ(ToHex(writer.view()), "00ABCD00");
}

TEST(WriterTest, PatchU16PastSizeIsIgnored) {
  uint8_t buffer[16] = {};
  Writer writer(buffer, sizeof(buffer));
  writer.U16(0);
  writer.PatchU16(1, 0xFFFF);
  EXPECT_EQ(ToHex(writer.view()), "0000");
}

TEST(WriterTest, LimitCanBeLowered) {
  uint8_t buffer[16];
  Writer writer(buffer, sizeof(buffer));
  writer.U16(0);
  writer.set_limit(3);
  writer.U16(0);
  EXPECT_FALSE(writer.ok());
}

// Bug: Need() computed limit_ - size_ unsigned, so a limit lowered below the bytes already
// written wrapped around and every later write was accepted past the limit.
TEST(WriterTest, LimitLoweredBelowSizeRejectsWrites) {
  uint8_t buffer[16];
  Writer writer(buffer, sizeof(buffer));
  writer.U32(0);
  writer.set_limit(2);
  writer.U8(1);
  EXPECT_FALSE(writer.ok());
  EXPECT_EQ(writer.size(), 4u);
}

TEST(WriterTest, UncompressedNameIsWrittenLiterally) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  writer.Name(N("example.").wire(), false);
  writer.Name(N("example.").wire(), false);
  EXPECT_EQ(ToHex(writer.view()), "076578616D706C6500076578616D706C6500");
}

TEST(WriterTest, RepeatedNameBecomesPointer) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  writer.Name(N("example.").wire(), true);
  writer.Name(N("example.").wire(), true);
  EXPECT_EQ(ToHex(writer.view()), "076578616D706C6500C000");
}

TEST(WriterTest, SuffixBecomesPointer) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  writer.Name(N("example.").wire(), true);
  writer.Name(N("www.example.").wire(), true);
  EXPECT_EQ(ToHex(writer.view()),
            "076578616D706C6500"
            "03777777C000");
}

TEST(WriterTest, PointerToSuffixOfEarlierName) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  writer.Name(N("www.example.").wire(), true);
  writer.Name(N("mail.example.").wire(), true);
  EXPECT_EQ(ToHex(writer.view()),
            "03777777076578616D706C6500"
            "046D61696CC004");
}

TEST(WriterTest, CompressionIsCaseInsensitive) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  writer.Name(N("EXAMPLE.").wire(), true);
  writer.Name(N("www.example.").wire(), true);
  EXPECT_EQ(ToHex(writer.view()),
            "074558414D504C4500"
            "03777777C000");
}

TEST(WriterTest, NamesReachedThroughPointersAreTargets) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  writer.Name(N("example.").wire(), true);      // 0
  writer.Name(N("a.example.").wire(), true);    // 9: 01 61 C0 00
  writer.Name(N("b.a.example.").wire(), true);  // 13: 01 62 C0 09
  EXPECT_EQ(ToHex(writer.view()),
            "076578616D706C6500"
            "0161C000"
            "0162C009");
}

TEST(WriterTest, RootIsNeverCompressed) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  writer.Name(Name::Root().wire(), true);
  writer.Name(Name::Root().wire(), true);
  EXPECT_EQ(ToHex(writer.view()), "0000");
}

TEST(WriterTest, RememberNameMakesCopiedNameATarget) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  writer.U16(0);
  writer.Bytes(N("example.").wire());  // e.g. a question copied verbatim
  writer.RememberName(2);
  writer.Name(N("www.example.").wire(), true);
  EXPECT_EQ(ToHex(writer.view()),
            "0000076578616D706C6500"
            "03777777C002");
}

TEST(WriterTest, RewindForgetsLaterCompressionTargets) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  writer.Name(N("a.").wire(), true);
  Writer::Mark mark = writer.GetMark();
  writer.Name(N("example.").wire(), true);
  writer.Rewind(mark);
  writer.U32(0xFFFFFFFF);  // overwrite where "example." was
  writer.Name(N("example.").wire(), true);
  EXPECT_EQ(ToHex(writer.view()),
            "016100"
            "FFFFFFFF"
            "076578616D706C6500");
}

// Bug (found by rdata_text_fuzz): Name() registered each label as a compression target as
// soon as it was written, so a later label of the same name could match it by reading the
// not-yet-written bytes after it. Into a zeroed buffer "a.a." came out as 01 61 C0 00: a
// pointer loop.
TEST(WriterTest, NameIsNotCompressedAgainstItsOwnUnfinishedLabels) {
  uint8_t buffer[64] = {};
  Writer writer(buffer, sizeof(buffer));
  writer.Name(N("a.a.").wire(), true);
  EXPECT_EQ(ToHex(writer.view()), "0161016100");
}

TEST(WriterTest, StaleBytesAfterRewindAreNotMatched) {
  uint8_t buffer[64] = {};
  Writer writer(buffer, sizeof(buffer));
  Writer::Mark mark = writer.GetMark();
  writer.Name(N("x.b.example.").wire(), true);
  writer.Rewind(mark);
  writer.Name(N("x.x.b.example.").wire(), true);
  EXPECT_EQ(ToHex(writer.view()),
            "0178"
            "0178"
            "0162"
            "076578616D706C65"
            "00");
}

TEST(WriterTest, NameOverflowLatchesError) {
  uint8_t buffer[64];
  Writer writer(buffer, 5);
  writer.Name(N("example.").wire(), true);
  EXPECT_FALSE(writer.ok());
}

}  // namespace
}  // namespace tether::dns
