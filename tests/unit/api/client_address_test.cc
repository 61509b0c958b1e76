// The client address behind trusted reverse proxies (X-Forwarded-For, RFC 7239 Forwarded).
#include "api/client_address.h"

#include <arpa/inet.h>

#include <gtest/gtest.h>

namespace tether::api {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

sockaddr_storage Address(const std::string& text) {
  auto parsed = ParseForwardedHop(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(sockaddr_storage{});
}

std::vector<Cidr> Networks(std::initializer_list<const char*> texts) {
  std::vector<Cidr> result;
  for (const char* text : texts) result.push_back(*Cidr::Parse(text));
  return result;
}

TEST(ClientAddressTest, UntrustedPeerIgnoresForwardedHeaders) {
  Headers headers = {{"x-forwarded-for", "203.0.113.9"}};
  EXPECT_EQ(ClientAddress(Address("198.51.100.1"), headers, Networks({"10.0.0.0/8"})),
            "198.51.100.1");
  EXPECT_EQ(ClientAddress(Address("198.51.100.1"), headers, {}), "198.51.100.1");
}

TEST(ClientAddressTest, TrustedPeerUsesLastUntrustedHop) {
  // The client forged the first hop; the trusted proxy appended what it saw.
  Headers headers = {{"x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.2"}};
  EXPECT_EQ(ClientAddress(Address("10.0.0.1"), headers, Networks({"10.0.0.0/8"})), "203.0.113.9");
}

TEST(ClientAddressTest, SeveralHeaderLinesFormOneChain) {
  Headers headers = {
      {"x-forwarded-for", "203.0.113.9"}, {"host", "x"}, {"x-forwarded-for", "10.0.0.2"}};
  EXPECT_EQ(ClientAddress(Address("10.0.0.1"), headers, Networks({"10.0.0.0/8"})), "203.0.113.9");
}

TEST(ClientAddressTest, AllHopsTrustedGivesTheLeftmost) {
  Headers headers = {{"x-forwarded-for", "10.9.9.9, 10.0.0.2"}};
  EXPECT_EQ(ClientAddress(Address("10.0.0.1"), headers, Networks({"10.0.0.0/8"})), "10.9.9.9");
}

TEST(ClientAddressTest, UnparsableHopStopsAtTheNearestAddress) {
  Headers headers = {{"x-forwarded-for", "203.0.113.9, garbage, 10.0.0.2"}};
  EXPECT_EQ(ClientAddress(Address("10.0.0.1"), headers, Networks({"10.0.0.0/8"})), "10.0.0.2");
}

TEST(ClientAddressTest, NoForwardingHeaderGivesThePeer) {
  EXPECT_EQ(ClientAddress(Address("10.0.0.1"), {}, Networks({"10.0.0.0/8"})), "10.0.0.1");
}

TEST(ClientAddressTest, ForwardedHeaderForValues) {
  Headers headers = {{"forwarded",
                      "for=192.0.2.60;proto=http;by=203.0.113.43, "
                      "For=\"[2001:db8:cafe::17]:4711\";proto=https"}};
  EXPECT_EQ(ClientAddress(Address("::1"), headers, Networks({"::1"})), "2001:db8:cafe::17");
  EXPECT_EQ(ClientAddress(Address("::1"), headers, Networks({"::1", "2001:db8::/32"})),
            "192.0.2.60");
}

TEST(ClientAddressTest, ForwardedObfuscatedHopStopsTheWalk) {
  Headers headers = {{"forwarded", "for=192.0.2.60, for=_hidden, for=10.0.0.3"}};
  EXPECT_EQ(ClientAddress(Address("10.0.0.1"), headers, Networks({"10.0.0.0/8"})), "10.0.0.3");
}

TEST(ClientAddressTest, XForwardedForWinsOverForwarded) {
  Headers headers = {{"forwarded", "for=192.0.2.60"}, {"x-forwarded-for", "203.0.113.9"}};
  EXPECT_EQ(ClientAddress(Address("10.0.0.1"), headers, Networks({"10.0.0.0/8"})), "203.0.113.9");
}

TEST(ClientAddressTest, HopForms) {
  EXPECT_EQ(AddressText(*ParseForwardedHop("192.0.2.1:4711")), "192.0.2.1");
  EXPECT_EQ(AddressText(*ParseForwardedHop(" 2001:db8::1 ")), "2001:db8::1");
  EXPECT_EQ(AddressText(*ParseForwardedHop("[2001:db8::1]")), "2001:db8::1");
  EXPECT_EQ(AddressText(*ParseForwardedHop("\"[2001:db8::1]:80\"")), "2001:db8::1");
  EXPECT_FALSE(ParseForwardedHop("unknown"));
  EXPECT_FALSE(ParseForwardedHop(""));
  EXPECT_FALSE(ParseForwardedHop("[2001:db8::1"));
  EXPECT_FALSE(ParseForwardedHop("example.net"));
}

}  // namespace
}  // namespace tether::api
