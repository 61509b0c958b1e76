// RestApi's abuse desk (/api/v1/abuse/): anonymous reports and their limit, who may see and
// change cases, appeals and their reversal, host states, stats, and the desk's checks.
// Takedown orders over REST run against a real tetherd in tests/integration/test_abuse_api.py.
#include <gtest/gtest.h>

#include "abuse/takedown.h"
#include "rest_test_util.h"

namespace tether::api::testing {
namespace {

class RestAbuseTest : public RestFixture {
 protected:
  void SetUp() override {
    RestFixture::SetUp();
    auto carol = accounts_.CreateUser({0, "carol", store::Role::kAbuse, "", 1, kNow - 86400, 0});
    carol_ = carol->id;
    directory_.PutUser(*carol);
    engine_ = std::make_unique<abuse::TakedownEngine>(
        *store_, *updates_, directory_, abuse::TakedownSettings{}, [] { return kNow; });
    MakeAbuseApi(RestOptions{});
    desk_ = MakeToken(carol_);
  }
  void TearDown() override {
    RestFixture::TearDown();  // the API goes first: it holds the engine
    engine_.reset();
  }

  void MakeAbuseApi(RestOptions options) {
    options.now = [] { return kNow; };
    accounts::NamePolicy policy;
    policy.default_host_limit = 3;
    RestServices services{directory_,
                          *authenticator_,
                          accounts_,
                          *updates_,
                          registry_,
                          *pool_,
                          [](const dns::Name&) -> std::optional<int64_t> { return std::nullopt; }};
    services.store = store_.get();
    services.takedowns = engine_.get();
    api_ = std::make_unique<RestApi>(services, policy, options);
  }

  // An anonymous request (no Authorization header) from `address`.
  Reply Anonymous(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& address = "198.51.100.20") {
    HttpRequest request = Request(method, target, body, std::string());
    request.client_address = address;
    return Send(std::move(request));
  }

  static std::string ReportBody(const std::string& name) {
    return Json{{"name", name},
                {"category", "phishing"},
                {"evidence", "https://evidence.example/1\nseen today"},
                {"contact", "cert@example.org"}}
        .dump();
  }

  store::HostInfo Freeze(const std::string& fqdn) {
    store::HostInfo host = *directory_.Host(N(fqdn));
    host.abuse_state = store::AbuseState::kFrozen;
    host.abuse_reason = "spam";
    EXPECT_TRUE(accounts_.SetAbuseState(host.id, host.abuse_state, host.abuse_reason, kNow));
    directory_.PutHost(host);
    return host;
  }

  int64_t carol_ = 0;
  std::string desk_;  // carol's token (role abuse)
  std::unique_ptr<abuse::TakedownEngine> engine_;
};

TEST_F(RestAbuseTest, AnyoneMayReportWithoutAToken) {
  Reply reply = Anonymous("POST", "/api/v1/abuse/reports", ReportBody("Phish.DYN.example"));
  ASSERT_EQ(reply.status, 201u) << reply.body;
  EXPECT_EQ(reply.json["state"], "open");
  const int64_t id = reply.json["id"];
  ASSERT_NE(reply.Header("location"), nullptr);
  EXPECT_EQ(*reply.Header("location"), "/api/v1/abuse/reports/" + std::to_string(id));
  auto stored = store_->cases().GetCase(id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->name, "phish.dyn.example.");
  EXPECT_EQ((*stored)->source, "198.51.100.20");
  EXPECT_EQ((*stored)->evidence, "https://evidence.example/1\nseen today");
}

TEST_F(RestAbuseTest, ReportsAreValidated) {
  EXPECT_EQ(Anonymous("POST", "/api/v1/abuse/reports", ReportBody("bad..name")).status, 422u);
  Json body = Json::parse(ReportBody("x.dyn.example."));
  body["category"] = "annoying";
  EXPECT_EQ(Anonymous("POST", "/api/v1/abuse/reports", body.dump()).status, 422u);
  body = Json::parse(ReportBody("x.dyn.example."));
  body["evidence"] = std::string(9000, 'e');
  EXPECT_EQ(Anonymous("POST", "/api/v1/abuse/reports", body.dump()).status, 422u);
  body = Json::parse(ReportBody("x.dyn.example."));
  body.erase("contact");
  EXPECT_EQ(Anonymous("POST", "/api/v1/abuse/reports", body.dump()).status, 400u);
  body = Json::parse(ReportBody("x.dyn.example."));
  body["extra"] = 1;
  EXPECT_EQ(Anonymous("POST", "/api/v1/abuse/reports", body.dump()).status, 400u);
  auto cases = store_->cases().ListCases(std::nullopt);
  ASSERT_TRUE(cases);
  EXPECT_TRUE(cases->empty());
}

TEST_F(RestAbuseTest, ReportsAreLimitedPerClientAddress) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Anonymous("POST", "/api/v1/abuse/reports", ReportBody("x.dyn.example.")).status, 201u)
        << i;
  }
  Reply limited = Anonymous("POST", "/api/v1/abuse/reports", ReportBody("x.dyn.example."));
  EXPECT_EQ(limited.status, 429u);
  EXPECT_NE(limited.Header("retry-after"), nullptr);
  EXPECT_EQ(
      Anonymous("POST", "/api/v1/abuse/reports", ReportBody("x.dyn.example."), "198.51.100.21")
          .status,
      201u);
}

TEST_F(RestAbuseTest, OnlyTheDeskListsCasesWithTheirTargets) {
  MakeHost("phish.dyn.example.", alice_);
  ASSERT_EQ(Anonymous("POST", "/api/v1/abuse/reports", ReportBody("phish.dyn.example.")).status,
            201u);
  EXPECT_EQ(Call("GET", "/api/v1/abuse/reports").status, 403u);  // alice: role user
  EXPECT_EQ(Anonymous("GET", "/api/v1/abuse/reports", "").status, 401u);
  Reply reply = Call("GET", "/api/v1/abuse/reports?state=open", "", desk_);
  ASSERT_EQ(reply.status, 200u) << reply.body;
  ASSERT_EQ(reply.json["reports"].size(), 1u);
  const Json& report = reply.json["reports"][0];
  EXPECT_EQ(report["name"], "phish.dyn.example.");
  EXPECT_EQ(report["target"]["account"], "alice");
  EXPECT_EQ(report["target"]["abuse"], "none");
  EXPECT_EQ(Call("GET", "/api/v1/abuse/reports?state=closed", "", desk_).json["reports"].size(),
            0u);
  EXPECT_EQ(Call("GET", "/api/v1/abuse/reports?state=maybe", "", desk_).status, 422u);
}

TEST_F(RestAbuseTest, TheDeskMovesACaseAndItsNoteAndNameAreKept) {
  Reply created = Anonymous("POST", "/api/v1/abuse/reports", ReportBody("x.dyn.example."));
  const std::string path =
      "/api/v1/abuse/reports/" + std::to_string(created.json["id"].get<int64_t>());
  EXPECT_EQ(Call("POST", path, R"({"state": "closed"})").status, 403u);
  Reply updated = Call("POST", path, R"({"state": "acting", "note": "order pending"})", desk_);
  ASSERT_EQ(updated.status, 200u) << updated.body;
  EXPECT_EQ(updated.json["state"], "acting");
  EXPECT_EQ(updated.json["updated_by"], "carol");
  EXPECT_EQ(Call("GET", path, "", desk_).json["note"], "order pending");
  EXPECT_EQ(Call("GET", "/api/v1/abuse/reports/999", "", desk_).status, 404u);
  EXPECT_EQ(Call("POST", path, R"({"state": "done"})", desk_).status, 422u);
}

TEST_F(RestAbuseTest, ANarrowDeskTokenCannotActForTheDesk) {
  MakeHost("home.dyn.example.", carol_);
  const std::string narrow = MakeToken(carol_, {"home.dyn.example."});
  EXPECT_EQ(Call("GET", "/api/v1/abuse/reports", "", narrow).status, 403u);
}

TEST_F(RestAbuseTest, AnOwnerAppealsAFrozenHostAndTheDeskReversesIt) {
  MakeHost("home.dyn.example.", alice_);
  MakeHost("cam.dyn.example.", bob_);
  // Not frozen yet: nothing to appeal.
  EXPECT_EQ(
      Call("POST", "/api/v1/abuse/appeals", R"({"name": "home.dyn.example", "text": "?"})").status,
      409u);
  Freeze("home.dyn.example.");
  Freeze("cam.dyn.example.");
  // Bob's host reads as no host to alice.
  EXPECT_EQ(Call("POST", "/api/v1/abuse/appeals", R"({"name": "cam.dyn.example", "text": "mine?"})")
                .status,
            404u);
  Reply filed =
      Call("POST", "/api/v1/abuse/appeals", R"({"name": "home.dyn.example", "text": "cleaned"})");
  ASSERT_EQ(filed.status, 201u) << filed.body;
  EXPECT_EQ(filed.json["decision"], "pending");
  const std::string path =
      "/api/v1/abuse/appeals/" + std::to_string(filed.json["id"].get<int64_t>());
  EXPECT_EQ(
      Call("POST", "/api/v1/abuse/appeals", R"({"name": "home.dyn.example", "text": "again"})")
          .status,
      409u);
  // The owner sees it, and cannot decide it.
  EXPECT_EQ(Call("GET", "/api/v1/abuse/appeals").json["appeals"].size(), 1u);
  EXPECT_EQ(Call("GET", "/api/v1/abuse/appeals", "", MakeToken(bob_)).json["appeals"].size(), 0u);
  EXPECT_EQ(Call("POST", path, R"({"decision": "reverse"})").status, 403u);

  Reply decided = Call("POST", path, R"({"decision": "reverse", "note": "clean now"})", desk_);
  ASSERT_EQ(decided.status, 200u) << decided.body;
  EXPECT_EQ(decided.json["decision"], "reversed");
  EXPECT_EQ(decided.json["decided_by"], "carol");
  EXPECT_EQ(directory_.Host(N("home.dyn.example."))->abuse_state, store::AbuseState::kNone);
  EXPECT_EQ(directory_.Host(N("cam.dyn.example."))->abuse_state, store::AbuseState::kFrozen);
  EXPECT_EQ(Call("POST", path, R"({"decision": "uphold"})", desk_).status, 409u);
  auto audit = store_->audit().ReadAudit(0, 10);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].action, "host.state");
  EXPECT_EQ((*audit)[0].actor, "carol");
  EXPECT_EQ((*audit)[0].reason.rfind("none: appeal ", 0), 0u);
  EXPECT_EQ((*audit)[1].action, "appeal.reverse");
}

TEST_F(RestAbuseTest, TheDeskSetsHostStatesButNotEnforced) {
  MakeHost("home.dyn.example.", alice_);
  Reply set = Call("POST", "/api/v1/abuse/hosts/home.dyn.example",
                   R"({"state": "frozen", "reason": "spam run"})", desk_);
  ASSERT_EQ(set.status, 200u) << set.body;
  EXPECT_EQ(set.json["abuse"], "frozen");
  EXPECT_EQ(directory_.Host(N("home.dyn.example."))->abuse_state, store::AbuseState::kFrozen);
  EXPECT_EQ(Call("GET", "/api/v1/abuse/hosts/home.dyn.example", "", desk_).json["account"],
            "alice");
  EXPECT_EQ(Call("POST", "/api/v1/abuse/hosts/home.dyn.example",
                 R"({"state": "enforced", "reason": "x"})", desk_)
                .status,
            422u);
  EXPECT_EQ(
      Call("POST", "/api/v1/abuse/hosts/home.dyn.example", R"({"state": "none", "reason": "x"})")
          .status,
      403u);
  EXPECT_EQ(Call("GET", "/api/v1/abuse/hosts/nohost.dyn.example", "", desk_).status, 404u);
}

TEST_F(RestAbuseTest, StatsCountTheMonthsReportsActionsAndAppeals) {
  MakeHost("home.dyn.example.", alice_);
  ASSERT_EQ(Anonymous("POST", "/api/v1/abuse/reports", ReportBody("home.dyn.example.")).status,
            201u);
  ASSERT_EQ(Call("POST", "/api/v1/abuse/hosts/home.dyn.example",
                 R"({"state": "frozen", "reason": "r"})", desk_)
                .status,
            200u);
  Reply filed =
      Call("POST", "/api/v1/abuse/appeals", R"({"name": "home.dyn.example", "text": "please"})");
  ASSERT_EQ(filed.status, 201u);
  ASSERT_EQ(Call("POST", "/api/v1/abuse/appeals/" + std::to_string(filed.json["id"].get<int64_t>()),
                 R"({"decision": "uphold"})", desk_)
                .status,
            200u);
  Reply stats = Call("GET", "/api/v1/abuse/stats", "", desk_);  // kNow is in 2027-01
  ASSERT_EQ(stats.status, 200u) << stats.body;
  EXPECT_EQ(stats.json["month"], "2027-01");
  EXPECT_EQ(stats.json["reports"], 1);
  EXPECT_EQ(stats.json["actions"]["host_states"]["frozen"], 1);
  EXPECT_EQ(stats.json["actions"]["by_source"]["carol"], 1);
  EXPECT_EQ(stats.json["median_seconds_to_act"], 0);  // the injected clock stands still
  EXPECT_TRUE(stats.json["median_seconds_to_restore"].is_null());
  EXPECT_EQ(stats.json["appeals"]["filed"], 1);
  EXPECT_EQ(stats.json["appeals"]["upheld"], 1);
  EXPECT_EQ(stats.json["appeals"]["reversed"], 0);
  Reply other = Call("GET", "/api/v1/abuse/stats?month=2026-12", "", desk_);
  ASSERT_EQ(other.status, 200u);
  EXPECT_EQ(other.json["reports"], 0);
  EXPECT_EQ(Call("GET", "/api/v1/abuse/stats?month=2026-13", "", desk_).status, 422u);
  EXPECT_EQ(Call("GET", "/api/v1/abuse/stats").status, 403u);
}

TEST_F(RestAbuseTest, TakedownsNeedTheDeskAndMapEngineErrors) {
  EXPECT_EQ(Call("POST", "/api/v1/abuse/takedowns/preview",
                 R"({"names": ["x.dyn.example."], "action": "nxdomain",
                 "reason": "r"})")
                .status,
            403u);
  // The apex needs force: the engine's failed precondition is 409.
  EXPECT_EQ(Call("POST", "/api/v1/abuse/takedowns/preview",
                 R"({"names": ["dyn.example."], "action": "nxdomain", "reason": "r"})", desk_)
                .status,
            409u);
  EXPECT_EQ(Call("POST", "/api/v1/abuse/takedowns/preview",
                 R"({"names": ["x.dyn.example."], "action": "explode", "reason": "r"})", desk_)
                .status,
            422u);
  EXPECT_EQ(Call("POST", "/api/v1/abuse/takedowns/77/apply", "{}", desk_).status, 404u);
  EXPECT_EQ(Call("GET", "/api/v1/abuse/takedowns", "", desk_).status, 200u);
}

TEST_F(RestAbuseTest, TheRpzFeedNeedsAPolicyZone) {
  EXPECT_EQ(Call("GET", "/api/v1/abuse/feed/rpz.zone", "", desk_).status, 404u);
  EXPECT_EQ(Anonymous("GET", "/api/v1/abuse/feed/rpz.zone", "").status, 404u);
}

}  // namespace
}  // namespace tether::api::testing
