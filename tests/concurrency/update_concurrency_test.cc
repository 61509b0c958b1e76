// RFC 2136 updates from several threads through the update path (SQLite store, group
// commit, publish) while query threads answer from the same zone.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "base/qsbr.h"
#include "dns/rdata.h"
#include "server/query.h"
#include "store/store.h"
#include "update/access.h"
#include "update/rfc2136.h"
#include "update/update_service.h"
#include "zone/zone_set.h"

namespace tether {
namespace {

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

std::vector<uint8_t> AddA(const std::string& owner, uint16_t id) {
  std::vector<uint8_t> m = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 5 << 3, 0, 0, 1, 0, 0, 0, 1, 0, 0};
  dns::Name zone = N("example.");
  m.insert(m.end(), zone.wire().begin(), zone.wire().end());
  m.insert(m.end(), {0, 6, 0, 1});
  dns::Name name = N(owner);
  m.insert(m.end(), name.wire().begin(), name.wire().end());
  m.insert(m.end(), {0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, static_cast<uint8_t>(id)});
  return m;
}

std::vector<uint8_t> Query(const std::string& owner) {
  std::vector<uint8_t> q = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  dns::Name name = N(owner);
  q.insert(q.end(), name.wire().begin(), name.wire().end());
  q.insert(q.end(), {0, 1, 0, 1});
  return q;
}

TEST(UpdateConcurrencyTest, UpdatesAndQueriesTogether) {
  auto dir = std::filesystem::temp_directory_path() / ("tether-update-concurrency-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    store::SqliteOptions options;
    options.path = (dir / "tether.db").string();
    auto store = std::move(*store::OpenSqliteStore(options));
    dns::Name origin = N("example.");
    std::vector<zone::NameUpdate> names = {
        {origin,
         {zone::Rrset{dns::RrType::kSoa, 60,
                      {*dns::RdataFromString(dns::RrType::kSoa, "ns.example. h.example. 1 60 60 60 60", dns::Name())}},
          zone::Rrset{dns::RrType::kNs, 60, {*dns::RdataFromString(dns::RrType::kNs, "ns.example.", dns::Name())}}}}};
    auto info = store->CreateZone(origin, store::SerialPolicy::kIncrement, names, nullptr);
    ASSERT_TRUE(info);
    auto zone = std::make_shared<zone::Zone>(origin);
    ASSERT_TRUE(zone->Apply(names));
    zone::ZoneRegistry registry;
    registry.Put(zone);
    update::UpdateService updates(*store, update::UpdateServiceOptions{2, 1000});
    updates.AddZone(info->id, zone, info->journal_seq);
    updates.Start();
    update::AccessControl access;
    store::ZoneInfo allowed;
    allowed.origin = origin;
    allowed.allow_update = {"127.0.0.0/8"};
    access.Set(std::make_shared<const update::AccessSnapshot>(std::vector<store::TsigKeyInfo>{},
                                                              std::vector<store::ZoneInfo>{allowed}));
    update::Rfc2136Context context{&updates, &access, &registry, [] { return uint64_t{1800000000}; }};
    sockaddr_in peer{};
    peer.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);

    constexpr int kWriters = 3;
    constexpr int kUpdatesEach = 150;
    std::atomic<int> ok{0};
    std::atomic<bool> done{false};
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        std::mutex mu;
        std::condition_variable cv;
        int outstanding = 0;
        for (int i = 0; i < kUpdatesEach; ++i) {
          {
            std::lock_guard<std::mutex> lock(mu);
            ++outstanding;
          }
          update::HandleUpdateMessage(AddA("w" + std::to_string(w) + "-" + std::to_string(i) + ".example.",
                                           static_cast<uint16_t>(i)),
                                      reinterpret_cast<const sockaddr*>(&peer), context,
                                      [&](std::vector<uint8_t> response) {
                                        if (response.size() > 3 && (response[3] & 0xF) == 0) ok++;
                                        std::lock_guard<std::mutex> lock(mu);
                                        --outstanding;
                                        cv.notify_all();
                                      });
          if (i % 16 == 15) {  // at most 16 in flight per writer
            std::unique_lock<std::mutex> lock(mu);
            cv.wait(lock, [&] { return outstanding == 0; });
          }
        }
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return outstanding == 0; });
      });
    }
    std::atomic<long> answered{0};
    for (int r = 0; r < 2; ++r) {
      threads.emplace_back([&, r] {
        ReaderSlot* slot = Qsbr::Global().RegisterReader();
        std::vector<uint8_t> out(4096);
        for (long i = 0; !done.load() && i < 5'000'000; ++i) {
          auto query = Query("w" + std::to_string(r) + "-" + std::to_string(i % kUpdatesEach) + ".example.");
          slot->Enter();
          if (server::HandleQuery(*registry.Current(), query, server::Transport::kUdp, server::QueryOptions{},
                                  out.data(), out.size()) > 0) {
            answered++;
          }
          slot->Exit();
        }
        Qsbr::Global().UnregisterReader(slot);
      });
    }
    for (int w = 0; w < kWriters; ++w) threads[static_cast<size_t>(w)].join();
    done.store(true);
    for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();
    updates.Stop();
    EXPECT_EQ(ok.load(), kWriters * kUpdatesEach);
    EXPECT_GT(answered.load(), 0);
    for (int w = 0; w < kWriters; ++w) {
      for (int i = 0; i < kUpdatesEach; i += 37) {
        EXPECT_FALSE(zone->Get(N("w" + std::to_string(w) + "-" + std::to_string(i) + ".example.")).empty());
      }
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tether
