// The answer algorithm (RFC 1034 4.3.2, RFC 4592, RFC 2308, RFC 6672, RFC 8482).
#include "zone/answer.h"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include "zone_test_util.h"

namespace tether::zone {
namespace {

using dns::Rcode;
using dns::RrType;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using testing::Ask;
using testing::ZoneFromText;

constexpr const char* kZone = R"(
$ORIGIN example.
$TTL 3600
@        IN SOA ns1.example. hostmaster.example. 2024010101 3600 900 604800 300
@        NS  ns1.example.
@        NS  ns2.other.
@        MX  10 mail.example.
@        MX  20 mx.other.
ns1      A   192.0.2.1
ns1      AAAA 2001:db8::1
mail     A   192.0.2.2
host1    A   192.0.2.10
host1    TXT "hello"
www      CNAME host1
chain1   CNAME chain2
chain2   CNAME www
ext      CNAME www.elsewhere.net.
dangling CNAME missing.example.
nodata   CNAME host1
loop1    CNAME loop2
loop2    CNAME loop1
*.wild   A   192.0.2.50
*.cw     CNAME host1
a.b.ent  A   192.0.2.60
sub      NS  ns.sub
sub      NS  ns.other.
ns.sub   A   192.0.2.70
sub      DS  12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
_sip._udp SRV 10 5 5060 host1.example.
dn       DNAME target.example.
x.target A   192.0.2.80
big      TXT "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
big      TXT "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
big      TXT "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
big      TXT "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
big      TXT "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
)";

constexpr const char* kSoa =
    "example. 300 SOA ns1.example. hostmaster.example. 2024010101 3600 900 604800 300";

class AnswerTest : public ::testing::Test {
 protected:
  AnswerTest() : zones_({ZoneFromText("example.", kZone)}) {}
  testing::Response Query(const std::string& name, RrType type, bool tcp = false) {
    return Ask(zones_, name, type, tcp);
  }
  ZoneSet zones_;
};

TEST_F(AnswerTest, ExactMatchIsAuthoritative) {
  auto r = Query("host1.example.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_TRUE(r.result.authoritative);
  EXPECT_THAT(r.Answer(), ElementsAre("host1.example. 3600 A 192.0.2.10"));
  EXPECT_THAT(r.Authority(), IsEmpty());
}

TEST_F(AnswerTest, QueryNameIsCaseInsensitiveAndOwnerEchoesQueryCase) {
  auto r = Query("HoSt1.ExAmPlE.", RrType::kA);
  EXPECT_THAT(r.Answer(), ElementsAre("HoSt1.ExAmPlE. 3600 A 192.0.2.10"));
}

TEST_F(AnswerTest, NoDataHasSoaWithMinimumTtl) {
  auto r = Query("host1.example.", RrType::kAaaa);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_TRUE(r.result.authoritative);
  EXPECT_THAT(r.Answer(), IsEmpty());
  EXPECT_THAT(r.Authority(), ElementsAre(kSoa));
}

TEST_F(AnswerTest, NameErrorHasSoa) {
  auto r = Query("nope.example.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kNxDomain);
  EXPECT_TRUE(r.result.authoritative);
  EXPECT_THAT(r.Authority(), ElementsAre(kSoa));
}

TEST_F(AnswerTest, OutsideEveryZoneIsRefused) {
  auto r = Query("example.org.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kRefused);
  EXPECT_FALSE(r.result.authoritative);
  EXPECT_THAT(r.Answer(), IsEmpty());
}

TEST_F(AnswerTest, ApexNsGetsAdditionalAddressesForInZoneTargets) {
  auto r = Query("example.", RrType::kNs);
  EXPECT_THAT(r.Answer(), UnorderedElementsAre("example. 3600 NS ns1.example.", "example. 3600 NS ns2.other."));
  EXPECT_THAT(r.Additional(),
              ElementsAre("ns1.example. 3600 A 192.0.2.1", "ns1.example. 3600 AAAA 2001:db8::1"));
}

TEST_F(AnswerTest, MxGetsAdditionalAddress) {
  auto r = Query("example.", RrType::kMx);
  EXPECT_THAT(r.Additional(), ElementsAre("mail.example. 3600 A 192.0.2.2"));
}

TEST_F(AnswerTest, SrvGetsAdditionalAddress) {
  auto r = Query("_sip._udp.example.", RrType::kSrv);
  EXPECT_THAT(r.Answer(), ElementsAre("_sip._udp.example. 3600 SRV 10 5 5060 host1.example."));
  EXPECT_THAT(r.Additional(), ElementsAre("host1.example. 3600 A 192.0.2.10"));
}

TEST_F(AnswerTest, CnameIsFollowedInsideTheZone) {
  auto r = Query("chain1.example.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_THAT(r.Answer(), ElementsAre("chain1.example. 3600 CNAME chain2.example.",
                                      "chain2.example. 3600 CNAME www.example.",
                                      "www.example. 3600 CNAME host1.example.",
                                      "host1.example. 3600 A 192.0.2.10"));
}

TEST_F(AnswerTest, CnameQueryReturnsTheCnameOnly) {
  auto r = Query("www.example.", RrType::kCname);
  EXPECT_THAT(r.Answer(), ElementsAre("www.example. 3600 CNAME host1.example."));
}

TEST_F(AnswerTest, CnameOutOfZoneStopsTheChain) {
  auto r = Query("ext.example.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_THAT(r.Answer(), ElementsAre("ext.example. 3600 CNAME www.elsewhere.net."));
  EXPECT_THAT(r.Authority(), IsEmpty());
}

TEST_F(AnswerTest, CnameToMissingNameIsNxDomain) {
  // RFC 6604: the RCODE describes the last name of the chain.
  auto r = Query("dangling.example.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kNxDomain);
  EXPECT_THAT(r.Answer(), ElementsAre("dangling.example. 3600 CNAME missing.example."));
  EXPECT_THAT(r.Authority(), ElementsAre(kSoa));
}

TEST_F(AnswerTest, CnameToNoDataHasSoa) {
  auto r = Query("nodata.example.", RrType::kMx);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_THAT(r.Answer(), ElementsAre("nodata.example. 3600 CNAME host1.example."));
  EXPECT_THAT(r.Authority(), ElementsAre(kSoa));
}

TEST_F(AnswerTest, CnameLoopEndsBeforeRepeatingAName) {
  auto r = Query("loop1.example.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_THAT(r.Answer(), ElementsAre("loop1.example. 3600 CNAME loop2.example.",
                                      "loop2.example. 3600 CNAME loop1.example."));
}

TEST_F(AnswerTest, CnameQueryStopsAtTheSynthesisedCname) {
  auto r = Query("x.dn.example.", RrType::kCname);
  EXPECT_THAT(r.Answer(), ElementsAre("dn.example. 3600 DNAME target.example.",
                                      "x.dn.example. 3600 CNAME x.target.example."));
  EXPECT_THAT(r.Authority(), IsEmpty());
}

TEST_F(AnswerTest, WildcardSynthesisesTheQueryName) {
  auto r = Query("anything.wild.example.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_TRUE(r.result.authoritative);
  EXPECT_THAT(r.Answer(), ElementsAre("anything.wild.example. 3600 A 192.0.2.50"));
}

TEST_F(AnswerTest, WildcardOnlyMatchesOneLevelBelowTheClosestEncloser) {
  // a.b.wild: closest encloser wild.example., source *.wild.example.
  auto r = Query("a.b.wild.example.", RrType::kA);
  EXPECT_THAT(r.Answer(), ElementsAre("a.b.wild.example. 3600 A 192.0.2.50"));
}

TEST_F(AnswerTest, WildcardNoDataHasSoa) {
  auto r = Query("anything.wild.example.", RrType::kMx);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_THAT(r.Answer(), IsEmpty());
  EXPECT_THAT(r.Authority(), ElementsAre(kSoa));
}

TEST_F(AnswerTest, WildcardCnameIsFollowed) {
  auto r = Query("x.cw.example.", RrType::kA);
  EXPECT_THAT(r.Answer(), ElementsAre("x.cw.example. 3600 CNAME host1.example.",
                                      "host1.example. 3600 A 192.0.2.10"));
}

TEST_F(AnswerTest, EmptyNonTerminalIsNoData) {
  auto r = Query("b.ent.example.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_THAT(r.Authority(), ElementsAre(kSoa));
  auto r2 = Query("ent.example.", RrType::kA);
  EXPECT_EQ(r2.result.rcode, Rcode::kNoError);
}

TEST_F(AnswerTest, BelowAnEmptyNonTerminalIsNxDomain) {
  auto r = Query("zz.b.ent.example.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kNxDomain);
}

TEST_F(AnswerTest, DelegationGivesReferralWithGlue) {
  auto r = Query("www.sub.example.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_FALSE(r.result.authoritative);
  EXPECT_THAT(r.Answer(), IsEmpty());
  EXPECT_THAT(r.Authority(), UnorderedElementsAre("sub.example. 3600 NS ns.sub.example.",
                                                  "sub.example. 3600 NS ns.other."));
  EXPECT_THAT(r.Additional(), ElementsAre("ns.sub.example. 3600 A 192.0.2.70"));
}

TEST_F(AnswerTest, DelegationPointItselfIsAReferral) {
  auto r = Query("sub.example.", RrType::kNs);
  EXPECT_FALSE(r.result.authoritative);
  EXPECT_THAT(r.Answer(), IsEmpty());
  EXPECT_EQ(r.Authority().size(), 2u);
}

TEST_F(AnswerTest, GlueIsNotAnsweredAuthoritatively) {
  auto r = Query("ns.sub.example.", RrType::kA);
  EXPECT_FALSE(r.result.authoritative);
  EXPECT_THAT(r.Answer(), IsEmpty());
}

TEST_F(AnswerTest, DsAtDelegationIsAnsweredByTheParent) {
  auto r = Query("sub.example.", RrType::kDs);
  EXPECT_TRUE(r.result.authoritative);
  EXPECT_EQ(r.Answer().size(), 1u);
}

TEST_F(AnswerTest, DnameSynthesisesACname) {
  auto r = Query("x.dn.example.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_THAT(r.Answer(), ElementsAre("dn.example. 3600 DNAME target.example.",
                                      "x.dn.example. 3600 CNAME x.target.example.",
                                      "x.target.example. 3600 A 192.0.2.80"));
}

TEST_F(AnswerTest, DnameOwnerItselfIsNotRedirected) {
  auto r = Query("dn.example.", RrType::kDname);
  EXPECT_THAT(r.Answer(), ElementsAre("dn.example. 3600 DNAME target.example."));
}

TEST_F(AnswerTest, AnyOverUdpGivesOneRrset) {
  auto r = Query("host1.example.", RrType::kAny);
  EXPECT_EQ(r.Answer().size(), 1u);
}

TEST_F(AnswerTest, AnyOverTcpGivesEveryRrset) {
  auto r = Query("host1.example.", RrType::kAny, /*tcp=*/true);
  EXPECT_THAT(r.Answer(), UnorderedElementsAre("host1.example. 3600 A 192.0.2.10",
                                               "host1.example. 3600 TXT \"hello\""));
}

TEST_F(AnswerTest, RrsetThatDoesNotFitSetsTruncatedAndIsLeftOut) {
  auto r = Ask(zones_, "big.example.", RrType::kTxt, false, 512);
  EXPECT_TRUE(r.result.truncated);
  EXPECT_THAT(r.Answer(), IsEmpty());
}

TEST(AnswerZoneSetTest, LongestMatchingZoneAnswers) {
  ZoneSet zones({ZoneFromText("example.", R"(
@ 60 SOA ns.example. h.example. 1 60 60 60 60
@ 60 NS ns.example.
child 60 NS ns.child.example.
)"),
                 ZoneFromText("child.example.", R"(
@ 60 SOA ns.child.example. h.example. 7 60 60 60 60
@ 60 NS ns.child.example.
www 60 A 192.0.2.7
)")});
  auto r = Ask(zones, "www.child.example.", RrType::kA);
  EXPECT_TRUE(r.result.authoritative);
  EXPECT_THAT(r.Answer(), ElementsAre("www.child.example. 60 A 192.0.2.7"));
}

TEST(AnswerZoneSetTest, DsOfAChildApexIsAnsweredByTheParentZone) {
  ZoneSet zones({ZoneFromText("example.", R"(
@ 60 SOA ns.example. h.example. 1 60 60 60 60
@ 60 NS ns.example.
child 60 NS ns.child.example.
child 60 DS 1 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
)"),
                 ZoneFromText("child.example.", R"(
@ 60 SOA ns.child.example. h.example. 7 60 60 60 60
@ 60 NS ns.child.example.
)")});
  auto r = Ask(zones, "child.example.", RrType::kDs);
  EXPECT_TRUE(r.result.authoritative);
  ASSERT_EQ(r.Answer().size(), 1u);
  EXPECT_EQ(r.Answer()[0].rfind("child.example. 60 DS 1 13 2", 0), 0u);
}

// RFC 4592 2.2.1: the example zone and its example queries.
class Rfc4592Test : public ::testing::Test {
 protected:
  Rfc4592Test()
      : zones_({ZoneFromText("example.", R"(
$ORIGIN example.
example.                 3600 IN  SOA   ns.example.com. h.example. 1 3600 900 604800 300
example.                 3600     NS    ns.example.com.
example.                 3600     NS    ns.example.net.
*.example.               3600     TXT   "this is a wildcard"
*.example.               3600     MX    10 host1.example.
sub.*.example.           3600     TXT   "this is not a wildcard"
host1.example.           3600     A     192.0.2.1
_ssh._tcp.host1.example. 3600     SRV   0 0 22 host1.example.
_ssh._tcp.host2.example. 3600     SRV   0 0 22 host2.example.
subdel.example.          3600     NS    ns.example.com.
subdel.example.          3600     NS    ns.example.net.
)")}) {}
  ZoneSet zones_;
};

TEST_F(Rfc4592Test, Host3MxIsSynthesised) {
  auto r = Ask(zones_, "host3.example.", RrType::kMx);
  EXPECT_THAT(r.Answer(), ElementsAre("host3.example. 3600 MX 10 host1.example."));
  EXPECT_THAT(r.Additional(), ElementsAre("host1.example. 3600 A 192.0.2.1"));
}

TEST_F(Rfc4592Test, Host3AIsNoData) {
  auto r = Ask(zones_, "host3.example.", RrType::kA);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_THAT(r.Answer(), IsEmpty());
}

TEST_F(Rfc4592Test, FooBarTxtIsSynthesised) {
  auto r = Ask(zones_, "foo.bar.example.", RrType::kTxt);
  EXPECT_THAT(r.Answer(), ElementsAre("foo.bar.example. 3600 TXT \"this is a wildcard\""));
}

TEST_F(Rfc4592Test, Host1MxIsNoDataBecauseHost1Exists) {
  auto r = Ask(zones_, "host1.example.", RrType::kMx);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_THAT(r.Answer(), IsEmpty());
}

TEST_F(Rfc4592Test, SubStarMxIsNoData) {
  auto r = Ask(zones_, "sub.*.example.", RrType::kMx);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_THAT(r.Answer(), IsEmpty());
}

TEST_F(Rfc4592Test, TelnetSrvIsNameError) {
  auto r = Ask(zones_, "_telnet._tcp.host1.example.", RrType::kSrv);
  EXPECT_EQ(r.result.rcode, Rcode::kNxDomain);
}

TEST_F(Rfc4592Test, HostBelowSubdelIsAReferral) {
  auto r = Ask(zones_, "host.subdel.example.", RrType::kA);
  EXPECT_FALSE(r.result.authoritative);
  EXPECT_EQ(r.Authority().size(), 2u);
}

TEST_F(Rfc4592Test, GhostBelowWildcardIsNameError) {
  auto r = Ask(zones_, "ghost.*.example.", RrType::kMx);
  EXPECT_EQ(r.result.rcode, Rcode::kNxDomain);
}

TEST_F(Rfc4592Test, Host2EmptyNonTerminalBlocksTheWildcard) {
  // host2.example. exists as an empty non-terminal (it has _tcp below it).
  auto r = Ask(zones_, "host2.example.", RrType::kTxt);
  EXPECT_EQ(r.result.rcode, Rcode::kNoError);
  EXPECT_THAT(r.Answer(), IsEmpty());
}

}  // namespace
}  // namespace tether::zone
