// DdnsHandler and RestApi with a host's abuse state (docs/abuse.md): a frozen host keeps its
// records and every update of it is refused (`abuse`, `KO`, 403) and kept in its history; a
// watched host is answered as any other. Driven through the handlers with HttpRequest
// values over the real update path of RestFixture.
#include "api/ddns_handler.h"

#include <gtest/gtest.h>

#include "dns/rdata.h"
#include "rest_test_util.h"
#include "update/update_request.h"

namespace tether::api::testing {
namespace {

class DdnsHandlerStateTest : public RestFixture {
 protected:
  void SetUp() override {
    RestFixture::SetUp();
    host_ = MakeHost("home.dyn.example.", alice_);
    handler_ = std::make_unique<DdnsHandler>(DdnsOptions{}, directory_, *authenticator_, *updates_,
                                             accounts_, *pool_);
  }

  void TearDown() override {
    handler_.reset();
    RestFixture::TearDown();
  }

  // As `tether host state --set` does: the store, then the directory.
  void SetState(store::AbuseState state) {
    ASSERT_TRUE(accounts_.SetAbuseState(host_.id, state, "case 17", kNow));
    auto host = directory_.Host(host_.fqdn);
    ASSERT_TRUE(host);
    host->abuse_state = state;
    host->abuse_reason = "case 17";
    host->abuse_since = kNow;
    directory_.PutHost(*host);
  }

  std::string Await(void (DdnsHandler::*handle)(HttpRequest, Respond), HttpRequest request) {
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    auto future = promise->get_future();
    (handler_.get()->*handle)(std::move(request), [promise](HttpResponse response) {
      promise->set_value(std::move(response));
    });
    // A bound, not a timing assertion: a missing answer fails instead of hanging the suite.
    EXPECT_EQ(future.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    return future.get().body;
  }

  std::string Dyndns2(const std::string& address) {
    return Await(&DdnsHandler::HandleDyndns2,
                 Request("GET", "/nic/update?hostname=home.dyn.example&myip=" + address));
  }

  std::string Duck(const std::string& address) {
    return Await(&DdnsHandler::HandleDuck,
                 Request("GET", "/update?domains=home&token=" + token_ + "&ip=" + address, "", ""));
  }

  std::string PublishedA() {
    for (const auto& rrset : Content("home.dyn.example.")) {
      if (rrset.type == dns::RrType::kA)
        return dns::RdataToText(dns::RrType::kA, rrset.rdatas.front());
    }
    return "";
  }

  std::string LastHistoryResult() {
    auto history = accounts_.History();
    return history.empty() ? "" : history.back().result;
  }

  store::HostInfo host_;
  std::unique_ptr<DdnsHandler> handler_;
};

TEST_F(DdnsHandlerStateTest, FrozenHostAnswersAbuseAndKeepsItsRecords) {
  ASSERT_EQ(Dyndns2("198.51.100.7"), "good 198.51.100.7");
  SetState(store::AbuseState::kFrozen);
  EXPECT_EQ(Dyndns2("198.51.100.8"), "abuse");
  EXPECT_EQ(PublishedA(), "198.51.100.7");
  auto history = accounts_.History();
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.back().result.rfind("abuse", 0), 0u) << history.back().result;
  EXPECT_EQ(history.back().old_value, "A 198.51.100.7");
  EXPECT_EQ(history.back().new_value, "A 198.51.100.8");
}

TEST_F(DdnsHandlerStateTest, FrozenHostGetsAbuseAlsoForAnUnchangedAddress) {
  ASSERT_EQ(Dyndns2("198.51.100.7"), "good 198.51.100.7");
  SetState(store::AbuseState::kFrozen);
  EXPECT_EQ(Dyndns2("198.51.100.7"), "abuse");  // never the published-content nochg
}

TEST_F(DdnsHandlerStateTest, HostSetBackToNoneUpdatesAgain) {
  ASSERT_EQ(Dyndns2("198.51.100.7"), "good 198.51.100.7");
  SetState(store::AbuseState::kFrozen);
  ASSERT_EQ(Dyndns2("198.51.100.8"), "abuse");
  SetState(store::AbuseState::kNone);
  EXPECT_EQ(Dyndns2("198.51.100.8"), "good 198.51.100.8");
  EXPECT_EQ(PublishedA(), "198.51.100.8");
}

TEST_F(DdnsHandlerStateTest, WatchedHostIsAnsweredAsAnyOther) {
  SetState(store::AbuseState::kWatch);
  EXPECT_EQ(Dyndns2("198.51.100.7"), "good 198.51.100.7");
  EXPECT_EQ(Dyndns2("198.51.100.7"), "nochg 198.51.100.7");
  EXPECT_EQ(PublishedA(), "198.51.100.7");
  EXPECT_EQ(Duck("198.51.100.9"), "OK");
  EXPECT_EQ(PublishedA(), "198.51.100.9");
}

TEST_F(DdnsHandlerStateTest, FrozenHostIsKoOnTheTokenUrl) {
  ASSERT_EQ(Duck("198.51.100.7"), "OK");
  SetState(store::AbuseState::kFrozen);
  EXPECT_EQ(Duck("198.51.100.8"), "KO");
  EXPECT_EQ(PublishedA(), "198.51.100.7");
  EXPECT_EQ(LastHistoryResult().rfind("abuse", 0), 0u) << LastHistoryResult();
}

// Holds the zone's updater inside its Apply until released.
class BlockingRequest : public update::UpdateRequest {
 public:
  explicit BlockingRequest(std::shared_future<void> release) : release_(std::move(release)) {}
  dns::Rcode Apply(update::ZoneView&) override {
    entered_.set_value();
    EXPECT_EQ(release_.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    return dns::Rcode::kNoError;
  }
  void Done(const update::UpdateOutcome&) override {}
  std::future<void> Entered() { return entered_.get_future(); }

 private:
  std::shared_future<void> release_;
  std::promise<void> entered_;
};

// The request is checked on the HTTP thread and again on the updater: a host frozen while
// its update waits in the zone's queue is not changed (the updater's check looks the host up
// again only when a host entry changed meanwhile, Directory::HostsGeneration).
TEST_F(DdnsHandlerStateTest, HostFrozenWhileItsUpdateWaitsIsNotChanged) {
  ASSERT_EQ(Duck("198.51.100.7"), "OK");
  std::promise<void> release;
  auto blocker = std::make_unique<BlockingRequest>(release.get_future().share());
  auto entered = blocker->Entered();
  ASSERT_TRUE(updates_->Submit(N("dyn.example."), std::move(blocker)));
  ASSERT_EQ(entered.wait_for(std::chrono::seconds(60)), std::future_status::ready);

  // The token URL checks and queues at once (no password to verify on a pool).
  auto answer = std::make_shared<std::promise<HttpResponse>>();
  auto answered = answer->get_future();
  handler_->HandleDuck(Request("GET", "/update?domains=home&token=" + token_ + "&ip=198.51.100.8", "", ""),
                       [answer](HttpResponse response) { answer->set_value(std::move(response)); });
  SetState(store::AbuseState::kFrozen);
  release.set_value();

  ASSERT_EQ(answered.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_EQ(answered.get().body, "KO");
  EXPECT_EQ(PublishedA(), "198.51.100.7");
  EXPECT_EQ(LastHistoryResult(), "abuse: host state changed meanwhile");
}

TEST_F(DdnsHandlerStateTest, FrozenHostIsRefusedByTheRestApi) {
  ASSERT_EQ(Dyndns2("198.51.100.7"), "good 198.51.100.7");
  SetState(store::AbuseState::kFrozen);
  Reply put =
      Call("PUT", "/api/v1/hosts/home.dyn.example/records/A", R"({"values": ["198.51.100.8"]})");
  EXPECT_EQ(put.status, 403u) << put.body;
  EXPECT_EQ(put.ErrorCode(), "forbidden");
  EXPECT_NE(put.json["error"]["message"].get<std::string>().find("frozen"), std::string::npos)
      << put.body;
  EXPECT_EQ(PublishedA(), "198.51.100.7");
  EXPECT_EQ(LastHistoryResult().rfind("abuse", 0), 0u) << LastHistoryResult();
  EXPECT_EQ(Call("DELETE", "/api/v1/hosts/home.dyn.example/records/A").status, 403u);
  EXPECT_EQ(Call("DELETE", "/api/v1/hosts/home.dyn.example").status, 403u);
  EXPECT_EQ(PublishedA(), "198.51.100.7");

  SetState(store::AbuseState::kNone);
  EXPECT_EQ(
      Call("PUT", "/api/v1/hosts/home.dyn.example/records/A", R"({"values": ["198.51.100.8"]})")
          .status,
      200u);
  EXPECT_EQ(PublishedA(), "198.51.100.8");
}

}  // namespace
}  // namespace tether::api::testing
