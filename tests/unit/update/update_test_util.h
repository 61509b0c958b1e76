// Helpers for update-path tests: a real SQLite store in a temporary directory, an update
// service over it, and a builder for RFC 2136 messages.
#pragma once

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/wire/message.h"
#include "dns/wire/tsig.h"
#include "dns/wire/writer.h"
#include "store/store.h"
#include "update/access.h"
#include "update/rfc2136.h"
#include "update/update_service.h"
#include "zone/zone_set.h"

namespace tether::update::testing {

inline dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

inline std::vector<uint8_t> Rdata(dns::RrType type, const std::string& text) {
  auto rdata = dns::RdataFromString(type, text, dns::Name());
  EXPECT_TRUE(rdata) << text;
  return rdata ? *rdata : std::vector<uint8_t>();
}

// One RR of an UPDATE message section.
struct Rr {
  std::string owner;
  uint16_t klass;
  dns::RrType type;
  uint32_t ttl;
  std::string rdata;  // presentation form; empty: RDLENGTH 0
};

inline Rr Add(const std::string& owner, dns::RrType type, const std::string& rdata, uint32_t ttl = 60) {
  return {owner, 1, type, ttl, rdata};
}
inline Rr DeleteRrset(const std::string& owner, dns::RrType type) { return {owner, 255, type, 0, ""}; }
inline Rr DeleteName(const std::string& owner) { return {owner, 255, dns::RrType::kAny, 0, ""}; }
inline Rr DeleteRr(const std::string& owner, dns::RrType type, const std::string& rdata) {
  return {owner, 254, type, 0, rdata};
}
// Prerequisites (RFC 2136 2.4).
inline Rr RrsetExists(const std::string& owner, dns::RrType type) { return {owner, 255, type, 0, ""}; }
inline Rr RrsetExistsValue(const std::string& owner, dns::RrType type, const std::string& rdata) {
  return {owner, 1, type, 0, rdata};
}
inline Rr RrsetAbsent(const std::string& owner, dns::RrType type) { return {owner, 254, type, 0, ""}; }
inline Rr NameInUse(const std::string& owner) { return {owner, 255, dns::RrType::kAny, 0, ""}; }
inline Rr NameAbsent(const std::string& owner) { return {owner, 254, dns::RrType::kAny, 0, ""}; }

inline std::vector<uint8_t> BuildUpdate(const std::string& zone, const std::vector<Rr>& prereqs,
                                        const std::vector<Rr>& updates, const dns::TsigKey* key = nullptr,
                                        uint64_t now = 0, uint16_t id = 0x4242) {
  std::vector<uint8_t> buffer(65535);
  dns::Writer w(buffer.data(), buffer.size());
  w.U16(id);
  w.U16(static_cast<uint16_t>(5 << 11));
  w.U16(1);
  w.U16(static_cast<uint16_t>(prereqs.size()));
  w.U16(static_cast<uint16_t>(updates.size()));
  w.U16(0);
  dns::Name zone_name = N(zone);
  w.Name(zone_name.wire(), false);
  w.U16(dns::ToU16(dns::RrType::kSoa));
  w.U16(1);
  for (const auto* section : {&prereqs, &updates}) {
    for (const Rr& rr : *section) {
      dns::Name owner = N(rr.owner);
      w.Name(owner.wire(), false);
      w.U16(dns::ToU16(rr.type));
      w.U16(rr.klass);
      w.U32(rr.ttl);
      std::vector<uint8_t> rdata = rr.rdata.empty() ? std::vector<uint8_t>() : Rdata(rr.type, rr.rdata);
      w.U16(static_cast<uint16_t>(rdata.size()));
      w.Bytes(rdata);
    }
  }
  if (key != nullptr) {
    EXPECT_TRUE(dns::SignRequest(w, *key, now));
  }
  buffer.resize(w.size());
  return buffer;
}

// A store, update service, registry and access control over one dynamic zone.
class UpdateFixture : public ::testing::Test {
 protected:
  static constexpr uint64_t kNow = 1800000000;

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tether-update-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    // A directory a crashed run left under a process id now reused would hold its zones.
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::SqliteOptions options;
    options.path = (dir_ / "tether.db").string();
    store_ = std::move(*store::OpenSqliteStore(options));
    service_ = std::make_unique<UpdateService>(*store_, UpdateServiceOptions{});
    service_->Start();
    CreateZone("example.");
    key_ = dns::TsigKey{N("key.example."), dns::TsigAlgorithm::kHmacSha256,
                        std::vector<uint8_t>(32, 0x5A)};
  }
  void TearDown() override {
    service_->Stop();
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void CreateZone(const std::string& origin) {
    std::vector<zone::NameUpdate> names = {
        {N(origin),
         {zone::Rrset{dns::RrType::kSoa, 3600, {Rdata(dns::RrType::kSoa, "ns1." + origin + " h." + origin + " 10 3600 900 604800 60")}},
          zone::Rrset{dns::RrType::kNs, 3600, {Rdata(dns::RrType::kNs, "ns1." + origin)}}}},
        {N("host." + origin), {zone::Rrset{dns::RrType::kA, 60, {Rdata(dns::RrType::kA, "192.0.2.1")}}}},
    };
    auto info = store_->CreateZone(N(origin), store::SerialPolicy::kIncrement, names, nullptr);
    ASSERT_TRUE(info) << info.error().message;
    auto zone = std::make_shared<zone::Zone>(N(origin));
    ASSERT_TRUE(zone->Apply(names));
    service_->AddZone(info->id, zone, info->journal_seq);
    registry_.Put(zone);
    zone_ = zone;
  }

  // Gives `key_` these grants (and makes `allowed` the networks for unsigned updates).
  void SetAccess(std::vector<store::KeyGrant> grants, std::vector<std::string> allowed = {}) {
    store::TsigKeyInfo key{key_.name, "hmac-sha256", key_.secret, std::move(grants)};
    store::ZoneInfo info;
    info.origin = N("example.");
    info.allow_update = std::move(allowed);
    access_.Set(std::make_shared<const AccessSnapshot>(std::vector<store::TsigKeyInfo>{key},
                                                       std::vector<store::ZoneInfo>{info}));
  }

  // Sends `message` as if from 127.0.0.1 and waits for the reply.
  dns::Message Send(const std::vector<uint8_t>& message, const char* from = "127.0.0.1") {
    sockaddr_in peer{};
    peer.sin_family = AF_INET;
    inet_pton(AF_INET, from, &peer.sin_addr);
    Rfc2136Context context{service_.get(), &access_, &registry_, [] { return kNow; }};
    std::promise<std::vector<uint8_t>> promise;
    auto future = promise.get_future();
    HandleUpdateMessage(message, reinterpret_cast<const sockaddr*>(&peer), context,
                        [&promise](std::vector<uint8_t> response) { promise.set_value(std::move(response)); });
    last_response_ = future.get();
    auto parsed = dns::ParseMessage(last_response_);
    EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
    return parsed ? *parsed : dns::Message();
  }

  static dns::Rcode RcodeOf(const dns::Message& message) {
    return static_cast<dns::Rcode>(message.header.rcode());
  }

  std::vector<zone::Rrset> Content(const std::string& name) { return zone_->Get(N(name)); }
  const zone::Rrset* Find(const std::string& name, dns::RrType type) {
    content_ = Content(name);
    for (const auto& rrset : content_) {
      if (rrset.type == type) return &rrset;
    }
    return nullptr;
  }
  uint32_t Serial() {
    const zone::Rrset* soa = Find("example.", dns::RrType::kSoa);
    dns::Reader reader(soa->rdatas.front());
    uint8_t skip[255];
    dns::ReadName(reader, skip);
    dns::ReadName(reader, skip);
    return reader.U32();
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<UpdateService> service_;
  zone::ZoneRegistry registry_;
  AccessControl access_;
  std::shared_ptr<zone::Zone> zone_;
  dns::TsigKey key_;
  std::vector<uint8_t> last_response_;
  std::vector<zone::Rrset> content_;
  static inline int counter_ = 0;
};

}  // namespace tether::update::testing
