// UpdateService (update/update_service.h): a request that fails leaves no trace, also when
// it is alone in its batch and runs without a savepoint; the apex is published with the new
// serial whether the batch changed it or not; requests that apply atomically
// (no savepoint of their own) share a batch with one that fails; a batch wait ends when the
// batch is full; the updater and the store's committer run as batch work (base/thread.h).
#include <gtest/gtest.h>
#include <sched.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include "update/function_request.h"
#include "update_test_util.h"

namespace tether::update::testing {
namespace {

using UpdateServiceTest = UpdateFixture;

std::vector<zone::Rrset> A(const std::string& address) {
  return {zone::Rrset{dns::RrType::kA, 60, {Rdata(dns::RrType::kA, address)}}};
}

TEST_F(UpdateServiceTest, AFailedLoneRequestLeavesNoTrace) {
  const std::vector<zone::Rrset> apex = zone_->Get(N("example."));
  auto failed = RunInZone(*service_, N("example."), [](ZoneView& view) {
    view.Set(N("new.example."), A("192.0.2.7"));
    view.Set(N("host.example."), {});
    return dns::Rcode::kRefused;
  });
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->rcode, dns::Rcode::kRefused);
  EXPECT_TRUE(zone_->Get(N("new.example.")).empty());
  EXPECT_EQ(zone_->Get(N("host.example.")), A("192.0.2.1"));
  EXPECT_EQ(zone_->Get(N("example.")), apex);  // no new serial

  auto done = RunInZone(*service_, N("example."), [](ZoneView& view) {
    view.Set(N("new.example."), A("192.0.2.7"));
    return dns::Rcode::kNoError;
  });
  ASSERT_TRUE(done);
  EXPECT_EQ(done->rcode, dns::Rcode::kNoError);
  EXPECT_EQ(done->serial, 11u);
  EXPECT_EQ(zone_->Get(N("new.example.")), A("192.0.2.7"));
}

// The apex is published with the SOA the store allocated: as the batch left it when the
// batch changed it, as it was when the batch changed only other names.
TEST_F(UpdateServiceTest, TheApexIsPublishedWithTheNewSerialWhetherChangedOrNot) {
  const zone::Rrset txt{dns::RrType::kTxt, 60, {Rdata(dns::RrType::kTxt, "\"apex\"")}};
  auto at_apex = RunInZone(*service_, N("example."), [&](ZoneView& view) {
    std::vector<zone::Rrset> apex = view.Get(N("Example."));
    apex.push_back(txt);
    view.Set(N("example."), std::move(apex));
    return dns::Rcode::kNoError;
  });
  ASSERT_TRUE(at_apex);
  EXPECT_EQ(at_apex->serial, 11u);
  EXPECT_EQ(Serial(), 11u);
  std::vector<dns::RrType> types;
  for (const zone::Rrset& rrset : Content("example.")) types.push_back(rrset.type);
  EXPECT_EQ(types,
            (std::vector<dns::RrType>{dns::RrType::kNs, dns::RrType::kSoa, dns::RrType::kTxt}));

  auto elsewhere = RunInZone(*service_, N("example."), [](ZoneView& view) {
    view.Set(N("host.example."), A("192.0.2.9"));
    return dns::Rcode::kNoError;
  });
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->serial, 12u);
  EXPECT_EQ(Serial(), 12u);
  const zone::Rrset* kept = Find("example.", dns::RrType::kTxt);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(*kept, txt);
  EXPECT_EQ(zone_->Get(N("host.example.")), A("192.0.2.9"));
}

// A request of a function, which may declare that it applies atomically.
class TestRequest : public UpdateRequest {
 public:
  TestRequest(bool atomic, std::function<dns::Rcode(ZoneView&)> apply)
      : atomic_(atomic), apply_(std::move(apply)) {}
  dns::Rcode Apply(ZoneView& view) override { return apply_(view); }
  bool AppliesAtomically() const override { return atomic_; }
  void Done(const UpdateOutcome& outcome) override { done_.set_value(outcome.rcode); }
  std::future<dns::Rcode> Outcome() { return done_.get_future(); }

 private:
  const bool atomic_;
  std::function<dns::Rcode(ZoneView&)> apply_;
  std::promise<dns::Rcode> done_;
};

TEST_F(UpdateServiceTest, AtomicRequestsShareABatchWithAFailedOne) {
  // Submitted back to back, so that they usually form one batch; the outcome is the same
  // either way.
  std::vector<std::future<dns::Rcode>> outcomes;
  auto submit = [&](bool atomic, std::function<dns::Rcode(ZoneView&)> apply) {
    auto request = std::make_unique<TestRequest>(atomic, std::move(apply));
    outcomes.push_back(request->Outcome());
    ASSERT_TRUE(service_->Submit(N("example."), std::move(request)));
  };
  submit(true, [](ZoneView& view) {
    view.Set(N("a.example."), A("192.0.2.10"));
    return dns::Rcode::kNoError;
  });
  submit(false, [](ZoneView& view) {
    view.Set(N("b.example."), A("192.0.2.11"));
    view.Set(N("a.example."), {});
    return dns::Rcode::kRefused;
  });
  submit(true, [](ZoneView&) { return dns::Rcode::kNxDomain; });  // fails, changes nothing
  submit(true, [](ZoneView& view) {
    view.Set(N("c.example."), A("192.0.2.12"));
    return dns::Rcode::kNoError;
  });
  std::vector<dns::Rcode> rcodes;
  for (auto& outcome : outcomes) rcodes.push_back(outcome.get());
  EXPECT_EQ(rcodes, (std::vector<dns::Rcode>{dns::Rcode::kNoError, dns::Rcode::kRefused, dns::Rcode::kNxDomain,
                                             dns::Rcode::kNoError}));
  EXPECT_EQ(zone_->Get(N("a.example.")), A("192.0.2.10"));
  EXPECT_TRUE(zone_->Get(N("b.example.")).empty());
  EXPECT_EQ(zone_->Get(N("c.example.")), A("192.0.2.12"));
}

// With a batch wait set, a busy zone waits for more requests before a small batch, but no
// longer than until the batch is full: a wait of 30 s, cut short by the third request.
TEST_F(UpdateServiceTest, ABatchWaitEndsWhenTheBatchIsFull) {
  service_->Stop();
  UpdateServiceOptions options;
  options.coalesce = std::chrono::seconds(30);
  options.coalesce_below = 3;
  service_ = std::make_unique<UpdateService>(*store_, options);
  service_->Start();
  auto info = store_->GetZone(N("example."));
  ASSERT_TRUE(info && *info);
  service_->AddZone((*info)->id, zone_, (*info)->journal_seq);

  std::vector<std::future<dns::Rcode>> outcomes;
  auto submit = [&](const std::string& host, std::function<void()> before = nullptr) {
    auto request = std::make_unique<TestRequest>(true, [host, before](ZoneView& view) {
      if (before) before();
      view.Set(N(host + ".example."), A("192.0.2.20"));
      return dns::Rcode::kNoError;
    });
    outcomes.push_back(request->Outcome());
    ASSERT_TRUE(service_->Submit(N("example."), std::move(request)));
  };
  // The first request's batch runs alone and is held until the second is queued behind
  // it, so that the second finds its zone busy and waits.
  std::promise<void> started;
  std::future<void> running = started.get_future();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  submit("a", [&started, released] {
    started.set_value();
    released.wait();
  });
  running.wait();
  submit("b");
  release.set_value();
  ASSERT_EQ(outcomes[0].get(), dns::Rcode::kNoError);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // "b" is waiting now
  submit("c");
  submit("d");  // the batch is full: b, c, d
  for (size_t i = 1; i < outcomes.size(); ++i) {
    ASSERT_EQ(outcomes[i].wait_for(std::chrono::seconds(10)), std::future_status::ready) << i;
    EXPECT_EQ(outcomes[i].get(), dns::Rcode::kNoError);
  }
  EXPECT_EQ(zone_->Get(N("d.example.")), A("192.0.2.20"));
}

// The scheduling policy of every thread of this process, by thread name.
std::multimap<std::string, int> PoliciesByThreadName() {
  std::multimap<std::string, int> policies;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    const pid_t tid = static_cast<pid_t>(std::stol(task.path().filename().string()));
    policies.emplace(name, sched_getscheduler(tid));
  }
  return policies;
}

TEST_F(UpdateServiceTest, TheUpdaterAndTheCommitterRunAsBatchWork) {
  // Each thread sets its policy before its name, so a thread found by name has it.
  auto done = RunInZone(*service_, N("example."), [](ZoneView& view) {
    EXPECT_EQ(sched_getscheduler(0), SCHED_BATCH);  // on the updater
    view.Set(N("new.example."), A("192.0.2.7"));
    return dns::Rcode::kNoError;
  });
  ASSERT_TRUE(done);
  const auto policies = PoliciesByThreadName();
  for (const std::string name : {"tether-update", "tether-store"}) {
    auto [first, last] = policies.equal_range(name);
    EXPECT_NE(first, last) << "no thread named " << name;
    for (auto it = first; it != last; ++it) EXPECT_EQ(it->second, SCHED_BATCH) << name;
  }
  EXPECT_NE(sched_getscheduler(0), SCHED_BATCH);  // the caller's own policy is untouched
}

}  // namespace
}  // namespace tether::update::testing
