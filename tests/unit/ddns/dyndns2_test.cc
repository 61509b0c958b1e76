// dyndns2 and DuckDNS request parsing with the URL shapes deployed clients send.
#include "ddns/dyndns2.h"

#include <sys/socket.h>

#include <gtest/gtest.h>

namespace tether::ddns {
namespace {

using Kind = AddressChange::Kind;

std::string V4(const AddressChange& change) { return FormatAddress(AF_INET, change.address); }
std::string V6(const AddressChange& change) { return FormatAddress(AF_INET6, change.address); }

TEST(FormTest, DecodesPercentAndPlus) {
  auto form = ParseForm("a=1%202&B=x+y&empty=&flag");
  ASSERT_EQ(form.size(), 4u);
  EXPECT_EQ(form[0], (std::pair<std::string, std::string>{"a", "1 2"}));
  EXPECT_EQ(form[1], (std::pair<std::string, std::string>{"b", "x y"}));
  EXPECT_EQ(form[2].second, "");
  EXPECT_EQ(form[3].first, "flag");
}

TEST(FormTest, KeepsMalformedEscapes) { EXPECT_EQ(PercentDecode("100%zz%4", false), "100%zz%4"); }

TEST(Dyndns2Test, DdclientTwoHostsWithMyip) {
  auto parse = ParseDyndns2("system=dyndns&hostname=a.dyn.example.net,b.dyn.example.net&myip=198.51.100.7");
  ASSERT_EQ(parse.error, Dyndns2Error::kNone);
  EXPECT_EQ(parse.request.hostnames, (std::vector<std::string>{"a.dyn.example.net", "b.dyn.example.net"}));
  EXPECT_EQ(parse.request.ipv4.kind, Kind::kSet);
  EXPECT_EQ(V4(parse.request.ipv4), "198.51.100.7");
  EXPECT_EQ(parse.request.ipv6.kind, Kind::kUnset);
}

TEST(Dyndns2Test, FritzBoxDualStack) {
  auto parse = ParseDyndns2("hostname=home.dyn.example.net&myip=198.51.100.7,2001:db8::7");
  ASSERT_EQ(parse.error, Dyndns2Error::kNone);
  EXPECT_EQ(V4(parse.request.ipv4), "198.51.100.7");
  EXPECT_EQ(V6(parse.request.ipv6), "2001:db8::7");
}

TEST(Dyndns2Test, FritzBoxWithoutIpv6DeletesIpv6) {
  auto parse = ParseDyndns2("hostname=home.dyn.example.net&myip=198.51.100.7,");
  ASSERT_EQ(parse.error, Dyndns2Error::kNone);
  EXPECT_EQ(parse.request.ipv4.kind, Kind::kSet);
  EXPECT_EQ(parse.request.ipv6.kind, Kind::kDelete);
}

TEST(Dyndns2Test, Ipv6PrefixReplacesOnlyThePrefix) {
  auto parse = ParseDyndns2("hostname=h.example.net&myipv6=2001:db8:1:2::/64");
  ASSERT_EQ(parse.error, Dyndns2Error::kNone);
  EXPECT_EQ(parse.request.ipv6.kind, Kind::kPrefix);
  EXPECT_EQ(parse.request.ipv6.prefix_length, 64);
  std::array<uint8_t, 16> host{};
  ASSERT_EQ(ParseAddress("2001:db8:9:9:1234:5678:9abc:def0", &host), AF_INET6);
  EXPECT_EQ(FormatAddress(AF_INET6, ReplacePrefix(host, parse.request.ipv6.address, 64)),
            "2001:db8:1:2:1234:5678:9abc:def0");
}

TEST(Dyndns2Test, PreserveAndEmptyValues) {
  auto parse = ParseDyndns2("hostname=h.example.net&myipv4=preserve&myipv6=");
  ASSERT_EQ(parse.error, Dyndns2Error::kNone);
  EXPECT_EQ(parse.request.ipv4.kind, Kind::kPreserve);
  EXPECT_EQ(parse.request.ipv6.kind, Kind::kDelete);
}

TEST(Dyndns2Test, MissingAddressMeansTheClientAddress) {
  auto parse = ParseDyndns2("hostname=h.example.net");
  ASSERT_EQ(parse.error, Dyndns2Error::kNone);
  EXPECT_EQ(parse.request.ipv4.kind, Kind::kUnset);
  EXPECT_EQ(parse.request.ipv6.kind, Kind::kUnset);
  EXPECT_EQ(ParseDyndns2("hostname=h.example.net&myip=").request.ipv4.kind, Kind::kUnset);
}

TEST(Dyndns2Test, WrongFamilyIsABadAddress) {
  EXPECT_EQ(ParseDyndns2("hostname=h.example.net&myipv4=2001:db8::1").error, Dyndns2Error::kBadAddress);
  EXPECT_EQ(ParseDyndns2("hostname=h.example.net&myip=not-an-ip").error, Dyndns2Error::kBadAddress);
}

TEST(Dyndns2Test, NoHostnameIsNotFqdn) {
  EXPECT_EQ(ParseDyndns2("myip=198.51.100.7").error, Dyndns2Error::kNotFqdn);
  EXPECT_EQ(ParseDyndns2("hostname=").error, Dyndns2Error::kNotFqdn);
  EXPECT_EQ(ParseDyndns2("hostname=nodots").error, Dyndns2Error::kNotFqdn);
  EXPECT_EQ(ParseDyndns2("hostname=bad%20name.example.net").error, Dyndns2Error::kNotFqdn);
}

TEST(Dyndns2Test, MoreThanTwentyHostsIsNumHost) {
  std::string hosts;
  for (int i = 0; i < 21; ++i) hosts += (i ? "," : "") + std::string("h") + std::to_string(i) + ".example.net";
  EXPECT_EQ(ParseDyndns2("hostname=" + hosts).error, Dyndns2Error::kNumHost);
}

TEST(Dyndns2Test, OfflineWildcardMx) {
  auto parse = ParseDyndns2("hostname=h.example.net&offline=YES&wildcard=ON&mx=mail.example.net&backmx=YES");
  EXPECT_EQ(parse.request.offline, Toggle::kOn);
  EXPECT_EQ(parse.request.wildcard, Toggle::kOn);
  EXPECT_EQ(parse.request.mx, "mail.example.net");
  EXPECT_TRUE(parse.request.backup_mx);
  EXPECT_EQ(ParseDyndns2("hostname=h.example.net&wildcard=NOCHG").request.wildcard, Toggle::kUnchanged);
}

TEST(Dyndns2Test, CredentialsInTheQuery) {
  auto parse = ParseDyndns2("hostname=h.example.net&username=alice&password=s%26cret");
  EXPECT_EQ(parse.request.username, "alice");
  EXPECT_EQ(parse.request.password, "s&cret");
}

TEST(DuckTest, DomainsTokenAndAddresses) {
  auto duck = ParseDuck("domains=home,office&token=abc&ip=198.51.100.7&ipv6=2001:db8::7&verbose=true");
  EXPECT_FALSE(duck.bad);
  EXPECT_EQ(duck.domains, (std::vector<std::string>{"home", "office"}));
  EXPECT_EQ(V4(duck.ipv4), "198.51.100.7");
  EXPECT_EQ(V6(duck.ipv6), "2001:db8::7");
  EXPECT_TRUE(duck.verbose);
}

TEST(DuckTest, BlankIpMeansDetect) {
  auto duck = ParseDuck("domains=home&token=abc&ip=");
  EXPECT_FALSE(duck.bad);
  EXPECT_EQ(duck.ipv4.kind, Kind::kUnset);
}

TEST(DuckTest, TxtAndClear) {
  auto duck = ParseDuck("domains=home&token=abc&txt=acme-token&clear=true");
  EXPECT_EQ(duck.txt, "acme-token");
  EXPECT_TRUE(duck.clear);
}

TEST(DuckTest, MissingTokenIsBad) { EXPECT_TRUE(ParseDuck("domains=home").bad); }

TEST(SuccessWordsTest, ErrorBodiesMustNotLookLikeSuccess) {
  for (const char* body : {"badauth", "nohost", "notfqdn", "abuse", "dnserr", "911", "badagent", "numhost",
                           "!donator", "KO"}) {
    EXPECT_FALSE(LooksLikeSuccess(body)) << body;
  }
  EXPECT_TRUE(LooksLikeSuccess("good 198.51.100.7"));
  EXPECT_TRUE(LooksLikeSuccess("nochg 198.51.100.7"));
  EXPECT_TRUE(LooksLikeSuccess("OK"));
}

}  // namespace
}  // namespace tether::ddns
