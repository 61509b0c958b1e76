// RFC 2136 updates from several threads through the update path (SQLite store, group
// commit, publish) while query threads answer from the same zone; clients in lockstep
// (each sends its next update when answered) through the cohort wait, and a stop meanwhile.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "base/qsbr.h"
#include "dns/rdata.h"
#include "server/query.h"
#include "store/store.h"
#include "update/access.h"
#include "update/function_request.h"
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

// The zone example. (its SOA and NS) in a new SQLite store under DIR, published.
struct ExampleZone {
  std::unique_ptr<store::Store> store;
  store::ZoneInfo info;
  std::shared_ptr<zone::Zone> zone;
};
ExampleZone MakeExampleZone(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  store::SqliteOptions options;
  options.path = (dir / "tether.db").string();
  ExampleZone made;
  made.store = std::move(*store::OpenSqliteStore(options));
  const dns::Name origin = N("example.");
  std::vector<zone::NameUpdate> names = {
      {origin,
       {zone::Rrset{dns::RrType::kSoa,
                    60,
                    {*dns::RdataFromString(dns::RrType::kSoa,
                                           "ns.example. h.example. 1 60 60 60 60", dns::Name())}},
        zone::Rrset{dns::RrType::kNs,
                    60,
                    {*dns::RdataFromString(dns::RrType::kNs, "ns.example.", dns::Name())}}}}};
  made.info = *made.store->CreateZone(origin, store::SerialPolicy::kIncrement, names, nullptr);
  made.zone = std::make_shared<zone::Zone>(origin);
  EXPECT_TRUE(made.zone->Apply(names));
  return made;
}

TEST(UpdateConcurrencyTest, UpdatesAndQueriesTogether) {
  auto dir = std::filesystem::temp_directory_path() /
             ("tether-update-concurrency-" + std::to_string(getpid()));
  {
    auto [store, info, zone] = MakeExampleZone(dir);
    const dns::Name origin = N("example.");
    zone::ZoneRegistry registry;
    registry.Put(zone);
    update::UpdateService updates(*store, update::UpdateServiceOptions{2, 1000});
    updates.AddZone(info.id, zone, info.journal_seq);
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

// Clients that send their next update as soon as the last is answered, as keep-alive HTTP
// clients do: the updater's batches wait for them (UpdateServiceOptions::batch_wait). Every
// update is answered and lands, and stopping while some wait answers them too.
TEST(UpdateConcurrencyTest, ClientsInLockstepThroughTheCohortWait) {
  auto dir = std::filesystem::temp_directory_path() /
             ("tether-cohort-concurrency-" + std::to_string(getpid()));
  {
    auto [store, info, zone] = MakeExampleZone(dir);
    const dns::Name origin = N("example.");
    update::UpdateServiceOptions service_options;
    service_options.batch_wait = std::chrono::milliseconds(2);
    update::UpdateService updates(*store, service_options);
    updates.AddZone(info.id, zone, info.journal_seq);
    updates.Start();

    constexpr int kClients = 8;
    constexpr int kUpdatesEach = 60;
    std::atomic<int> ok{0};
    std::atomic<int> answered{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        for (int i = 0; i < kUpdatesEach; ++i) {
          // The last client stops early, leaving the others' next batch a client short.
          if (c == kClients - 1 && i == kUpdatesEach / 2) return;
          const dns::Name owner =
              N("c" + std::to_string(c) + "-" + std::to_string(i) + ".example.");
          std::promise<update::UpdateOutcome> done;
          auto outcome = done.get_future();
          auto request = std::make_unique<update::FunctionRequest>(
              [owner](update::ZoneView& view) {
                view.Set(owner, {zone::Rrset{dns::RrType::kA, 60, {{192, 0, 2, 1}}}});
                return dns::Rcode::kNoError;
              },
              [&done](const update::UpdateOutcome& result) { done.set_value(result); });
          ASSERT_TRUE(updates.Submit(origin, std::move(request)));
          if (outcome.get().rcode == dns::Rcode::kNoError) ok++;
          answered++;
        }
      });
    }
    for (auto& client : clients) client.join();
    EXPECT_EQ(ok.load(), (kClients - 1) * kUpdatesEach + kUpdatesEach / 2);
    for (int c = 0; c < kClients - 1; ++c) {
      EXPECT_FALSE(zone->Get(N("c" + std::to_string(c) + "-" + std::to_string(kUpdatesEach - 1) +
                               ".example."))
                       .empty());
    }

    // A stop while clients wait in a cohort: each request is answered (SERVFAIL if it had
    // not been taken into a batch), none is left behind.
    std::atomic<int> stopped_answers{0};
    std::vector<std::thread> late;
    for (int c = 0; c < kClients; ++c) {
      late.emplace_back([&, c] {
        for (int i = 0; i < 1000; ++i) {
          std::promise<void> done;
          auto answered_future = done.get_future();
          auto request = std::make_unique<update::FunctionRequest>(
              [c, i](update::ZoneView& view) {
                view.Set(N("late" + std::to_string(c) + "-" + std::to_string(i) + ".example."),
                         {zone::Rrset{dns::RrType::kA, 60, {{192, 0, 2, 2}}}});
                return dns::Rcode::kNoError;
              },
              [&done](const update::UpdateOutcome&) { done.set_value(); });
          if (!updates.Submit(origin, std::move(request))) return;  // stopped
          answered_future.wait();
          stopped_answers++;
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    updates.Stop();
    for (auto& client : late) client.join();
    EXPECT_GT(stopped_answers.load(), 0);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tether
