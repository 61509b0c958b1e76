// UpdateService (update/update_service.h): a request that fails leaves no trace, also when
// it is alone in its batch and runs without a savepoint; the apex is published with the new
// serial whether the batch changed it or not; requests that apply atomically
// (no savepoint of their own) share a batch with one that fails; a busy zone's next batch
// waits for the last one's clients, no longer than the batch wait, and a lone client never
// waits; the updater and the store's committer run as batch work (base/thread.h).
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
  TestRequest(bool atomic, std::function<dns::Rcode(ZoneView&)> apply, bool joins = true)
      : atomic_(atomic), joins_(joins), apply_(std::move(apply)) {}
  dns::Rcode Apply(ZoneView& view) override { return apply_(view); }
  bool AppliesAtomically() const override { return atomic_; }
  bool JoinsCohort() const override { return joins_; }
  void Done(const UpdateOutcome& outcome) override { done_.set_value(outcome); }
  std::future<UpdateOutcome> Outcome() { return done_.get_future(); }

 private:
  const bool atomic_;
  const bool joins_;
  std::function<dns::Rcode(ZoneView&)> apply_;
  std::promise<UpdateOutcome> done_;
};

TEST_F(UpdateServiceTest, AtomicRequestsShareABatchWithAFailedOne) {
  // Submitted back to back, so that they usually form one batch; the outcome is the same
  // either way.
  std::vector<std::future<UpdateOutcome>> outcomes;
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
  for (auto& outcome : outcomes) rcodes.push_back(outcome.get().rcode);
  EXPECT_EQ(rcodes, (std::vector<dns::Rcode>{dns::Rcode::kNoError, dns::Rcode::kRefused, dns::Rcode::kNxDomain,
                                             dns::Rcode::kNoError}));
  EXPECT_EQ(zone_->Get(N("a.example.")), A("192.0.2.10"));
  EXPECT_TRUE(zone_->Get(N("b.example.")).empty());
  EXPECT_EQ(zone_->Get(N("c.example.")), A("192.0.2.12"));
}

// A service whose batch wait is `wait`, with the fixture's zone.
class BatchWaitTest : public UpdateServiceTest {
 protected:
  void Restart(std::chrono::microseconds wait) {
    service_->Stop();
    UpdateServiceOptions options;
    options.batch_wait = wait;
    service_ = std::make_unique<UpdateService>(*store_, options);
    service_->Start();
    auto info = store_->GetZone(N("example."));
    ASSERT_TRUE(info && *info);
    service_->AddZone((*info)->id, zone_, (*info)->journal_seq);
  }

  // Queues a request setting HOST.example.; `before` runs first, on the updater.
  void Submit(const std::string& host, std::function<void()> before = nullptr) {
    auto request = std::make_unique<TestRequest>(
        true,
        [host, before](ZoneView& view) {
          if (before) before();
          view.Set(N(host + ".example."), A("192.0.2.20"));
          return dns::Rcode::kNoError;
        },
        joins_);
    outcomes_.push_back(request->Outcome());
    ASSERT_TRUE(service_->Submit(N("example."), std::move(request)));
  }

  // A batch of "a" alone, held on the updater until "b" is queued behind it: the next
  // batch then waits for two requests (the last batch's one and the one queued meanwhile).
  void RunABatchWithOneQueuedBehindIt() {
    std::promise<void> started;
    std::future<void> running = started.get_future();
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    Submit("a", [&started, released] {
      started.set_value();
      released.wait();
    });
    running.wait();
    Submit("b");
    release.set_value();
    ASSERT_EQ(outcomes_[0].get().rcode, dns::Rcode::kNoError);
  }

  bool joins_ = true;  // whether the requests Submit makes join cohorts
  std::vector<std::future<UpdateOutcome>> outcomes_;
};

// A wait of 30 s, cut short by the request that completes the cohort; the two share a batch.
TEST_F(BatchWaitTest, TheNextBatchWaitsForTheLastBatchsClients) {
  Restart(std::chrono::seconds(30));
  RunABatchWithOneQueuedBehindIt();
  // "b" waits for a second request.
  EXPECT_EQ(outcomes_[1].wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  Submit("c");
  std::vector<UpdateOutcome> done;
  for (size_t i = 1; i < outcomes_.size(); ++i) {
    ASSERT_EQ(outcomes_[i].wait_for(std::chrono::seconds(10)), std::future_status::ready) << i;
    done.push_back(outcomes_[i].get());
    EXPECT_EQ(done.back().rcode, dns::Rcode::kNoError);
  }
  EXPECT_EQ(done[0].serial, done[1].serial);  // one commit
  EXPECT_EQ(zone_->Get(N("c.example.")), A("192.0.2.20"));
}

// Clients that do not come back cost the wait, no more.
TEST_F(BatchWaitTest, AWaitForClientsThatDoNotComeBackEndsAtTheBound) {
  Restart(std::chrono::milliseconds(100));
  RunABatchWithOneQueuedBehindIt();
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(outcomes_[1].wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(90));
  EXPECT_EQ(outcomes_[1].get().rcode, dns::Rcode::kNoError);
}

// A client sending one update after another is its own cohort: its batch of one is complete.
TEST_F(BatchWaitTest, ALoneClientNeverWaits) {
  Restart(std::chrono::seconds(30));
  for (const std::string host : {"a", "b", "c", "d"}) {
    Submit(host);
    ASSERT_EQ(outcomes_.back().wait_for(std::chrono::seconds(10)), std::future_status::ready)
        << host;
    EXPECT_EQ(outcomes_.back().get().rcode, dns::Rcode::kNoError);
  }
}

// Requests gathered before they reach the updater (RFC 2136 UPDATEs) do not wait again.
TEST_F(BatchWaitTest, RequestsThatDoNotJoinCohortsDoNotWait) {
  Restart(std::chrono::seconds(30));
  joins_ = false;
  RunABatchWithOneQueuedBehindIt();
  ASSERT_EQ(outcomes_[1].wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(outcomes_[1].get().rcode, dns::Rcode::kNoError);
}

// Stopping the service ends a wait: the waiting request is answered, not left behind.
TEST_F(BatchWaitTest, StoppingEndsAWait) {
  Restart(std::chrono::seconds(30));
  RunABatchWithOneQueuedBehindIt();
  EXPECT_EQ(outcomes_[1].wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  service_->Stop();
  ASSERT_EQ(outcomes_[1].wait_for(std::chrono::seconds(10)), std::future_status::ready);
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
