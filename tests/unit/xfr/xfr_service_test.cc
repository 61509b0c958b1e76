// XfrService end to end on a real SQLite store: access decisions, AXFR, IXFR from the
// journal, the single-SOA and whole-zone answers, UDP, TSIG.
#include "xfr/xfr_service.h"

#include <netinet/in.h>

#include <gtest/gtest.h>

#include "../store/store_test_util.h"
#include "dns/wire/message.h"
#include "dns/wire/writer.h"
#include "store/serial.h"

namespace tether::xfr {
namespace {

using store::testing::A;
using store::testing::N;
using store::testing::SoaRdata;

constexpr uint64_t kNow = 1800000000;
const char* kOrigin = "example.com.";

sockaddr_storage Peer(const std::string& text) {
  return ParsePeerAddress(text)->address;
}

class XfrServiceTest : public store::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    zone_info_ = Create(kOrigin, 1, 3);
    store::TransferSettings settings;
    settings.keys = {N("xfr.key.")};
    settings.cidrs = {"192.0.2.0/24"};
    ASSERT_TRUE(store_->SetTransferSettings(zone_info_.id, settings));
    key_ = dns::TsigKey{N("xfr.key."), dns::TsigAlgorithm::kHmacSha256, {1, 2, 3}};
    Publish();
    service_ = std::make_unique<XfrService>(
        registry_, *store_,
        [this](const dns::Name& name) -> std::optional<dns::TsigKey> {
          if (name == key_.name) return key_;
          return std::nullopt;
        },
        XfrOptions{1, [] { return kNow; }});
    ASSERT_TRUE(service_->Reload());
  }
  void TearDown() override { service_.reset(); }

  // The in-memory zone from the store's current content.
  void Publish() {
    auto zone = std::make_shared<zone::Zone>(N(kOrigin));
    std::vector<zone::NameUpdate> names;
    ASSERT_TRUE(store_->LoadZone(zone_info_.id, [&](zone::NameUpdate&& u) { names.push_back(std::move(u)); }));
    ASSERT_TRUE(zone->Apply(std::move(names)));
    registry_.Put(zone);
  }

  void Change(int i) {
    ASSERT_TRUE(store_->Commit(SetA(zone_info_, "new" + std::to_string(i), A(198, 51, 100, static_cast<uint8_t>(i)))));
  }

  // A request for `qtype`; IXFR with the client's SOA; signed if `sign`.
  std::vector<uint8_t> Request(dns::RrType qtype, uint32_t serial = 0, bool sign = false,
                               const std::string& zone = kOrigin) {
    std::vector<uint8_t> buffer(1024);
    dns::Writer writer(buffer.data(), buffer.size());
    writer.U16(0x7777);
    writer.U16(0);
    writer.U16(1);
    writer.U16(0);
    writer.U16(qtype == dns::RrType::kIxfr ? 1 : 0);
    writer.U16(0);
    writer.Name(N(zone).wire(), false);
    writer.U16(dns::ToU16(qtype));
    writer.U16(1);
    if (qtype == dns::RrType::kIxfr) {
      std::vector<uint8_t> rdata = SoaRdata(zone, serial);
      writer.Name(N(zone).wire(), true);
      writer.U16(dns::ToU16(dns::RrType::kSoa));
      writer.U16(1);
      writer.U32(0);
      writer.U16(static_cast<uint16_t>(rdata.size()));
      writer.Bytes(rdata);
    }
    if (sign) request_mac_ = *dns::SignRequest(writer, key_, kNow);
    buffer.resize(writer.size());
    return buffer;
  }

  std::vector<dns::Message> Handle(const std::vector<uint8_t>& request, const std::string& peer,
                                   bool tcp = true) {
    sockaddr_storage address = Peer(peer);
    raw_.clear();
    service_->Handle(request, reinterpret_cast<const sockaddr*>(&address), tcp,
                     [&](std::vector<uint8_t> m) { raw_.push_back(std::move(m)); });
    std::vector<dns::Message> out;
    for (const auto& m : raw_) {
      auto parsed = dns::ParseMessage(m);
      EXPECT_TRUE(parsed) << parsed.error().message;
      if (parsed) out.push_back(std::move(*parsed));
    }
    return out;
  }

  static std::vector<dns::Rr> Answers(const std::vector<dns::Message>& messages) {
    std::vector<dns::Rr> out;
    for (const auto& m : messages) out.insert(out.end(), m.answers.begin(), m.answers.end());
    return out;
  }
  static std::vector<uint32_t> SoaSerials(const std::vector<dns::Rr>& rrs) {
    std::vector<uint32_t> out;
    for (const auto& rr : rrs) {
      if (rr.type == dns::RrType::kSoa) out.push_back(*store::SoaSerial(rr.rdata));
    }
    return out;
  }

  store::ZoneInfo zone_info_;
  dns::TsigKey key_;
  zone::ZoneRegistry registry_;
  std::unique_ptr<XfrService> service_;
  std::vector<uint8_t> request_mac_;
  std::vector<std::vector<uint8_t>> raw_;
};

TEST_F(XfrServiceTest, AxfrFromAllowedNetworkIsTheZone) {
  auto messages = Handle(Request(dns::RrType::kAxfr), "192.0.2.9:4000");
  auto rrs = Answers(messages);
  ASSERT_EQ(rrs.size(), 1 + 1 + 3 + 1u);  // SOA, NS, 3 hosts, SOA
  EXPECT_EQ(rrs.front().type, dns::RrType::kSoa);
  EXPECT_EQ(rrs.back().type, dns::RrType::kSoa);
  EXPECT_EQ(rrs.front().rdata, rrs.back().rdata);
  EXPECT_EQ(SoaSerials(rrs).size(), 2u);
}

TEST_F(XfrServiceTest, AxfrFromElsewhereUnsignedIsRefused) {
  auto messages = Handle(Request(dns::RrType::kAxfr), "203.0.113.1:4000");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].header.rcode(), 5);
  EXPECT_TRUE(messages[0].answers.empty());
  EXPECT_EQ(service_->Stats().refused, 1u);
}

TEST_F(XfrServiceTest, SignedAxfrFromAnywhereIsSignedThroughout) {
  auto request = Request(dns::RrType::kAxfr, 0, /*sign=*/true);
  auto messages = Handle(request, "203.0.113.1:4000");
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages[0].header.rcode(), 0);
  dns::TsigStreamVerifier verifier(key_, request_mac_);
  for (const auto& raw : raw_) EXPECT_EQ(verifier.Verify(raw, kNow), dns::TsigStatus::kOk);
}

TEST_F(XfrServiceTest, BadSignatureIsNotAuth) {
  auto request = Request(dns::RrType::kAxfr, 0, /*sign=*/true);
  request[request.size() - 10] ^= 1;  // inside the MAC
  auto messages = Handle(request, "192.0.2.9:4000");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].header.rcode(), 9);
}

TEST_F(XfrServiceTest, AxfrOverUdpIsNotImp) {
  auto messages = Handle(Request(dns::RrType::kAxfr), "192.0.2.9:4000", /*tcp=*/false);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].header.rcode(), 4);
}

TEST_F(XfrServiceTest, UnknownZoneIsNotAuth) {
  auto messages = Handle(Request(dns::RrType::kAxfr, 0, false, "other.net."), "192.0.2.9:1");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].header.rcode(), 9);
}

TEST_F(XfrServiceTest, IxfrSendsTheJournalFromTheClientsSerialAsOneChange) {
  Change(1);
  Change(2);
  Change(3);
  Publish();
  auto rrs = Answers(Handle(Request(dns::RrType::kIxfr, 2), "192.0.2.9:1"));
  // new SOA, old SOA, new SOA, the A records added by 2->3 and 3->4, new SOA (RFC 1995 5)
  EXPECT_EQ(SoaSerials(rrs), (std::vector<uint32_t>{4, 2, 4, 4}));
  ASSERT_EQ(rrs.size(), 4u + 2u);
  EXPECT_EQ(rrs[3].owner, N("new2.example.com."));
  EXPECT_EQ(rrs[4].owner, N("new3.example.com."));
  EXPECT_EQ(service_->Stats().ixfr, 1u);
  // Again, from the index of the first read.
  rrs = Answers(Handle(Request(dns::RrType::kIxfr, 1), "192.0.2.9:1"));
  EXPECT_EQ(SoaSerials(rrs), (std::vector<uint32_t>{4, 1, 4, 4}));
  EXPECT_EQ(rrs.size(), 4u + 3u);
}

TEST_F(XfrServiceTest, IxfrOfOneHostRewrittenManyTimesIsItsNetChange) {
  // host1 moves from 10.0.0.1 through 198.51.100.1 ... 198.51.100.100: 100 journal entries.
  std::vector<uint8_t> previous = A(10, 0, 0, 1);
  for (int i = 1; i <= 100; ++i) {
    std::vector<uint8_t> address = A(198, 51, 100, static_cast<uint8_t>(i));
    ASSERT_TRUE(store_->Commit(SetA(zone_info_, "host1", address, previous)));
    previous = address;
  }
  Publish();
  auto rrs = Answers(Handle(Request(dns::RrType::kIxfr, 1), "192.0.2.9:1"));
  EXPECT_EQ(SoaSerials(rrs), (std::vector<uint32_t>{101, 1, 101, 101}));
  ASSERT_EQ(rrs.size(), 4u + 2u);
  EXPECT_EQ(rrs[2].owner, N("host1.example.com."));
  EXPECT_EQ(rrs[2].rdata, A(10, 0, 0, 1));
  EXPECT_EQ(rrs[4].owner, N("host1.example.com."));
  EXPECT_EQ(rrs[4].rdata, A(198, 51, 100, 100));
}

TEST_F(XfrServiceTest, IxfrWhenCurrentIsTheSingleSoa) {
  Change(1);
  Publish();
  auto rrs = Answers(Handle(Request(dns::RrType::kIxfr, 2), "192.0.2.9:1"));
  ASSERT_EQ(rrs.size(), 1u);
  EXPECT_EQ(SoaSerials(rrs), std::vector<uint32_t>{2});
  EXPECT_EQ(service_->Stats().ixfr_current, 1u);
}

TEST_F(XfrServiceTest, IxfrFromBeforeTheJournalIsTheWholeZone) {
  Change(1);
  Publish();
  auto messages = Handle(Request(dns::RrType::kIxfr, 0), "192.0.2.9:1");
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages[0].questions[0].type, dns::RrType::kIxfr);
  auto rrs = Answers(messages);
  EXPECT_EQ(rrs.size(), 1 + 1 + 4 + 1u);
  EXPECT_EQ(SoaSerials(rrs), (std::vector<uint32_t>{2, 2}));
  EXPECT_EQ(service_->Stats().ixfr_fallback, 1u);
}

TEST_F(XfrServiceTest, IxfrWithoutClientSoaIsFormErr) {
  auto request = Request(dns::RrType::kAxfr);
  request[12 + N(kOrigin).size() + 1] = 251;  // QTYPE IXFR, no authority section
  auto messages = Handle(request, "192.0.2.9:1");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].header.rcode(), 1);
}

TEST_F(XfrServiceTest, IxfrOverUdpIsTheSoa) {
  Change(1);
  Publish();
  auto messages = Handle(Request(dns::RrType::kIxfr, 1), "192.0.2.9:1", /*tcp=*/false);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(SoaSerials(messages[0].answers), std::vector<uint32_t>{2});
  EXPECT_LE(raw_[0].size(), 512u);
}

TEST_F(XfrServiceTest, SettingsChangeTakesEffectOnReload) {
  ASSERT_TRUE(store_->SetTransferSettings(zone_info_.id, store::TransferSettings{}));
  EXPECT_EQ(Handle(Request(dns::RrType::kAxfr), "192.0.2.9:1")[0].header.rcode(), 0);
  ASSERT_TRUE(service_->Reload());
  EXPECT_EQ(Handle(Request(dns::RrType::kAxfr), "192.0.2.9:1")[0].header.rcode(), 5);
}

}  // namespace
}  // namespace tether::xfr
