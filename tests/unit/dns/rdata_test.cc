// Behaviour of dns/rdata.h beyond the per-type round trips: RFC 3597 generic data, errors
// from presentation input, decompression, compression and canonical form.
#include "dns/rdata.h"

#include <arpa/inet.h>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "dns/rdata_codec.h"
#include "hex_util.h"

namespace tether::dns {
namespace {

Name N(std::string_view text) { return *Name::FromText(text); }

std::string ErrorOf(RrType type, std::string_view text, const Name& origin = Name::Root()) {
  auto result = RdataFromString(type, text, origin);
  if (result) return "(no error)";
  return result.error().message;
}

std::string TextOf(RrType type, std::string_view text, const Name& origin = Name::Root()) {
  auto result = RdataFromString(type, text, origin);
  if (!result) return "error: " + result.error().message;
  return RdataToText(type, *result);
}

// ---- RFC 3597 generic form ----

TEST(RdataGenericTest, KnownTypeIsConvertedToItsOwnSyntax) {
  EXPECT_EQ(TextOf(RrType::kA, "\\# 4 0A000001"), "10.0.0.1");
}

TEST(RdataGenericTest, UnknownTypePrintsGeneric) {
  auto type = static_cast<RrType>(65280);
  auto wire = RdataFromString(type, "\\# 4 0a 00 00 01", Name::Root());
  ASSERT_TRUE(wire.has_value());
  EXPECT_EQ(ToHex(*wire), "0A000001");
  EXPECT_EQ(RdataToText(type, *wire), "\\# 4 0A000001");
}

TEST(RdataGenericTest, EmptyData) {
  auto type = static_cast<RrType>(65280);
  auto wire = RdataFromString(type, "\\# 0", Name::Root());
  ASSERT_TRUE(wire.has_value());
  EXPECT_TRUE(wire->empty());
  EXPECT_EQ(RdataToText(type, *wire), "\\# 0");
}

TEST(RdataGenericTest, LengthMismatchIsAnError) {
  EXPECT_NE(ErrorOf(static_cast<RrType>(65280), "\\# 3 0A000001"), "(no error)");
}

TEST(RdataGenericTest, KnownTypeMustHaveItsStructure) {
  EXPECT_NE(ErrorOf(RrType::kA, "\\# 3 0A0000"), "(no error)");
}

TEST(RdataGenericTest, UnknownTypeNeedsGenericForm) {
  EXPECT_NE(ErrorOf(static_cast<RrType>(65280), "10.0.0.1"), "(no error)");
}

TEST(RdataGenericTest, TypesWithoutDescriptorArePrintedGeneric) {
  auto wire = RdataFromString(RrType::kApl, "\\# 8 0001150AC0A82000", Name::Root());
  ASSERT_TRUE(wire.has_value());
  EXPECT_EQ(RdataToText(RrType::kApl, *wire), "\\# 8 0001150AC0A82000");
}

TEST(RdataGenericTest, QuotedHashIsNotGeneric) {
  EXPECT_NE(ErrorOf(RrType::kA, "\"\\#\" 4 0A000001"), "(no error)");
}

// ---- presentation errors ----

TEST(RdataTextErrorTest, BadIpv4NamesFieldAndType) {
  EXPECT_EQ(ErrorOf(RrType::kA, "1.2.3"), "bad IPv4 address '1.2.3' in A record");
}

TEST(RdataTextErrorTest, BadIpv6) {
  EXPECT_EQ(ErrorOf(RrType::kAaaa, "2001:db8::g"), "bad IPv6 address '2001:db8::g' in AAAA record");
}

TEST(RdataTextErrorTest, MissingField) {
  EXPECT_EQ(ErrorOf(RrType::kMx, "10"), "missing exchange in MX record");
}

TEST(RdataTextErrorTest, TrailingData) {
  EXPECT_EQ(ErrorOf(RrType::kA, "1.2.3.4 5"), "trailing data '5' in A record");
}

TEST(RdataTextErrorTest, NumberOutOfRange) {
  EXPECT_EQ(ErrorOf(RrType::kMx, "65536 mx."), "bad preference '65536' in MX record");
}

TEST(RdataTextErrorTest, NegativeNumber) {
  EXPECT_EQ(ErrorOf(RrType::kSrv, "-1 0 0 x."), "bad priority '-1' in SRV record");
}

TEST(RdataTextErrorTest, CharacterStringLongerThan255) {
  std::string text(256, 'a');
  EXPECT_EQ(ErrorOf(RrType::kTxt, text), "text longer than 255 bytes in TXT record");
}

TEST(RdataTextErrorTest, CharacterStringOf255IsFine) {
  std::string text(255, 'a');
  EXPECT_EQ(ErrorOf(RrType::kTxt, text), "(no error)");
}

TEST(RdataTextErrorTest, UnbalancedQuotes) {
  EXPECT_NE(ErrorOf(RrType::kTxt, "\"abc"), "(no error)");
}

TEST(RdataTextErrorTest, BadEscape) {
  EXPECT_NE(ErrorOf(RrType::kTxt, "\"a\\256\""), "(no error)");
}

TEST(RdataTextErrorTest, CaaTagMustBeAlphanumeric) {
  EXPECT_EQ(ErrorOf(RrType::kCaa, "0 is-sue \"x\""), "bad tag 'is-sue' in CAA record");
}

TEST(RdataTextErrorTest, DsNeedsDigest) {
  EXPECT_EQ(ErrorOf(RrType::kDs, "1 8 2"), "missing digest in DS record");
}

TEST(RdataTextErrorTest, OddHex) {
  EXPECT_EQ(ErrorOf(RrType::kDs, "1 8 2 ABC"), "bad digest 'ABC' in DS record");
}

TEST(RdataTextErrorTest, Base64WithPaddingInTheMiddle) {
  EXPECT_NE(ErrorOf(RrType::kDnskey, "256 3 8 AA==AAAA"), "(no error)");
}

TEST(RdataTextErrorTest, Base64OfWrongLength) {
  EXPECT_NE(ErrorOf(RrType::kDnskey, "256 3 8 AAA"), "(no error)");
}

// RFC 4648 10's vectors, every padding, and what base64 refuses: a digit outside the
// alphabet, padding in the middle or beyond two, a length not a multiple of four.
TEST(Base64Test, DecodesTheRfcVectorsAndRefusesTheRest) {
  auto decode = [](std::string_view text) -> std::optional<std::string> {
    std::vector<uint8_t> out = {'>'};  // decoding appends
    if (!rdata_codec::ParseBase64(text, &out)) return std::nullopt;
    return std::string(out.begin() + 1, out.end());
  };
  EXPECT_EQ(decode(""), "");
  EXPECT_EQ(decode("Zg=="), "f");
  EXPECT_EQ(decode("Zm8="), "fo");
  EXPECT_EQ(decode("Zm9v"), "foo");
  EXPECT_EQ(decode("Zm9vYg=="), "foob");
  EXPECT_EQ(decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(decode("dXNlcjpwYXNz/+8="), std::string("user:pass\xff\xef"));
  for (std::string_view bad :
       {"Zg=", "Z===", "====", "Zg==Zg==", "Zm9v!A==", "Zm 9", "Zm9vY", "Zg\n="}) {
    EXPECT_EQ(decode(bad), std::nullopt) << bad;
  }
  for (size_t size = 0; size < 40; ++size) {
    std::vector<uint8_t> bytes(size);
    for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(i * 37 + size);
    std::string text;
    rdata_codec::AppendBase64(bytes, &text);
    std::vector<uint8_t> back;
    ASSERT_TRUE(rdata_codec::ParseBase64(text, &back)) << text;
    EXPECT_EQ(back, bytes) << text;
  }
}

TEST(RdataTextErrorTest, NsecNeedsTypes) {
  EXPECT_EQ(ErrorOf(RrType::kNsec, "next.example."), "missing type bitmap in NSEC record");
}

TEST(RdataTextErrorTest, UnknownTypeInBitmap) {
  EXPECT_EQ(ErrorOf(RrType::kNsec, "next. A BOGUS"), "bad type bitmap 'BOGUS' in NSEC record");
}

TEST(RdataTextErrorTest, Nsec3HashNotBase32Hex) {
  EXPECT_NE(ErrorOf(RrType::kNsec3, "1 0 0 - WXYZ A"), "(no error)");
}

TEST(RdataTextErrorTest, RrsigImpossibleDate) {
  EXPECT_EQ(ErrorOf(RrType::kRrsig, "A 8 2 300 20240230000000 20240101000000 1 example. AA=="),
            "bad expiration '20240230000000' in RRSIG record");
}

TEST(RdataTextErrorTest, EuiWithColons) {
  EXPECT_NE(ErrorOf(RrType::kEui48, "00:00:5e:00:53:2a"), "(no error)");
}

TEST(RdataTextErrorTest, BadNameInNs) { EXPECT_NE(ErrorOf(RrType::kNs, "a..b."), "(no error)"); }

TEST(RdataTextErrorTest, EmbeddedNulInAddressIsRejected) {
  EXPECT_NE(ErrorOf(RrType::kA, "1.2.3.4\\000"), "(no error)");
}

// ---- presentation details ----

TEST(RdataTextTest, RelativeNamesUseOrigin) {
  EXPECT_EQ(TextOf(RrType::kMx, "10 mail", N("example.com.")), "10 mail.example.com.");
}

TEST(RdataTextTest, AtIsTheOrigin) {
  EXPECT_EQ(TextOf(RrType::kCname, "@", N("example.com.")), "example.com.");
}

TEST(RdataTextTest, SoaTimersAcceptUnits) {
  EXPECT_EQ(TextOf(RrType::kSoa, "ns. host. 1 1h 15m 1w 5M"), "ns. host. 1 3600 900 604800 300");
}

TEST(RdataTextTest, UnquotedTxtWordsAreSeparateStrings) {
  EXPECT_EQ(TextOf(RrType::kTxt, "hello world"), "\"hello\" \"world\"");
}

TEST(RdataTextTest, EmptyTxtString) { EXPECT_EQ(TextOf(RrType::kTxt, "\"\""), "\"\""); }

TEST(RdataTextTest, TxtDecimalEscape) { EXPECT_EQ(TextOf(RrType::kTxt, "a\\0981"), "\"ab1\""); }

TEST(RdataTextTest, NameEscapesSurvive) {
  EXPECT_EQ(TextOf(RrType::kPtr, "a\\.b\\032c.example."), "a\\.b\\032c.example.");
}

TEST(RdataTextTest, RrsigIntegerTimes) {
  EXPECT_EQ(TextOf(RrType::kRrsig, "A 8 2 300 1700000000 0 1 example. AA=="),
            "A 8 2 300 20231114221320 19700101000000 1 example. AA==");
}

TEST(RdataTextTest, RrsigTimeAfter2106Wraps) {
  // RFC 4034 3.1.5: serial arithmetic; 2106-02-07 06:28:16 is 2^32.
  EXPECT_EQ(TextOf(RrType::kRrsig, "A 8 2 300 21060207062816 0 1 . AA=="),
            "A 8 2 300 19700101000000 19700101000000 1 . AA==");
}

TEST(RdataTextTest, AlgorithmMnemonic) {
  EXPECT_EQ(TextOf(RrType::kDs, "1 ecdsap256sha256 2 AB"), "1 13 2 AB");
}

TEST(RdataTextTest, CertTypeNumberIsPrintedAsMnemonic) {
  EXPECT_EQ(TextOf(RrType::kCert, "1 0 RSASHA256 AA=="), "PKIX 0 8 AA==");
}

TEST(RdataTextTest, CertTypeWithoutMnemonicIsANumber) {
  EXPECT_EQ(TextOf(RrType::kCert, "65000 0 0 AA=="), "65000 0 0 AA==");
}

TEST(RdataTextTest, Base64SplitOverTokens) {
  EXPECT_EQ(TextOf(RrType::kDnskey, "256 3 8 AwEA AQ=="), "256 3 8 AwEAAQ==");
}

TEST(RdataTextTest, HexIsPrintedUpperCase) {
  EXPECT_EQ(TextOf(RrType::kDs, "1 8 2 ab cd"), "1 8 2 ABCD");
}

TEST(RdataTextTest, BitmapTypesAreSortedAndDeduplicated) {
  EXPECT_EQ(TextOf(RrType::kNsec, "x. NSEC A a TYPE1 CAA"), "x. A NSEC CAA");
}

TEST(RdataTextTest, Nsec3WithEmptyBitmap) {
  EXPECT_EQ(TextOf(RrType::kNsec3, "1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s"),
            "1 0 0 - 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S");
}

TEST(RdataTextTest, CaaUnquotedValue) {
  EXPECT_EQ(TextOf(RrType::kCaa, "0 issue letsencrypt.org"), "0 issue \"letsencrypt.org\"");
}

TEST(RdataTextTest, CaaEmptyValue) {
  EXPECT_EQ(TextOf(RrType::kCaa, "0 issue \"\""), "0 issue \"\"");
}

TEST(RdataTextTest, AaaaIsPrintedInRfc5952Form) {
  EXPECT_EQ(TextOf(RrType::kAaaa, "2001:0DB8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
}

// ---- LOC ----

TEST(LocTextTest, OmittedPartsTakeDefaults) {
  EXPECT_EQ(TextOf(RrType::kLoc, "52 N 4 E 2"), "52 0 0.000 N 4 0 0.000 E 2.00m 1m 10000m 10m");
}

TEST(LocTextTest, PrecisionIsTruncatedToOneDigit) {
  // RFC 1876 A: 15 m is stored as 1e3 cm, as BIND does.
  EXPECT_EQ(TextOf(RrType::kLoc, "52 22 N 4 53 E 2.5m 15m"),
            "52 22 0.000 N 4 53 0.000 E 2.50m 10m 10000m 10m");
}

TEST(LocTextTest, LowerCaseHemispheres) {
  EXPECT_EQ(TextOf(RrType::kLoc, "1 s 2 w 0"), "1 0 0.000 S 2 0 0.000 W 0.00m 1m 10000m 10m");
}

// Bug (found by message_fuzz): the seconds were bounded by 59.000, so the printed form of a
// valid record ("59.323") did not parse back.
TEST(LocTextTest, SecondsWithFractionAbove59) {
  EXPECT_EQ(TextOf(RrType::kLoc, "42 21 54 N 86 29 59.323 W -99925.76m 0.30m"),
            "42 21 54.000 N 86 29 59.323 W -99925.76m 0.30m 10000m 10m");
}

TEST(LocTextTest, LatitudeAbove90IsAnError) {
  EXPECT_EQ(ErrorOf(RrType::kLoc, "91 N 0 E 0"), "bad latitude in LOC record");
}

TEST(LocTextTest, MinutesAbove59IsAnError) {
  EXPECT_EQ(ErrorOf(RrType::kLoc, "1 60 N 0 E 0"), "bad latitude in LOC record");
}

TEST(LocTextTest, MissingHemisphereIsAnError) {
  EXPECT_EQ(ErrorOf(RrType::kLoc, "1 2 3 4 E 0"), "bad latitude in LOC record");
}

TEST(LocTextTest, AltitudeBelowMinimumIsAnError) {
  EXPECT_EQ(ErrorOf(RrType::kLoc, "1 N 2 E -100000.01m"), "bad altitude in LOC record");
}

TEST(LocWireTest, PrecisionDigitAbove9IsMalformed) {
  EXPECT_FALSE(ValidateRdata(RrType::kLoc, FromHex("00 1A 16 13 8B3CF018 810CBCE0 009895B8")));
}

TEST(LocWireTest, LongitudeBeyond180IsMalformed) {
  EXPECT_FALSE(ValidateRdata(RrType::kLoc, FromHex("00 12 16 13 8B3CF018 FFFFFFFF 009895B8")));
}

// Bug (found by message_fuzz): a zero precision with a non-zero exponent printed as
// "0.00m", which reads back as 0x00.
TEST(LocWireTest, NonCanonicalZeroPrecisionPrintsGeneric) {
  auto wire = FromHex("00 00 16 01 8B3CF018 810CBCE0 009895B8");
  EXPECT_TRUE(ValidateRdata(RrType::kLoc, wire));
  EXPECT_EQ(RdataToText(RrType::kLoc, wire), "\\# 16 000016018B3CF018810CBCE0009895B8");
}

TEST(LocWireTest, OtherVersionsAreOpaqueAndPrintedGeneric) {
  auto wire = FromHex("01 02 03");
  EXPECT_TRUE(ValidateRdata(RrType::kLoc, wire));
  EXPECT_EQ(RdataToText(RrType::kLoc, wire), "\\# 3 010203");
}

// ---- SVCB / HTTPS ----

TEST(SvcbTextTest, KeysAreSortedOnOutput) {
  EXPECT_EQ(TextOf(RrType::kHttps, "1 . port=443 alpn=h2"), "1 . alpn=\"h2\" port=443");
}

TEST(SvcbTextTest, DuplicateKeyIsAnError) {
  EXPECT_EQ(ErrorOf(RrType::kSvcb, "1 . alpn=h2 alpn=h3"),
            "duplicate SvcParam key 'alpn' in SVCB record");
}

TEST(SvcbTextTest, MandatoryKeyMustBePresent) {
  EXPECT_NE(ErrorOf(RrType::kSvcb, "1 . mandatory=port"), "(no error)");
}

TEST(SvcbTextTest, MandatoryMayNotListItself) {
  EXPECT_NE(ErrorOf(RrType::kSvcb, "1 . mandatory=mandatory"), "(no error)");
}

TEST(SvcbTextTest, NoDefaultAlpnNeedsAlpn) {
  EXPECT_NE(ErrorOf(RrType::kSvcb, "1 . no-default-alpn"), "(no error)");
}

TEST(SvcbTextTest, UnknownKeyName) {
  EXPECT_EQ(ErrorOf(RrType::kSvcb, "1 . colour=blue"),
            "unknown SvcParam key 'colour' in SVCB record");
}

TEST(SvcbTextTest, Key65535IsInvalid) {
  EXPECT_NE(ErrorOf(RrType::kSvcb, "1 . key65535=x"), "(no error)");
}

TEST(SvcbTextTest, GenericKeyNumberForKnownKeyUsesItsSyntax) {
  EXPECT_EQ(TextOf(RrType::kSvcb, "1 . key3=8443"), "1 . port=8443");
}

TEST(SvcbTextTest, GenericKeyWithoutValue) {
  EXPECT_EQ(TextOf(RrType::kSvcb, "1 . key65000=\"\""), "1 . key65000");
}

TEST(SvcbTextTest, AlpnCommaEscape) {
  auto wire = RdataFromString(RrType::kSvcb, "1 . alpn=\"a\\\\,b,c\"", Name::Root());
  ASSERT_TRUE(wire.has_value()) << wire.error().message;
  // One alpn-id "a,b" and one "c".
  EXPECT_EQ(ToHex(*wire), "0001000001000603612C620163");
  EXPECT_EQ(RdataToText(RrType::kSvcb, *wire), "1 . alpn=\"a\\\\,b,c\"");
}

TEST(SvcbTextTest, QuotesInsideOneTokenAreAccepted) {
  // A tokenizer that keeps key="value" as one unquoted field.
  std::vector<TextToken> tokens = {{"1"}, {"."}, {"alpn=\"h2,h3\""}};
  auto wire = RdataFromText(RrType::kHttps, tokens, Name::Root());
  ASSERT_TRUE(wire.has_value()) << wire.error().message;
  EXPECT_EQ(RdataToText(RrType::kHttps, *wire), "1 . alpn=\"h2,h3\"");
}

TEST(SvcbTextTest, EmptyEchIsAnError) {
  EXPECT_NE(ErrorOf(RrType::kSvcb, "1 . ech=\"\""), "(no error)");
}

TEST(SvcbTextTest, DohPath) {
  EXPECT_EQ(TextOf(RrType::kSvcb, "1 dns.example. alpn=h2 dohpath=/dns-query{?dns}"),
            "1 dns.example. alpn=\"h2\" dohpath=\"/dns-query{?dns}\"");
}

TEST(SvcbWireTest, UnsortedKeysAreMalformed) {
  // port (3) before alpn (1).
  auto wire = FromHex("0001 00 0003 0002 01BB 0001 0003 026832");
  EXPECT_FALSE(ValidateRdata(RrType::kSvcb, wire).has_value());
}

TEST(SvcbWireTest, PortOfWrongLengthIsMalformed) {
  auto wire = FromHex("0001 00 0003 0001 01");
  EXPECT_FALSE(ValidateRdata(RrType::kSvcb, wire).has_value());
}

TEST(SvcbWireTest, MissingMandatoryKeyPrintsGeneric) {
  // mandatory=port without port: well-formed but not self-consistent.
  auto wire = FromHex("0001 00 0000 0002 0003");
  ASSERT_TRUE(ValidateRdata(RrType::kSvcb, wire).has_value());
  EXPECT_EQ(RdataToText(RrType::kSvcb, wire), "\\# 9 000100000000020003");
}

// ---- wire validation ----

TEST(RdataWireTest, AOfThreeBytesIsMalformed) {
  EXPECT_FALSE(ValidateRdata(RrType::kA, FromHex("0A0000")).has_value());
}

TEST(RdataWireTest, TrailingBytesAreMalformed) {
  EXPECT_FALSE(ValidateRdata(RrType::kNs, FromHex("0161 00 FF")).has_value());
}

TEST(RdataWireTest, TxtNeedsAString) { EXPECT_FALSE(ValidateRdata(RrType::kTxt, {}).has_value()); }

TEST(RdataWireTest, TxtStringOverrunningRdataIsMalformed) {
  EXPECT_FALSE(ValidateRdata(RrType::kTxt, FromHex("05616263")).has_value());
}

TEST(RdataWireTest, BitmapWithTrailingZeroIsMalformed) {
  EXPECT_FALSE(ValidateRdata(RrType::kNsec, FromHex("00 0002 4000")).has_value());
}

TEST(RdataWireTest, BitmapWindowsOutOfOrderAreMalformed) {
  EXPECT_FALSE(ValidateRdata(RrType::kNsec, FromHex("00 0101 40 0001 40")).has_value());
}

TEST(RdataWireTest, BitmapWindowLongerThan32IsMalformed) {
  std::string hex = "00 0021" + std::string(64, '1');
  EXPECT_FALSE(ValidateRdata(RrType::kNsec, FromHex(hex)).has_value());
}

TEST(RdataWireTest, ZonemdDigestShorterThan12IsMalformed) {
  // RFC 8976 2.2.4; BIND refuses such a record, in a transfer too.
  EXPECT_FALSE(ValidateRdata(RrType::kZonemd, FromHex("00000001 01 01 0102030405060708090A0B")));
  EXPECT_TRUE(ValidateRdata(RrType::kZonemd, FromHex("00000001 01 01 0102030405060708090A0B0C")));
}

TEST(RdataTextErrorTest, ZonemdDigestShorterThan12) {
  EXPECT_EQ(ErrorOf(RrType::kZonemd, "1 1 1 0102"), "bad digest '0102' in ZONEMD record");
}

TEST(RdataWireTest, CaaEmptyTagIsMalformed) {
  EXPECT_FALSE(ValidateRdata(RrType::kCaa, FromHex("00 00")).has_value());
}

TEST(RdataWireTest, Nsec3EmptyHashIsMalformed) {
  EXPECT_FALSE(ValidateRdata(RrType::kNsec3, FromHex("01 00 0000 00 00")).has_value());
}

TEST(RdataWireTest, CompressionPointerInCanonicalRdataIsMalformed) {
  EXPECT_FALSE(ValidateRdata(RrType::kNs, FromHex("C00C")).has_value());
}

TEST(RdataWireTest, UnknownTypeIsOpaque) {
  EXPECT_TRUE(ValidateRdata(static_cast<RrType>(65280), FromHex("FFFF")).has_value());
}

TEST(RdataWireTest, EmptyDigestPrintsGeneric) {
  EXPECT_EQ(RdataToText(RrType::kDs, FromHex("0001 08 02")), "\\# 4 00010802");
}

// A message: header-sized padding, then "example." at offset 12, then RDATA at 21.
std::vector<uint8_t> MessageWithRdata(std::string_view rdata_hex) {
  auto message = FromHex("000000000000000000000000 07 6578616D706C65 00");
  auto rdata = FromHex(rdata_hex);
  message.insert(message.end(), rdata.begin(), rdata.end());
  return message;
}

TEST(RdataFromWireTest, DecompressesMx) {
  auto message = MessageWithRdata("000A 046D61696C C00C");
  Reader reader(message);
  reader.Skip(21);
  auto rdata = RdataFromWire(RrType::kMx, reader.Sub(reader.remaining()));
  ASSERT_TRUE(rdata.has_value()) << rdata.error().message;
  EXPECT_EQ(ToHex(*rdata), "000A046D61696C076578616D706C6500");
}

TEST(RdataFromWireTest, DecompressesSrvTargetForRobustness) {
  auto message = MessageWithRdata("0000 0000 0050 C00C");
  Reader reader(message);
  reader.Skip(21);
  auto rdata = RdataFromWire(RrType::kSrv, reader.Sub(reader.remaining()));
  ASSERT_TRUE(rdata.has_value()) << rdata.error().message;
  EXPECT_EQ(ToHex(*rdata), "000000000050076578616D706C6500");
}

TEST(RdataFromWireTest, RejectsCompressedDname) {
  auto message = MessageWithRdata("C00C");
  Reader reader(message);
  reader.Skip(21);
  EXPECT_FALSE(RdataFromWire(RrType::kDname, reader.Sub(reader.remaining())).has_value());
}

TEST(RdataFromWireTest, RejectsCompressedRrsigSigner) {
  auto message = MessageWithRdata("0001 08 01 00000E10 00000000 00000000 0001 C00C AA");
  Reader reader(message);
  reader.Skip(21);
  EXPECT_FALSE(RdataFromWire(RrType::kRrsig, reader.Sub(reader.remaining())).has_value());
}

TEST(RdataFromWireTest, RejectsForwardPointer) {
  auto message = MessageWithRdata("C017 00");
  Reader reader(message);
  reader.Skip(21);
  EXPECT_FALSE(RdataFromWire(RrType::kNs, reader.Sub(reader.remaining())).has_value());
}

TEST(RdataFromWireTest, NameMayNotRunPastRdlength) {
  auto message = MessageWithRdata("03616263 00");
  Reader reader(message);
  reader.Skip(21);
  EXPECT_FALSE(RdataFromWire(RrType::kNs, reader.Sub(3)).has_value());
}

TEST(RdataFromWireTest, FailedReaderIsAnError) {
  Reader reader;
  reader.Fail();
  EXPECT_FALSE(RdataFromWire(RrType::kA, reader).has_value());
}

// ---- WriteRdata ----

TEST(WriteRdataTest, CopiesAWithLength) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  WriteRdata(writer, RrType::kA, FromHex("C0000201"));
  EXPECT_EQ(ToHex(writer.view()), "0004C0000201");
}

TEST(WriteRdataTest, CompressesMxExchangeAndPatchesLength) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  writer.Name(N("example.").wire(), true);  // offset 0
  WriteRdata(writer, RrType::kMx, FromHex("000A 046D61696C 076578616D706C65 00"));
  EXPECT_EQ(ToHex(writer.view()).substr(18), "0009000A046D61696CC000");
}

TEST(WriteRdataTest, CompressesSoaNamesCaseInsensitively) {
  uint8_t buffer[128];
  Writer writer(buffer, sizeof(buffer));
  writer.Name(N("example.").wire(), true);
  auto soa = RdataFromString(RrType::kSoa, "ns.EXAMPLE. host.example. 1 2 3 4 5", Name::Root());
  ASSERT_TRUE(soa.has_value());
  WriteRdata(writer, RrType::kSoa, *soa);
  EXPECT_EQ(ToHex(writer.view()).substr(18),
            "0020"
            "026E73C000"
            "04686F7374C000"
            "0000000100000002000000030000000400000005");
}

TEST(WriteRdataTest, NeverCompressesSrvTarget) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  writer.Name(N("example.").wire(), true);
  auto srv = FromHex("0000 0000 0050 076578616D706C65 00");
  WriteRdata(writer, RrType::kSrv, srv);
  EXPECT_EQ(ToHex(writer.view()).substr(18), "000F" + ToHex(srv));
}

TEST(WriteRdataTest, NeverCompressesDname) {
  uint8_t buffer[64];
  Writer writer(buffer, sizeof(buffer));
  writer.Name(N("example.").wire(), true);
  auto dname = FromHex("076578616D706C65 00");
  WriteRdata(writer, RrType::kDname, dname);
  EXPECT_EQ(ToHex(writer.view()).substr(18), "0009" + ToHex(dname));
}

TEST(WriteRdataTest, OverflowLatchesWriterError) {
  uint8_t buffer[8];
  Writer writer(buffer, sizeof(buffer));
  WriteRdata(writer, RrType::kAaaa, FromHex("20010DB8000000000000000000000001"));
  EXPECT_FALSE(writer.ok());
}

TEST(WriteRdataTest, OverflowInCompressedNameLatchesWriterError) {
  uint8_t buffer[8];
  Writer writer(buffer, sizeof(buffer));
  WriteRdata(writer, RrType::kNs, FromHex("076578616D706C65 00"));
  EXPECT_FALSE(writer.ok());
}

// ---- AdditionalNameOffset ----

TEST(AdditionalNameOffsetTest, NsMxSrv) {
  auto name = FromHex("0161 00");
  EXPECT_EQ(AdditionalNameOffset(RrType::kNs, name), 0);
  EXPECT_EQ(AdditionalNameOffset(RrType::kMx, FromHex("000A 0161 00")), 2);
  EXPECT_EQ(AdditionalNameOffset(RrType::kSrv, FromHex("0000 0000 0050 0161 00")), 6);
}

TEST(AdditionalNameOffsetTest, OtherTypesHaveNone) {
  EXPECT_EQ(AdditionalNameOffset(RrType::kCname, FromHex("0161 00")), -1);
  EXPECT_EQ(AdditionalNameOffset(RrType::kA, FromHex("01020304")), -1);
}

TEST(AdditionalNameOffsetTest, TooShortRdataHasNone) {
  EXPECT_EQ(AdditionalNameOffset(RrType::kMx, FromHex("000A")), -1);
}

// ---- CanonicalizeRdata ----

TEST(CanonicalizeRdataTest, LowercasesMxExchange) {
  auto rdata = FromHex("000A 044D41494C 00");
  CanonicalizeRdata(RrType::kMx, &rdata);
  EXPECT_EQ(ToHex(rdata), "000A046D61696C00");
}

TEST(CanonicalizeRdataTest, LowercasesBothSoaNames) {
  auto soa = RdataFromString(RrType::kSoa, "NS.Example. HOST.example. 1 2 3 4 5", Name::Root());
  ASSERT_TRUE(soa.has_value());
  CanonicalizeRdata(RrType::kSoa, &*soa);
  EXPECT_EQ(RdataToText(RrType::kSoa, *soa), "ns.example. host.example. 1 2 3 4 5");
}

TEST(CanonicalizeRdataTest, LeavesRrsigSignerAlone) {
  // RFC 6840 5.1: RRSIG and NSEC names are not lowercased.
  auto rrsig = RdataFromString(RrType::kRrsig, "A 8 1 300 1 0 1 EXAMPLE. AA==", Name::Root());
  ASSERT_TRUE(rrsig.has_value());
  auto before = *rrsig;
  CanonicalizeRdata(RrType::kRrsig, &*rrsig);
  EXPECT_EQ(*rrsig, before);
}

TEST(CanonicalizeRdataTest, LeavesTxtAlone) {
  auto rdata = FromHex("03414243");
  CanonicalizeRdata(RrType::kTxt, &rdata);
  EXPECT_EQ(ToHex(rdata), "03414243");
}

TEST(CanonicalizeRdataTest, LowercasesSrvTarget) {
  auto rdata = FromHex("0000 0000 0050 0158 00");
  CanonicalizeRdata(RrType::kSrv, &rdata);
  EXPECT_EQ(ToHex(rdata),
            "00000000005001"
            "78"
            "00");
}

// AppendIpv4 (the address text of every dyndns2 answer) against inet_ntop, for octets of
// one, two and three digits in every position.
TEST(AppendIpv4Test, WritesWhatInetNtopWrites) {
  for (const uint8_t octet : std::vector<uint8_t>{0, 7, 10, 99, 100, 199, 255}) {
    for (size_t position = 0; position < 4; ++position) {
      std::vector<uint8_t> address = {192, 0, 2, 1};
      address[position] = octet;
      char expected[INET_ADDRSTRLEN] = {};
      ASSERT_NE(inet_ntop(AF_INET, address.data(), expected, sizeof expected), nullptr);
      std::string text = "x";
      rdata_codec::AppendIpv4(address, &text);
      EXPECT_EQ(text, std::string("x") + expected);
    }
  }
}

}  // namespace
}  // namespace tether::dns
