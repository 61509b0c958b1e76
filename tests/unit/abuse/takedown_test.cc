// TakedownEngine on a real SQLite store and update service: previews, the four actions,
// restore, approval, freshness, forced names, and that no unlisted name changes.
#include "abuse/takedown.h"

#include <unistd.h>

#include <filesystem>
#include <future>
#include <map>

#include <gtest/gtest.h>

#include "dns/rdata.h"
#include "update/function_request.h"

namespace tether::abuse {
namespace {

using dns::RrType;
using store::AbuseState;
using store::EnforceAction;

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

zone::Rrset R(RrType type, const std::string& text, uint32_t ttl = 60) {
  return {type, ttl, {*dns::RdataFromString(type, text, dns::Name())}};
}

class TakedownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("tether-takedown-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::SqliteOptions options;
    options.path = (dir_ / "tether.db").string();
    store_ = std::move(*store::OpenSqliteStore(options));
    updates_ = std::make_unique<update::UpdateService>(*store_, update::UpdateServiceOptions{});
    updates_->Start();
    std::vector<zone::NameUpdate> names = {
        {N("dyn.example."),
         {R(RrType::kSoa, "ns1.dyn.example. h.dyn.example. 10 3600 900 604800 60", 3600),
          R(RrType::kNs, "ns1.dyn.example.", 3600)}},
        {N("ns1.dyn.example."), {R(RrType::kA, "192.0.2.250")}},
        {N("static.dyn.example."), {R(RrType::kA, "192.0.2.251")}},
    };
    auto info = store_->CreateZone(N("dyn.example."), store::SerialPolicy::kIncrement, names, nullptr, store::ZoneKind::kService);
    ASSERT_TRUE(info) << info.error().message;
    zone_ = std::make_shared<zone::Zone>(N("dyn.example."));
    ASSERT_TRUE(zone_->Apply(names));
    updates_->AddZone(info->id, zone_, info->journal_seq);
    zone_id_ = info->id;
    alice_ = AddUser("alice");
    bob_ = AddUser("bob");
    AddHost(alice_, "bad1", {R(RrType::kA, "198.51.100.1"), R(RrType::kAaaa, "2001:db8::1")});
    AddHost(alice_, "bad2", {R(RrType::kA, "198.51.100.2")});
    AddHost(alice_, "good", {R(RrType::kA, "198.51.100.3")});
    AddHost(bob_, "other", {R(RrType::kA, "198.51.100.4")});
    // bad1 also has a wildcard and an ACME challenge, as the update API gives them.
    Set("*.bad1.dyn.example.", {R(RrType::kCname, "bad1.dyn.example.")});
    Set("_acme-challenge.bad1.dyn.example.", {R(RrType::kTxt, "\"token\"")});
    ASSERT_TRUE(directory_.Load(store_->accounts()));
    settings_.sinkhole = {"192.0.2.53", "2001:db8::53"};
    settings_.ttl = 30;
    engine_ = std::make_unique<TakedownEngine>(*store_, *updates_, directory_, settings_, [this] { return now_; });
  }
  void TearDown() override {
    engine_.reset();
    updates_->Stop();
    updates_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  int64_t AddUser(const std::string& name) {
    store::UserInfo user;
    user.name = name;
    user.created = now_;
    return store_->accounts().CreateUser(user)->id;
  }
  void AddHost(int64_t user, const std::string& label, std::vector<zone::Rrset> rrsets) {
    store::HostInfo host;
    host.fqdn = N(label + ".dyn.example.");
    host.user_id = user;
    host.zone_id = zone_id_;
    host.last_update = now_ - 3600;
    ASSERT_TRUE(store_->accounts().CreateHost(host));
    Set(host.fqdn.ToText(), std::move(rrsets));
  }
  // Writes a name through the update path, as any update would.
  void Set(const std::string& name, std::vector<zone::Rrset> rrsets) {
    std::promise<update::UpdateOutcome> done;
    auto future = done.get_future();
    ASSERT_TRUE(updates_->Submit(
        N("dyn.example."), std::make_unique<update::FunctionRequest>(
                               [&](update::ZoneView& view) {
                                 view.Set(N(name), rrsets);
                                 return dns::Rcode::kNoError;
                               },
                               [&](const update::UpdateOutcome& outcome) { done.set_value(outcome); })));
    ASSERT_EQ(future.get().rcode, dns::Rcode::kNoError);
  }

  PreviewRequest Request(std::vector<std::string> names, EnforceAction action) {
    PreviewRequest request;
    request.names = std::move(names);
    request.action = action;
    request.reason = "botnet C2";
    request.reference = "case 42";
    request.author = "desk";
    return request;
  }

  // Every name of the zone with its records, to compare before and after.
  std::map<std::string, std::vector<zone::Rrset>> Everything() {
    std::map<std::string, std::vector<zone::Rrset>> all;
    zone_->ForEachName([&](const dns::Name& name, const std::vector<zone::Rrset>& rrsets) {
      all[name.ToText()] = rrsets;
    });
    all.erase("dyn.example.");  // the SOA serial moves
    return all;
  }
  static std::map<std::string, std::vector<zone::Rrset>> Without(std::map<std::string, std::vector<zone::Rrset>> all,
                                                                 const std::string& host) {
    std::erase_if(all, [&](const auto& entry) { return N(entry.first).IsSubdomainOf(N(host)); });
    return all;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<update::UpdateService> updates_;
  std::shared_ptr<zone::Zone> zone_;
  int64_t zone_id_ = 0;
  int64_t alice_ = 0;
  int64_t bob_ = 0;
  accounts::Directory directory_;
  TakedownSettings settings_;
  int64_t now_ = 1800000000;
  std::unique_ptr<TakedownEngine> engine_;
};

TEST_F(TakedownTest, PreviewReportsFoundNotFoundAccountsAndAnswers) {
  auto preview = engine_->Preview(Request({"bad1.dyn.example", "BAD2.dyn.example.", "gone.dyn.example.", "",
                                           "# a comment", "bad1.dyn.example."},
                                          EnforceAction::kSinkhole));
  ASSERT_TRUE(preview) << preview.error().message;
  const std::string& report = preview->report;
  EXPECT_NE(report.find("names listed: 3 (found 2, not found 1)"), std::string::npos) << report;
  EXPECT_NE(report.find("not found (skipped): gone.dyn.example."), std::string::npos);
  EXPECT_NE(report.find("account alice: 2 listed, 1 not listed and not touched: good.dyn.example."),
            std::string::npos);
  EXPECT_NE(report.find("A 192.0.2.53, AAAA 2001:db8::53 (TTL 30)"), std::string::npos);
  EXPECT_NE(report.find("queries/s recently for the whole zone"), std::string::npos);
  EXPECT_EQ(preview->names.size(), 3u);
  EXPECT_EQ(preview->status, store::TakedownStatus::kPreview);
  EXPECT_EQ(Everything().count("bad1.dyn.example."), 1u);  // a preview changes nothing
}

TEST_F(TakedownTest, RefusesApexesWildcardsAndNonHostsUnlessForced) {
  for (const char* name : {"dyn.example.", "*.bad1.dyn.example.", "static.dyn.example."}) {
    auto preview = engine_->Preview(Request({name}, EnforceAction::kNxdomain));
    ASSERT_FALSE(preview) << name;
    EXPECT_EQ(preview.error().code, ErrorCode::kFailedPrecondition);
  }
  auto bad = engine_->Preview(Request({"not a..name"}, EnforceAction::kNxdomain));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  PreviewRequest forced = Request({"static.dyn.example."}, EnforceAction::kNxdomain);
  forced.force = true;
  auto preview = engine_->Preview(forced);
  ASSERT_TRUE(preview) << preview.error().message;
  EXPECT_TRUE(preview->forced);
  auto order = engine_->Apply(preview->id, "desk", false);
  ASSERT_TRUE(order) << order.error().message;
  EXPECT_TRUE(zone_->Get(N("static.dyn.example.")).empty());
  ASSERT_TRUE(engine_->Restore(order->id, "desk", "test"));
  EXPECT_EQ(zone_->Get(N("static.dyn.example.")), std::vector<zone::Rrset>{R(RrType::kA, "192.0.2.251")});
}

TEST_F(TakedownTest, EveryActionChangesOnlyTheListedHostsAndRestoreIsExact) {
  const auto before = Everything();
  for (EnforceAction action :
       {EnforceAction::kNxdomain, EnforceAction::kNodata, EnforceAction::kSinkhole, EnforceAction::kDelegated}) {
    SCOPED_TRACE(store::EnforceActionName(action));
    PreviewRequest request = Request({"bad1.dyn.example."}, action);
    if (action == EnforceAction::kDelegated) request.ns = {"ns1.partner.example", "ns2.partner.example."};
    auto preview = engine_->Preview(request);
    ASSERT_TRUE(preview) << preview.error().message;
    auto order = engine_->Apply(preview->id, "desk", false);
    ASSERT_TRUE(order) << order.error().message;
    EXPECT_EQ(order->status, store::TakedownStatus::kApplied);
    EXPECT_EQ(Without(Everything(), "bad1.dyn.example."), Without(before, "bad1.dyn.example."));
    auto host = directory_.Host(N("bad1.dyn.example."));
    ASSERT_TRUE(host);
    EXPECT_EQ(host->abuse_state, AbuseState::kEnforced);
    EXPECT_EQ(host->abuse_action, action);
    EXPECT_EQ(host->abuse_order, order->id);
    const auto at_host = zone_->Get(N("bad1.dyn.example."));
    switch (action) {
      case EnforceAction::kNxdomain:
        EXPECT_TRUE(at_host.empty());
        EXPECT_TRUE(zone_->Get(N("*.bad1.dyn.example.")).empty());
        break;
      case EnforceAction::kNodata:
        EXPECT_TRUE(at_host.empty());
        EXPECT_EQ(zone_->Get(N("_withheld.bad1.dyn.example.")).size(), 1u);
        break;
      case EnforceAction::kSinkhole:
        EXPECT_EQ(at_host, (std::vector<zone::Rrset>{R(RrType::kA, "192.0.2.53", 30),
                                                     R(RrType::kAaaa, "2001:db8::53", 30)}));
        EXPECT_EQ(zone_->Get(N("*.bad1.dyn.example.")), at_host);  // it had a wildcard
        EXPECT_TRUE(zone_->Get(N("_acme-challenge.bad1.dyn.example.")).empty());
        break;
      case EnforceAction::kDelegated:
        ASSERT_EQ(at_host.size(), 1u);
        EXPECT_EQ(at_host[0].type, RrType::kNs);
        EXPECT_EQ(at_host[0].rdatas.size(), 2u);
        break;
    }
    auto restored = engine_->Restore(order->id, "desk", "test");
    ASSERT_TRUE(restored) << restored.error().message;
    EXPECT_EQ(Everything(), before);
    EXPECT_EQ(directory_.Host(N("bad1.dyn.example."))->abuse_state, AbuseState::kNone);
    auto again = engine_->Restore(order->id, "desk", "twice");
    ASSERT_FALSE(again);
  }
  auto verdict = store_->audit().ReadAudit(0, 100);
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->size(), 8u);  // one apply and one restore per action
  EXPECT_EQ((*verdict)[0].action, "takedown.apply");
  EXPECT_EQ((*verdict)[0].reference, "case 42");
  EXPECT_EQ((*verdict)[0].serial_after, (*verdict)[0].serial_before + 1);
}

TEST_F(TakedownTest, ApplyIsOneSerialForManyHosts) {
  for (int i = 0; i < 40; ++i) {
    AddHost(bob_, "h" + std::to_string(i), {R(RrType::kA, "203.0.113." + std::to_string(i))});
  }
  ASSERT_TRUE(directory_.Load(store_->accounts()));
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back("h" + std::to_string(i) + ".dyn.example.");
  auto preview = engine_->Preview(Request(names, EnforceAction::kNxdomain));
  ASSERT_TRUE(preview);
  EXPECT_NE(preview->report.find("second approver needed"), std::string::npos);
  auto unapproved = engine_->Apply(preview->id, "desk", false);
  ASSERT_FALSE(unapproved);
  EXPECT_NE(unapproved.error().message.find("second approver"), std::string::npos);
  auto self = engine_->Apply(preview->id, "desk", true);
  ASSERT_FALSE(self);
  EXPECT_NE(self.error().message.find("other than the author"), std::string::npos);
  auto order = engine_->Apply(preview->id, "desk2", true);
  ASSERT_TRUE(order) << order.error().message;
  EXPECT_EQ(order->approver, "desk2");
  auto audit = store_->audit().ReadAudit(0, 10);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(audit->back().names.size(), 40u);
  EXPECT_EQ(audit->back().serial_after, audit->back().serial_before + 1);
  EXPECT_EQ(audit->back().actor, "desk2");
}

TEST_F(TakedownTest, StaleOrUsedPreviewsAreRefused) {
  auto preview = engine_->Preview(Request({"bad2.dyn.example."}, EnforceAction::kNxdomain));
  ASSERT_TRUE(preview);
  now_ += 16 * 60;
  auto stale = engine_->Apply(preview->id, "desk", false);
  ASSERT_FALSE(stale);
  EXPECT_NE(stale.error().message.find("minutes old"), std::string::npos);
  preview = engine_->Preview(Request({"bad2.dyn.example."}, EnforceAction::kNxdomain));
  ASSERT_TRUE(engine_->Apply(preview->id, "desk", false));
  EXPECT_FALSE(engine_->Apply(preview->id, "desk", false));  // used
  EXPECT_FALSE(engine_->Apply(preview->id + 100, "desk", false));
}

TEST_F(TakedownTest, ExpiredOrdersAreRestored) {
  PreviewRequest request = Request({"bad2.dyn.example."}, EnforceAction::kNxdomain);
  request.expires = now_ + 60;
  auto preview = engine_->Preview(request);
  ASSERT_TRUE(preview);
  ASSERT_TRUE(engine_->Apply(preview->id, "desk", false));
  EXPECT_EQ(engine_->RestoreExpired(), 0u);
  now_ += 61;
  EXPECT_EQ(engine_->RestoreExpired(), 1u);
  EXPECT_EQ(zone_->Get(N("bad2.dyn.example.")), std::vector<zone::Rrset>{R(RrType::kA, "198.51.100.2")});
}

TEST_F(TakedownTest, AnOrderInterruptedAfterItsSnapshotCanStillBeRestored) {
  auto preview = engine_->Preview(Request({"bad2.dyn.example."}, EnforceAction::kNxdomain));
  ASSERT_TRUE(preview);
  auto order = engine_->Apply(preview->id, "desk", false);
  ASSERT_TRUE(order);
  // As if the server stopped between the snapshot and marking the order applied.
  store::Takedown interrupted = *order;
  interrupted.status = store::TakedownStatus::kApplying;
  ASSERT_TRUE(store_->takedowns().UpdateTakedown(interrupted));
  ASSERT_TRUE(engine_->Restore(order->id, "desk", "recovery"));
  EXPECT_EQ(zone_->Get(N("bad2.dyn.example.")), std::vector<zone::Rrset>{R(RrType::kA, "198.51.100.2")});
}

TEST_F(TakedownTest, RestoreNamesLiftsOnlyThoseNamesAndKeepsTheOrderApplied) {
  const auto before = Everything();
  auto preview = engine_->Preview(Request({"bad1.dyn.example.", "bad2.dyn.example."}, EnforceAction::kNxdomain));
  ASSERT_TRUE(preview);
  auto order = engine_->Apply(preview->id, "desk", false);
  ASSERT_TRUE(order) << order.error().message;

  auto partial = engine_->RestoreNames(order->id, {N("BAD1.dyn.example.")}, "appeal", "appeal 1 reversed");
  ASSERT_TRUE(partial) << partial.error().message;
  EXPECT_EQ(partial->status, store::TakedownStatus::kApplied);
  EXPECT_EQ(Without(Everything(), "bad2.dyn.example."), Without(before, "bad2.dyn.example."));
  EXPECT_TRUE(zone_->Get(N("bad2.dyn.example.")).empty());
  EXPECT_EQ(directory_.Host(N("bad1.dyn.example."))->abuse_state, AbuseState::kNone);
  EXPECT_EQ(directory_.Host(N("bad2.dyn.example."))->abuse_state, AbuseState::kEnforced);
  auto stored = store_->takedowns().GetTakedown(order->id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->status, store::TakedownStatus::kApplied);
  EXPECT_EQ(RestoredNames((*stored)->snapshot), NameSet{N("bad1.dyn.example.")});
  auto rpz = RpzTargetsOf(**stored);
  ASSERT_EQ(rpz.size(), 1u);
  EXPECT_EQ(rpz[0].name, N("bad2.dyn.example."));

  // bad1 is the owner's again: a later change of it survives the order's final restore.
  Set("bad1.dyn.example.", {R(RrType::kA, "198.51.100.77")});
  auto twice = engine_->RestoreNames(order->id, {N("bad1.dyn.example.")}, "appeal", "again");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kNotFound);
  auto rest = engine_->Restore(order->id, "desk", "done");
  ASSERT_TRUE(rest) << rest.error().message;
  EXPECT_EQ(rest->status, store::TakedownStatus::kRestored);
  EXPECT_EQ(zone_->Get(N("bad1.dyn.example.")), std::vector<zone::Rrset>{R(RrType::kA, "198.51.100.77")});
  EXPECT_EQ(zone_->Get(N("bad2.dyn.example.")), std::vector<zone::Rrset>{R(RrType::kA, "198.51.100.2")});
  EXPECT_EQ(directory_.Host(N("bad2.dyn.example."))->abuse_state, AbuseState::kNone);
  auto audit = store_->audit().ReadAudit(0, 10);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 3u);
  EXPECT_EQ((*audit)[1].action, "takedown.restore");
  EXPECT_EQ((*audit)[1].names, std::vector<std::string>{"bad1.dyn.example."});
  EXPECT_EQ((*audit)[2].names, std::vector<std::string>{"bad2.dyn.example."});
}

TEST_F(TakedownTest, RestoreNamesOfTheLastNamesRestoresTheWholeOrder) {
  auto preview = engine_->Preview(Request({"bad2.dyn.example."}, EnforceAction::kSinkhole));
  ASSERT_TRUE(preview);
  auto order = engine_->Apply(preview->id, "desk", false);
  ASSERT_TRUE(order);
  auto restored = engine_->RestoreNames(order->id, {N("bad2.dyn.example.")}, "appeal", "reversed");
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ(restored->status, store::TakedownStatus::kRestored);
  EXPECT_EQ(zone_->Get(N("bad2.dyn.example.")), std::vector<zone::Rrset>{R(RrType::kA, "198.51.100.2")});
  EXPECT_EQ(directory_.Host(N("bad2.dyn.example."))->abuse_state, AbuseState::kNone);
}

TEST_F(TakedownTest, RestoreNamesRefusesNamesTheOrderDoesNotHold) {
  auto preview = engine_->Preview(Request({"bad2.dyn.example."}, EnforceAction::kNxdomain));
  ASSERT_TRUE(preview);
  auto order = engine_->Apply(preview->id, "desk", false);
  ASSERT_TRUE(order);
  auto other = engine_->RestoreNames(order->id, {N("good.dyn.example.")}, "appeal", "x");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  auto not_order = engine_->RestoreNames(preview->id, {N("bad2.dyn.example.")}, "appeal", "x");
  ASSERT_FALSE(not_order);
  EXPECT_EQ(not_order.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(zone_->Get(N("bad2.dyn.example.")).empty());
}

TEST(TakedownSnapshotTest, RoundTripsNamesWithAndWithoutRecords) {
  std::vector<zone::NameUpdate> names = {
      {N("a.dyn.example."), {R(RrType::kA, "192.0.2.1"), R(RrType::kTxt, "\"x y\" \"z\"", 30)}},
      {N("*.a.dyn.example."), {}},
      {N("b.dyn.example."), {R(RrType::kMx, "10 mail.example.")}},
  };
  auto decoded = DecodeSnapshot(EncodeSnapshot(names));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->size(), 3u);
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ((*decoded)[i].name, names[i].name);
    EXPECT_EQ((*decoded)[i].rrsets, names[i].rrsets);
  }
  EXPECT_FALSE(DecodeSnapshot("a.dyn.example. 60 IN A 192.0.2.1\n"));  // no ;owner line
}

}  // namespace
}  // namespace tether::abuse
