// Round trips wire <-> presentation for every type with a descriptor. The wire bytes were
// produced independently with dnspython 2.3 (MB, MG, MR, MINFO by hand); the presentation
// strings are what BIND 9.18's named-compilezone prints for them (except that base64 and
// hex are printed in one chunk, as kdig does).
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "dns/rdata.h"
#include "hex_util.h"

namespace tether::dns {
namespace {

struct RoundTripCase {
  const char* name;
  const char* type;
  const char* text;  // input, and also the expected output
  const char* wire_hex;
};

void PrintTo(const RoundTripCase& c, std::ostream* os) { *os << c.type << " " << c.text; }

class RdataRoundTripTest : public testing::TestWithParam<RoundTripCase> {};

TEST_P(RdataRoundTripTest, TextToWireToTextAndBack) {
  const RoundTripCase& c = GetParam();
  auto type = RrTypeFromString(c.type);
  ASSERT_TRUE(type.has_value());
  auto wire = RdataFromString(*type, c.text, Name::Root());
  ASSERT_TRUE(wire.has_value()) << wire.error().message;
  EXPECT_EQ(ToHex(*wire), c.wire_hex);
  EXPECT_TRUE(ValidateRdata(*type, *wire).has_value());
  EXPECT_EQ(RdataToText(*type, *wire), c.text);
  auto from_wire = RdataFromWire(*type, Reader(*wire));
  ASSERT_TRUE(from_wire.has_value()) << from_wire.error().message;
  EXPECT_EQ(*from_wire, *wire);
}

TEST_P(RdataRoundTripTest, GenericFormGivesTheSameWire) {
  const RoundTripCase& c = GetParam();
  auto type = RrTypeFromString(c.type);
  ASSERT_TRUE(type.has_value());
  std::string hex = c.wire_hex;
  std::string generic = "\\# " + std::to_string(hex.size() / 2) + " " + hex;
  auto wire = RdataFromString(*type, generic, Name::Root());
  ASSERT_TRUE(wire.has_value()) << wire.error().message;
  EXPECT_EQ(ToHex(*wire), c.wire_hex);
}

constexpr RoundTripCase kCases[] = {
    {"A", "A", R"(192.0.2.1)", "C0000201"},
    {"Aaaa", "AAAA", R"(2001:db8::1)", "20010DB8000000000000000000000001"},
    {"AaaaMapped", "AAAA", R"(::ffff:1.2.3.4)", "00000000000000000000FFFF01020304"},
    {"Ns", "NS", R"(ns1.example.)", "036E7331076578616D706C6500"},
    {"Cname", "CNAME", R"(www.example.)", "03777777076578616D706C6500"},
    {"Soa", "SOA", R"(ns1.example. hostmaster.example. 2024010101 3600 900 604800 300)",
     "036E7331076578616D706C65000A686F73746D6173746572076578616D706C650078A3F17500000E1000000384000"
     "93A800000012C"},
    {"Ptr", "PTR", R"(host.example.)", "04686F7374076578616D706C6500"},
    {"Hinfo", "HINFO", R"("PC-Intel-700mhz" "Redhat Linux 7.1")",
     "0F50432D496E74656C2D3730306D687A10526564686174204C696E757820372E31"},
    {"Mx", "MX", R"(10 mail.example.)", "000A046D61696C076578616D706C6500"},
    {"Txt", "TXT", R"("hello world" "a\"b\\c" "\009x\255")",
     "0B68656C6C6F20776F726C64056122625C63030978FF"},
    {"Rp", "RP", R"(mbox.example. txt.example.)",
     "046D626F78076578616D706C650003747874076578616D706C6500"},
    {"Afsdb", "AFSDB", R"(1 afs.example.)", "000103616673076578616D706C6500"},
    {"Rt", "TYPE21", R"(10 relay.example.)", "000A0572656C6179076578616D706C6500"},
    {"Px", "TYPE26", R"(10 map822.example. mapx400.example.)",
     "000A066D6170383232076578616D706C6500076D617078343030076578616D706C6500"},
    {"Loc", "LOC", R"(52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m)",
     "000016138B3CF018810CBCE0009895B8"},
    {"LocWest", "LOC", R"(42 21 54.000 N 71 6 18.000 W -24.00m 30m 10000m 10m)",
     "0033161389172DD070BE15F000988D20"},
    {"LocExtremes", "LOC", R"(90 0 0.000 S 180 0 0.000 W -100000.00m 90000000m 1m 0.01m)",
     "009912106CB0270059604E0000000000"},
    {"Srv", "SRV", R"(0 5 5060 sip.example.)", "0000000513C403736970076578616D706C6500"},
    {"Naptr", "NAPTR", R"(100 10 "" "" "/urn:cid:.+@([^\\.]+\\.)(.*)$/\\2/i" .)",
     "0064000A0000202F75726E3A6369643A2E2B40285B5E5C2E5D2B5C2E29282E2A29242F5C322F6900"},
    {"Kx", "KX", R"(10 kx.example.)", "000A026B78076578616D706C6500"},
    {"Cert", "CERT", R"(PGP 0 0 FFsAyW1dVK7hIGuvhN56r26UwJx/)",
     "0003000000145B00C96D5D54AEE1206BAF84DE7AAF6E94C09C7F"},
    {"Dname", "DNAME", R"(target.example.)", "06746172676574076578616D706C6500"},
    {"Ds", "DS", R"(60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118)",
     "EC4505012BB183AF5F22588179A53B0A98631FAD1A292118"},
    {"Sshfp", "SSHFP", R"(2 1 123456789ABCDEF67890123456789ABCDEF67890)",
     "0201123456789ABCDEF67890123456789ABCDEF67890"},
    {"Rrsig", "RRSIG",
     R"(A 5 3 86400 20030322173103 20030220173103 2642 example. oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6oB9wfuh3DTJXUAfI/M0zmO/zz8bW0Rznl8O3tGNazPwQKkRN20XPXV6nwwfoXmJQbsLNrLfkGJ5D6fwFm8nN+6pBzeDQfsS3Ap3o=)",
     "00010503000151803E7C9DD73E5510D70A52076578616D706C6500A090755BA58D1AFFA576F4375831B4310920E48"
     "1218D18A9F164EB3D81AFD3B875D3C75428631E0CF2A28D50875F70C329D7DBFAFEA807DC1FBA1DC34C95D401F23F"
     "334CE63BFCF3F1B5B44739E5F0EDED18D6B33F040A911376D173D757A9F0C1FA1798941BB0B36B2DF9062790FA7F0"
     "166F2737EEA907378341FB12DC0A77A"},
    {"Nsec", "NSEC", R"(host.example. A MX RRSIG NSEC TYPE1234)",
     "04686F7374076578616D706C65000006400100000003041B000000000000000000000000000000000000000000000"
     "000000020"},
    {"Dnskey", "DNSKEY",
     R"(256 3 5 AQPSKmynfzW4kyBv015MUG2DeIQ3Cbl+BBZH4b/0PY1kxkmvHjcZc8nokfzj31GajIQKY+5CptLr3buXA10hWqTkF7H6RfoRqXQeogmMHfpftf6zMv1LyBUgia7za6ZEzOJBOztyvhjL742iU/TpPSEDhm2SNKLijfUppn1UaNvv4w==)",
     "010003050103D22A6CA77F35B893206FD35E4C506D8378843709B97E041647E1BFF43D8D64C649AF1E371973C9E89"
     "1FCE3DF519A8C840A63EE42A6D2EBDDBB97035D215AA4E417B1FA45FA11A9741EA2098C1DFA5FB5FEB332FD4BC815"
     "2089AEF36BA644CCE2413B3B72BE18CBEF8DA253F4E93D2103866D9234A2E28DF529A67D5468DBEFE3"},
    {"Dhcid", "DHCID", R"(AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=)",
     "000201636FC0B8271C82825BB1AC5C41CF5351AA69B4FEBD94E8F17CDB95000DA48C40"},
    {"Nsec3", "NSEC3", R"(1 1 12 AABBCCDD 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S A RRSIG)",
     "0101000C04AABBCCDD1417F3DF17B2B2ADAEF615257DE4D2020B80AC6C7C0006400000000002"},
    {"Nsec3NoSalt", "NSEC3", R"(1 0 0 - 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3S)",
     "01000000001417F3DF17B2B2ADAEF615257DE4D2020B80AC6C7C"},
    {"Nsec3param", "NSEC3PARAM", R"(1 0 12 AABBCCDD)", "0100000C04AABBCCDD"},
    {"Tlsa", "TLSA", R"(3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6)",
     "0301010C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6"},
    {"Smimea", "SMIMEA", R"(3 1 1 0C72AC70)", "0301010C72AC70"},
    {"Cds", "CDS", R"(0 0 0 00)", "0000000000"},
    {"Cdnskey", "CDNSKEY", R"(0 3 0 AA==)", "0000030000"},
    {"Openpgpkey", "OPENPGPKEY", R"(AQPSKmynfzW4kyBv015MUG2DeIQ3)",
     "0103D22A6CA77F35B893206FD35E4C506D83788437"},
    {"Csync", "CSYNC", R"(66 3 A NS AAAA)", "000000420003000460000008"},
    {"Zonemd", "ZONEMD",
     R"(2018031900 1 1 FEBE3D4CE2EC2FFA4BA99D46CD69D6D29711E55217057BEE7EB1A7B641A47BA7FED2DD5B97AE499FAFA4F22C6BD647DE)",
     "7848B91C0101FEBE3D4CE2EC2FFA4BA99D46CD69D6D29711E55217057BEE7EB1A7B641A47BA7FED2DD5B97AE499FA"
     "FA4F22C6BD647DE"},
    {"Svcb", "SVCB",
     R"(1 foo.example. mandatory=alpn,port alpn="h2,h3\\,x" no-default-alpn port=8443 ipv4hint=1.2.3.4,5.6.7.8 ech=AEX+DQBB ipv6hint=2001:db8::1 key65000="a b")",
     "000103666F6F076578616D706C65000000000400010003000100080268320468332C78000200000003000220FB000"
     "400080102030405060708000500060045FE0D00410006001020010DB8000000000000000000000001FDE800036120"
     "62"},
    {"HttpsAlias", "HTTPS", R"(0 foo.example.)", "000003666F6F076578616D706C6500"},
    {"HttpsService", "HTTPS", R"(1 . alpn="h3,h2" port=443)",
     "000100000100060268330268320003000201BB"},
    {"Spf", "SPF", R"("v=spf1 -all")", "0B763D73706631202D616C6C"},
    {"Eui48", "EUI48", R"(00-00-5e-00-53-2a)", "00005E00532A"},
    {"Eui64", "EUI64", R"(00-00-5e-ef-10-00-00-2a)", "00005EEF1000002A"},
    {"Uri", "URI", R"(10 1 "ftp://ftp1.example.com/public")",
     "000A00016674703A2F2F667470312E6578616D706C652E636F6D2F7075626C6963"},
    {"Caa", "CAA", R"(0 issue "letsencrypt.org")", "000569737375656C657473656E63727970742E6F7267"},
    {"CaaCritical", "CAA", R"(128 tbs "a b\"c")", "80037462736120622263"},
    {"Mb", "MB", R"(mb.example.)", "026D62076578616D706C6500"},
    {"Mg", "MG", R"(mg.example.)", "026D67076578616D706C6500"},
    {"Mr", "MR", R"(mr.example.)", "026D72076578616D706C6500"},
    {"Minfo", "MINFO", R"(a.example. b.example.)", "0161076578616D706C65000162076578616D706C6500"},
};

INSTANTIATE_TEST_SUITE_P(AllTypes, RdataRoundTripTest, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<RoundTripCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

}  // namespace
}  // namespace tether::dns
