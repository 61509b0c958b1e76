// Two update services on one store, each with its own zone in memory: two tetherd nodes
// sharing a database (docs/postgresql.md, "Several nodes"), in one process. The second
// node learns of the first's commits by CatchUp (the change feed's doing in tetherd), and a
// batch evaluated on a stale view is evaluated again after catching up.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "update_test_util.h"
#include "update/zone_sync.h"

namespace tether::update::testing {
namespace {

class TwoNodeTest : public UpdateFixture {
 protected:
  void SetUp() override {
    UpdateFixture::SetUp();
    SetAccess({}, {"127.0.0.0/8"});
    auto info = store_->GetZone(N("example."));
    ASSERT_TRUE(info && *info);
    other_zone_ = std::make_shared<zone::Zone>(N("example."));
    std::vector<zone::NameUpdate> names;
    ASSERT_TRUE(store_->LoadZone((*info)->id, [&](zone::NameUpdate&& name) { names.push_back(std::move(name)); }));
    ASSERT_TRUE(other_zone_->Apply(std::move(names)));
    other_ = std::make_unique<UpdateService>(*store_, UpdateServiceOptions{});
    other_->AddZone((*info)->id, other_zone_, (*info)->journal_seq);
    other_->Start();
    other_registry_.Put(other_zone_);
  }
  void TearDown() override {
    other_->Stop();
    other_.reset();
    UpdateFixture::TearDown();
  }

  // Sends `message` to the other node.
  dns::Rcode SendOther(const std::vector<uint8_t>& message) {
    sockaddr_in peer{};
    peer.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);
    Rfc2136Context context{other_.get(), &access_, &other_registry_, [] { return kNow; }};
    std::promise<std::vector<uint8_t>> promise;
    auto future = promise.get_future();
    HandleUpdateMessage(message, reinterpret_cast<const sockaddr*>(&peer), context,
                        [&promise](std::vector<uint8_t> response) { promise.set_value(std::move(response)); });
    auto parsed = dns::ParseMessage(future.get());
    EXPECT_TRUE(parsed);
    return parsed ? RcodeOf(*parsed) : dns::Rcode::kServFail;
  }

  static bool Has(zone::Zone& zone, const std::string& name, dns::RrType type) {
    for (const auto& rrset : zone.Get(N(name))) {
      if (rrset.type == type) return true;
    }
    return false;
  }

  // Waits (at most 2 s) until the other node's zone has (or lacks) the RRset.
  bool OtherReaches(const std::string& name, dns::RrType type, bool present) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Has(*other_zone_, name, type) == present) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }

  std::shared_ptr<zone::Zone> other_zone_;
  std::unique_ptr<UpdateService> other_;
  zone::ZoneRegistry other_registry_;
};

TEST_F(TwoNodeTest, CatchUpPublishesTheOtherNodesCommits) {
  ASSERT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("a.example.", dns::RrType::kA, "192.0.2.10")}))),
            dns::Rcode::kNoError);
  EXPECT_FALSE(Has(*other_zone_, "a.example.", dns::RrType::kA));
  ASSERT_TRUE(other_->CatchUp(N("example.")));
  EXPECT_TRUE(OtherReaches("a.example.", dns::RrType::kA, true));
  EXPECT_EQ(other_zone_->Get(N("example.")), zone_->Get(N("example.")));  // the same SOA

  ASSERT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {DeleteName("host.example.")}))), dns::Rcode::kNoError);
  ASSERT_TRUE(other_->CatchUp(N("example.")));
  EXPECT_TRUE(OtherReaches("host.example.", dns::RrType::kA, false));
  EXPECT_FALSE(other_->CatchUp(N("nope.example.")));
}

TEST_F(TwoNodeTest, AStaleCommitIsEvaluatedAgainOnTheNewContent) {
  ASSERT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("a.example.", dns::RrType::kA, "192.0.2.10")}))),
            dns::Rcode::kNoError);
  // The other node has not heard of a.example.; its commit is refused as stale, it catches
  // up and commits again.
  EXPECT_EQ(SendOther(BuildUpdate("example.", {}, {Add("b.example.", dns::RrType::kA, "192.0.2.11")})),
            dns::Rcode::kNoError);
  EXPECT_TRUE(Has(*other_zone_, "a.example.", dns::RrType::kA));
  EXPECT_TRUE(Has(*other_zone_, "b.example.", dns::RrType::kA));
  ASSERT_TRUE(service_->CatchUp(N("example.")));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!Has(*zone_, "b.example.", dns::RrType::kA) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_TRUE(Has(*zone_, "b.example.", dns::RrType::kA));
  EXPECT_EQ(other_zone_->Get(N("example.")), zone_->Get(N("example.")));
}

TEST_F(TwoNodeTest, AnUpdateThatChangesNothingIsNotDecidedOnAStaleView) {
  ASSERT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("a.example.", dns::RrType::kA, "192.0.2.10")}))),
            dns::Rcode::kNoError);
  // On the other node's stale view the prerequisite fails and the delete deletes nothing;
  // both are decided on the current content instead.
  EXPECT_EQ(SendOther(BuildUpdate("example.", {RrsetExists("a.example.", dns::RrType::kA)}, {})),
            dns::Rcode::kNoError);
  EXPECT_EQ(SendOther(BuildUpdate("example.", {}, {DeleteRrset("a.example.", dns::RrType::kA)})),
            dns::Rcode::kNoError);
  EXPECT_FALSE(Has(*other_zone_, "a.example.", dns::RrType::kA));
  std::vector<zone::NameUpdate> stored;
  auto info = store_->GetZone(N("example."));
  ASSERT_TRUE(store_->LoadZone((*info)->id, [&](zone::NameUpdate&& name) { stored.push_back(std::move(name)); }));
  for (const auto& name : stored) EXPECT_NE(name.name, N("a.example.")) << "the delete was lost";
}

TEST_F(TwoNodeTest, SyncZoneReloadsEverythingWhenTheJournalNoLongerReachesBack) {
  ASSERT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("a.example.", dns::RrType::kA, "192.0.2.10")}))),
            dns::Rcode::kNoError);
  ASSERT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {DeleteName("host.example.")}))), dns::Rcode::kNoError);
  auto info = store_->GetZone(N("example."));
  ASSERT_TRUE(info && *info);
  // A zone in memory that claims a journal sequence the store has no entries after: as if
  // they were trimmed.
  zone::Zone stale(N("example."));
  ASSERT_TRUE(stale.Apply({{N("example."), zone_->Get(N("example."))},
                           {N("gone.example."), {zone::Rrset{dns::RrType::kA, 60, {Rdata(dns::RrType::kA, "192.0.2.99")}}}}}));
  auto synced = SyncZone(*store_, (*info)->id, stale, (*info)->journal_seq + 5);
  ASSERT_TRUE(synced) << synced.error().message;
  EXPECT_TRUE(synced->full);
  EXPECT_EQ(synced->journal_seq, (*info)->journal_seq);
  EXPECT_TRUE(Has(stale, "a.example.", dns::RrType::kA));
  EXPECT_FALSE(Has(stale, "gone.example.", dns::RrType::kA));
  EXPECT_FALSE(Has(stale, "host.example.", dns::RrType::kA));
}

}  // namespace
}  // namespace tether::update::testing
