#include "dns/name.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hex_util.h"

namespace tether::dns {
namespace {

Name N(std::string_view text) { return *Name::FromText(text); }

std::string WireHex(std::string_view text, const Name& origin = Name()) {
  auto name = Name::FromText(text, origin);
  if (!name) return "error";
  return ToHex(name->wire());
}

// A name of `total` wire bytes made of labels of at most 63 bytes.
std::string TextOfWireSize(size_t total) {
  std::string text;
  size_t left = total - 1;  // the root label
  while (left > 0) {
    size_t label = std::min<size_t>(63, left - 1);
    if (left - (label + 1) == 1) label -= 1;  // never leave exactly one byte
    text += std::string(label, 'x') + ".";
    left -= label + 1;
  }
  return text;
}

// ---- FromText ----

TEST(NameFromTextTest, AbsoluteName) {
  EXPECT_EQ(WireHex("www.Example.com."), "03777777074578616D706C6503636F6D00");
}

TEST(NameFromTextTest, RootIsOneZeroByte) { EXPECT_EQ(WireHex("."), "00"); }

TEST(NameFromTextTest, RelativeNameIsCompletedWithOrigin) {
  EXPECT_EQ(WireHex("www", N("example.")), "03777777076578616D706C6500");
}

TEST(NameFromTextTest, AtIsTheOrigin) {
  EXPECT_EQ(WireHex("@", N("example.")), "076578616D706C6500");
}

TEST(NameFromTextTest, EmptyTextIsAnError) { EXPECT_FALSE(Name::FromText("").has_value()); }

TEST(NameFromTextTest, EmptyLabelIsAnError) { EXPECT_FALSE(Name::FromText("a..b.").has_value()); }

TEST(NameFromTextTest, LeadingDotIsAnError) { EXPECT_FALSE(Name::FromText(".a.").has_value()); }

TEST(NameFromTextTest, TrailingDoubleDotIsAnError) {
  EXPECT_FALSE(Name::FromText("a..").has_value());
}

TEST(NameFromTextTest, LabelOf63BytesIsFine) {
  EXPECT_TRUE(Name::FromText(std::string(63, 'a') + ".").has_value());
}

TEST(NameFromTextTest, LabelOf64BytesIsAnError) {
  EXPECT_FALSE(Name::FromText(std::string(64, 'a') + ".").has_value());
}

TEST(NameFromTextTest, NameOf255BytesIsFine) {
  auto name = Name::FromText(TextOfWireSize(255));
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->size(), 255u);
}

TEST(NameFromTextTest, NameOf256BytesIsAnError) {
  EXPECT_FALSE(Name::FromText(TextOfWireSize(256)).has_value());
}

TEST(NameFromTextTest, RelativeNameTooLongWithOriginIsAnError) {
  Name origin = N(TextOfWireSize(250));
  EXPECT_FALSE(Name::FromText("abcdef", origin).has_value());
}

TEST(NameFromTextTest, EscapedDotStaysInLabel) { EXPECT_EQ(WireHex("a\\.b."), "03612E6200"); }

TEST(NameFromTextTest, DecimalEscape) {
  EXPECT_EQ(WireHex("\\065\\000."),
            "024100"
            "00");
}

TEST(NameFromTextTest, DecimalEscapeAbove255IsAnError) {
  EXPECT_FALSE(Name::FromText("\\256.").has_value());
}

TEST(NameFromTextTest, ShortDecimalEscapeIsAnError) {
  EXPECT_FALSE(Name::FromText("\\06").has_value());
}

TEST(NameFromTextTest, DanglingBackslashIsAnError) {
  EXPECT_FALSE(Name::FromText("abc\\").has_value());
}

TEST(NameFromTextTest, EscapedBackslash) { EXPECT_EQ(WireHex("a\\\\b."), "03615C6200"); }

// ---- ToText ----

TEST(NameToTextTest, RootIsADot) { EXPECT_EQ(Name::Root().ToText(), "."); }

TEST(NameToTextTest, AbsoluteWithTrailingDot) {
  EXPECT_EQ(N("www.example").ToText(), "www.example.");
}

TEST(NameToTextTest, KeepsCase) { EXPECT_EQ(N("WwW.Example.").ToText(), "WwW.Example."); }

TEST(NameToTextTest, EscapesSpecialCharacters) {
  auto name = Name::FromWire(FromHex("08 2E 20 00 22 5C 40 24 FF 00"));
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->ToText(), "\\.\\032\\000\\\"\\\\\\@\\$\\255.");
}

TEST(NameToTextTest, EscapedTextRoundTrips) {
  auto name = Name::FromWire(FromHex("08 2E 20 00 22 5C 40 24 FF 00"));
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(N(name->ToText()), *name);
}

// ---- FromWire ----

TEST(NameFromWireTest, Valid) { EXPECT_TRUE(Name::FromWire(FromHex("0161 00")).has_value()); }

TEST(NameFromWireTest, TrailingBytesAreAnError) {
  EXPECT_FALSE(Name::FromWire(FromHex("0161 00 00")).has_value());
}

TEST(NameFromWireTest, TruncatedIsAnError) {
  EXPECT_FALSE(Name::FromWire(FromHex("0361 62")).has_value());
}

TEST(NameFromWireTest, PointerIsAnError) {
  EXPECT_FALSE(Name::FromWire(FromHex("C000")).has_value());
}

TEST(NameFromWireTest, EmptyIsAnError) { EXPECT_FALSE(Name::FromWire({}).has_value()); }

// ---- ReadName ----

size_t ReadAt(const std::vector<uint8_t>& message, size_t offset, std::string* hex,
              size_t* end = nullptr, bool lowercase = false) {
  Reader reader(message);
  reader.Skip(offset);
  uint8_t buffer[Name::kMaxWire];
  size_t length = ReadName(reader, buffer, lowercase);
  *hex = ToHex({buffer, length});
  if (end != nullptr) *end = reader.offset();
  if (length == 0) {
    EXPECT_FALSE(reader.ok());
  }
  return length;
}

TEST(ReadNameTest, FollowsBackwardPointer) {
  auto message = FromHex("000000000000000000000000 076578616D706C6500 03777777C00C");
  std::string hex;
  size_t end = 0;
  ASSERT_EQ(ReadAt(message, 21, &hex, &end), 13u);
  EXPECT_EQ(hex, "03777777076578616D706C6500");
  EXPECT_EQ(end, message.size());  // resumes right after the first pointer
}

TEST(ReadNameTest, FollowsPointerChain) {
  auto message = FromHex("000000000000000000000000 0161 00 0162 C00C 0163 C00F");
  std::string hex;
  ASSERT_EQ(ReadAt(message, 19, &hex), 7u);
  EXPECT_EQ(hex, "01630162016100");
}

TEST(ReadNameTest, Lowercases) {
  auto message = FromHex("0141 00");
  std::string hex;
  ReadAt(message, 0, &hex, nullptr, /*lowercase=*/true);
  EXPECT_EQ(hex, "016100");
}

TEST(ReadNameTest, PointerToItselfFails) {
  std::string hex;
  EXPECT_EQ(ReadAt(FromHex("C000"), 0, &hex), 0u);
}

TEST(ReadNameTest, PointerIntoItselfFails) {
  // A label, then a pointer back to the label: the name would be infinite.
  std::string hex;
  EXPECT_EQ(ReadAt(FromHex("0161 C000"), 0, &hex), 0u);
}

TEST(ReadNameTest, LoopBetweenTwoPointersFails) {
  std::string hex;
  EXPECT_EQ(ReadAt(FromHex("C002 C000"), 2, &hex), 0u);
}

TEST(ReadNameTest, ForwardPointerFails) {
  std::string hex;
  EXPECT_EQ(ReadAt(FromHex("C002 0161 00"), 0, &hex), 0u);
}

TEST(ReadNameTest, PointerPastEndFails) {
  std::string hex;
  EXPECT_EQ(ReadAt(FromHex("0161 00 C0FF"), 3, &hex), 0u);
}

TEST(ReadNameTest, TruncatedPointerFails) {
  std::string hex;
  EXPECT_EQ(ReadAt(FromHex("0161 00 C0"), 3, &hex), 0u);
}

TEST(ReadNameTest, TruncatedLabelFails) {
  std::string hex;
  EXPECT_EQ(ReadAt(FromHex("0561 62"), 0, &hex), 0u);
}

TEST(ReadNameTest, ReservedLabelTypesFail) {
  std::string hex;
  EXPECT_EQ(ReadAt(FromHex("4161 00"), 0, &hex), 0u);
  EXPECT_EQ(ReadAt(FromHex("8161 00"), 0, &hex), 0u);
}

TEST(ReadNameTest, OverlongNameThroughPointersFails) {
  // Four 63-byte labels, each pointing to the previous: 4 * 64 + 1 = 257 bytes.
  std::vector<uint8_t> message(12, 0);  // a header
  std::vector<size_t> starts;
  for (size_t i = 0; i < 4; ++i) {
    starts.push_back(message.size());
    message.push_back(63);
    message.insert(message.end(), 63, static_cast<uint8_t>('a' + i));
    if (i == 0) {
      message.push_back(0);
    } else {
      message.push_back(static_cast<uint8_t>(0xC0 | starts[i - 1] >> 8));
      message.push_back(static_cast<uint8_t>(starts[i - 1]));
    }
  }
  std::string hex;
  EXPECT_EQ(ReadAt(message, starts[2], &hex), 193u);  // three labels still fit
  EXPECT_EQ(ReadAt(message, starts[3], &hex), 0u);
}

// Bug: pointers were followed as long as they pointed backwards, so a message of chained
// pointers (each pointing at the previous one) made every name that entered the chain cost
// one step per pointer: a 64 KiB TCP message with 16000 hops and 5500 questions took
// ~170 ms to parse. A real name has at most 127 labels and needs at most 128 jumps.
TEST(ReadNameTest, LongPointerChainFails) {
  std::vector<uint8_t> message(12, 0);  // a header
  message.push_back(0);                  // the root at 12
  for (size_t i = 0; i < 200; ++i) {
    size_t target = i == 0 ? 12 : 13 + 2 * (i - 1);
    message.push_back(static_cast<uint8_t>(0xC0 | target >> 8));
    message.push_back(static_cast<uint8_t>(target));
  }
  std::string hex;
  EXPECT_EQ(ReadAt(message, 13 + 2 * 127, &hex), 1u);  // 128 jumps
  EXPECT_EQ(ReadAt(message, 13 + 2 * 128, &hex), 0u);  // 129 jumps
}

// TSIG covers the original ID, not the one on the wire: a name made of header bytes could
// be changed without breaking the signature, so pointers into the header are refused.
TEST(ReadNameTest, PointerIntoTheHeaderFails) {
  auto message = FromHex("0161 00 0000000000000000000000 03777777C000");
  std::string hex;
  EXPECT_EQ(ReadAt(message, 14, &hex), 0u);
}

TEST(ReadNameTest, FailedSubReaderFails) {
  auto message = FromHex("0161 00");
  Reader reader(message);
  Reader sub = reader.Sub(100);
  uint8_t buffer[Name::kMaxWire];
  EXPECT_EQ(ReadName(sub, buffer), 0u);
  EXPECT_FALSE(sub.ok());
}

TEST(ReadNameTest, MissingTerminatorFails) {
  std::string hex;
  EXPECT_EQ(ReadAt(FromHex("0161"), 0, &hex), 0u);
}

TEST(ReadNameTest, IntoNameObject) {
  auto message = FromHex("076578616D706C6500");
  Reader reader(message);
  Name name;
  ASSERT_TRUE(ReadName(reader, &name));
  EXPECT_EQ(name.ToText(), "example.");
}

// ---- comparisons and structure ----

TEST(NameTest, CanonicalOrderOfRfc4034Section61) {
  std::vector<Name> names = {N("example."),         N("a.example."),      N("yljkjljk.a.example."),
                             N("Z.a.example."),     N("zABC.a.EXAMPLE."), N("z.example."),
                             N("\\001.z.example."), N("*.z.example."),    N("\\200.z.example.")};
  for (size_t i = 0; i + 1 < names.size(); ++i) {
    EXPECT_LT(names[i].CanonicalCompare(names[i + 1]), 0) << names[i].ToText();
    EXPECT_GT(names[i + 1].CanonicalCompare(names[i]), 0) << names[i].ToText();
  }
}

TEST(NameTest, CanonicalCompareIgnoresCase) {
  EXPECT_EQ(N("WWW.example.").CanonicalCompare(N("www.EXAMPLE.")), 0);
}

TEST(NameTest, EqualsIgnoreCase) {
  EXPECT_TRUE(N("WWW.Example.").EqualsIgnoreCase(N("www.example.")));
  EXPECT_FALSE(N("www.example.").EqualsIgnoreCase(N("ww.example.")));
}

TEST(NameTest, IsSubdomainOfNeedsLabelBoundary) {
  EXPECT_TRUE(N("a.b.example.").IsSubdomainOf(N("Example.")));
  EXPECT_TRUE(N("example.").IsSubdomainOf(N("example.")));
  EXPECT_FALSE(N("xexample.").IsSubdomainOf(N("example.")));
  EXPECT_TRUE(N("example.").IsSubdomainOf(Name::Root()));
}

TEST(NameTest, LabelCountParentAndStrip) {
  Name name = N("a.b.example.");
  EXPECT_EQ(name.LabelCount(), 3);
  EXPECT_EQ(name.Parent().ToText(), "b.example.");
  EXPECT_EQ(name.StripLabels(3), Name::Root());
  EXPECT_EQ(name.FirstLabel(), "a");
}

TEST(NameTest, PrependTooLongFails) {
  Name name = N(TextOfWireSize(250));
  EXPECT_FALSE(name.Prepend("abcdef").has_value());
  EXPECT_TRUE(name.Prepend("abcd").has_value());
}

TEST(NameTest, Lowercased) { EXPECT_EQ(N("A.B.").Lowercased().ToText(), "a.b."); }

// LowercaseKey and Lowercase lower eight bytes at a time: every byte value, at every offset
// of a name longer than one word, comes out as AsciiLower makes it.
TEST(NameLowercaseKeyTest, LowersOnlyAsciiLettersAtEveryOffset) {
  for (size_t pos = 0; pos < 24; ++pos) {
    for (int byte = 1; byte < 256; ++byte) {
      std::string wire(1, '\x18');
      wire += std::string(24, 'X');
      wire[1 + pos] = static_cast<char>(byte);
      wire += std::string("\x03" "CoM", 4);
      wire.push_back('\0');
      auto name = Name::FromWire(
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(wire.data()), wire.size()));
      ASSERT_TRUE(name) << byte;
      char buffer[Name::kMaxWire];
      const std::string_view key = name->LowercaseKey(buffer);
      ASSERT_EQ(key.size(), wire.size());
      for (size_t i = 0; i < wire.size(); ++i) {
        ASSERT_EQ(static_cast<uint8_t>(key[i]), AsciiLower(static_cast<uint8_t>(wire[i])))
            << "byte " << byte << " at " << pos << ", offset " << i;
      }
      name->Lowercase();  // in place, the same bytes
      ASSERT_EQ(std::string_view(reinterpret_cast<const char*>(name->wire().data()), name->size()), key)
          << "byte " << byte << " at " << pos;
    }
  }
}

}  // namespace
}  // namespace tether::dns
