// Who may transfer a zone (xfr/transfer_policy.h).
#include "xfr/transfer_policy.h"

#include <gtest/gtest.h>

namespace tether::xfr {
namespace {

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

const sockaddr* Addr(const PeerAddress& peer) {
  return reinterpret_cast<const sockaddr*>(&peer.address);
}

PeerAddress P(const std::string& text) { return *ParsePeerAddress(text); }

ZonePolicy Policy(const std::string& secondary, std::optional<dns::Name> key) {
  ZonePolicy policy;
  policy.secondaries.push_back({P(secondary), std::move(key)});
  return policy;
}

TEST(PeerAddressTest, ParsesAndNormalises) {
  EXPECT_EQ(P("192.0.2.1").text, "192.0.2.1:53");
  EXPECT_EQ(P("192.0.2.1:5300").text, "192.0.2.1:5300");
  EXPECT_EQ(P("[2001:DB8::1]:53").text, "[2001:db8::1]:53");
  EXPECT_EQ(P("2001:db8::1").text, "[2001:db8::1]:53");
  EXPECT_EQ(P("[::1]").text, "[::1]:53");
}

TEST(PeerAddressTest, RefusesBadInput) {
  for (const char* bad : {"", "host.example:53", "192.0.2.1:0", "192.0.2.1:65536", "192.0.2.1:x",
                          "[::1", "[::1]53", "[::1]:", "300.0.0.1"}) {
    EXPECT_FALSE(ParsePeerAddress(bad)) << bad;
  }
}

TEST(MayTransferTest, EmptyPolicyRefusesEveryone) {
  EXPECT_FALSE(MayTransfer(ZonePolicy{}, Addr(P("127.0.0.1:1234")), nullptr));
  const dns::Name key = N("k.");
  EXPECT_FALSE(MayTransfer(ZonePolicy{}, Addr(P("127.0.0.1:1234")), &key));
}

TEST(MayTransferTest, SecondaryWithoutKeyByAddressAnyPort) {
  ZonePolicy policy = Policy("192.0.2.1:53", std::nullopt);
  EXPECT_TRUE(MayTransfer(policy, Addr(P("192.0.2.1:40000")), nullptr));
  EXPECT_FALSE(MayTransfer(policy, Addr(P("192.0.2.2:53")), nullptr));
}

TEST(MayTransferTest, SecondaryWithKeyNeedsTheKeyAndTheAddress) {
  ZonePolicy policy = Policy("192.0.2.1:53", N("xfr.key."));
  const dns::Name right = N("XFR.key.");
  const dns::Name wrong = N("other.key.");
  EXPECT_TRUE(MayTransfer(policy, Addr(P("192.0.2.1:4000")), &right));
  EXPECT_FALSE(MayTransfer(policy, Addr(P("192.0.2.1:4000")), nullptr));
  EXPECT_FALSE(MayTransfer(policy, Addr(P("192.0.2.1:4000")), &wrong));
  EXPECT_FALSE(MayTransfer(policy, Addr(P("192.0.2.9:4000")), &right));
}

TEST(MayTransferTest, AllowedKeyFromAnywhere) {
  ZonePolicy policy;
  policy.keys.push_back(N("pull.key."));
  const dns::Name key = N("pull.key.");
  EXPECT_TRUE(MayTransfer(policy, Addr(P("[2001:db8::7]:1")), &key));
  EXPECT_FALSE(MayTransfer(policy, Addr(P("[2001:db8::7]:1")), nullptr));
}

TEST(MayTransferTest, AllowedNetworkSignedOrNot) {
  ZonePolicy policy;
  policy.networks.push_back(*Cidr::Parse("198.51.100.0/24"));
  const dns::Name key = N("any.key.");
  EXPECT_TRUE(MayTransfer(policy, Addr(P("198.51.100.20:9")), nullptr));
  EXPECT_TRUE(MayTransfer(policy, Addr(P("198.51.100.20:9")), &key));
  EXPECT_FALSE(MayTransfer(policy, Addr(P("198.51.101.20:9")), nullptr));
}

TEST(MayTransferTest, Ipv4MappedPeerMatchesIpv4Secondary) {
  ZonePolicy policy = Policy("192.0.2.1", std::nullopt);
  EXPECT_TRUE(MayTransfer(policy, Addr(P("[::ffff:192.0.2.1]:5")), nullptr));
}

TEST(PolicyFromSettingsTest, SkipsWhatDoesNotParse) {
  store::TransferSettings settings;
  settings.secondaries = {{"192.0.2.1:53", std::nullopt}, {"nonsense", std::nullopt}};
  settings.keys = {N("K.")};
  settings.cidrs = {"10.0.0.0/8", "bad"};
  ZonePolicy policy = PolicyFromSettings(settings);
  EXPECT_EQ(policy.secondaries.size(), 1u);
  ASSERT_EQ(policy.keys.size(), 1u);
  EXPECT_EQ(policy.keys[0], N("k."));
  EXPECT_EQ(policy.networks.size(), 1u);
}

}  // namespace
}  // namespace tether::xfr
