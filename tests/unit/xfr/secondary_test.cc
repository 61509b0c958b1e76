// SecondaryService's NOTIFY answers (RFC 1996): who may trigger a refresh of a secondary
// zone. The service thread is not started, so no refresh is attempted.
#include "xfr/secondary.h"

#include <gtest/gtest.h>

#include "dns/wire/message.h"
#include "transfer_test_util.h"

namespace tether::xfr::testing {
namespace {

const char* kOrigin = "example.com.";

class SecondaryTest : public ::testing::Test {
 protected:
  SecondaryService& Service(std::optional<dns::Name> key, int64_t refreshed = 0) {
    service_ = std::make_unique<SecondaryService>(
        *store_opened_, [](const dns::Name& name) -> std::optional<dns::TsigKey> {
          if (name == Key().name) return Key();
          return std::nullopt;
        },
        SecondaryOptions{});
    auto zone = std::make_shared<zone::Zone>(N(kOrigin));
    EXPECT_TRUE(zone->Apply(store::testing::ZoneContent(kOrigin, 5, 1)));
    zone_ = zone;
    service_->AddZone(1, zone, store::PrimarySettings{{"192.0.2.53:5300"}, key, refreshed});
    return *service_;
  }
  dns::Message Notify(const std::string& zone, const std::string& from, const dns::TsigKey* key) {
    zone::Rrset soa = store::testing::SoaRrset(zone, 6);
    auto built = BuildRequest(ZoneRequest{0x1234, dns::Opcode::kNotify, true, N(zone), dns::RrType::kSoa,
                                          &soa, SoaSection::kAnswer, key},
                              UnixNow());
    sockaddr_storage peer = ParsePeerAddress(from)->address;
    auto answer = service_->HandleNotify(built->wire, reinterpret_cast<const sockaddr*>(&peer));
    auto parsed = dns::ParseMessage(answer);
    EXPECT_TRUE(parsed);
    return parsed ? *parsed : dns::Message{};
  }

  store::testing::TempDir dir_;  // before the store, which lives in it
  std::unique_ptr<store::Store> store_opened_ = *store::OpenSqliteStore(
      store::SqliteOptions{dir_.File("s.db"), {}, {.automatic = false}, {}});
  std::unique_ptr<SecondaryService> service_;
  std::shared_ptr<zone::Zone> zone_;
};

TEST_F(SecondaryTest, ZoneNotRefreshedWithinExpireIsExpired) {
  Service(std::nullopt, /*refreshed=*/1000);  // 1970: long past the SOA's EXPIRE
  EXPECT_TRUE(zone_->expired());
}

TEST_F(SecondaryTest, ZoneRefreshedRecentlyIsNotExpired) {
  Service(std::nullopt, static_cast<int64_t>(UnixNow()) - 60);
  EXPECT_FALSE(zone_->expired());
}

TEST_F(SecondaryTest, NotifyFromThePrimaryIsAnsweredNoErrorWithTheNotifyOpcode) {
  Service(std::nullopt);
  dns::Message answer = Notify(kOrigin, "192.0.2.53:1234", nullptr);
  EXPECT_EQ(answer.header.rcode(), 0);
  EXPECT_EQ(answer.header.opcode(), dns::Opcode::kNotify);
  EXPECT_TRUE(answer.header.qr());
  EXPECT_EQ(service_->Stats().notifies, 1u);
}

TEST_F(SecondaryTest, NotifyFromElsewhereIsRefused) {
  Service(std::nullopt);
  EXPECT_EQ(Notify(kOrigin, "192.0.2.54:53", nullptr).header.rcode(), static_cast<uint8_t>(dns::Rcode::kRefused));
  EXPECT_EQ(service_->Stats().notifies, 0u);
}

TEST_F(SecondaryTest, NotifyForAnotherZoneIsNotAuth) {
  Service(std::nullopt);
  EXPECT_EQ(Notify("example.net.", "192.0.2.53:53", nullptr).header.rcode(),
            static_cast<uint8_t>(dns::Rcode::kNotAuth));
}

TEST_F(SecondaryTest, ZoneWithKeyWantsSignedNotify) {
  Service(Key().name);
  EXPECT_EQ(Notify(kOrigin, "192.0.2.53:53", nullptr).header.rcode(), static_cast<uint8_t>(dns::Rcode::kRefused));
  const dns::TsigKey key = Key();
  dns::Message answer = Notify(kOrigin, "192.0.2.53:53", &key);
  EXPECT_EQ(answer.header.rcode(), 0);
  EXPECT_NE(answer.tsig_offset, 0u);  // the answer is signed
}

TEST_F(SecondaryTest, NotifyWithABadSignatureIsNotAuth) {
  Service(Key().name);
  const dns::TsigKey wrong = Key(9);
  EXPECT_EQ(Notify(kOrigin, "192.0.2.53:53", &wrong).header.rcode(), static_cast<uint8_t>(dns::Rcode::kNotAuth));
}

}  // namespace
}  // namespace tether::xfr::testing
