// RestApi hosts: list, register, show, delete, history.
#include <gtest/gtest.h>

#include "rest_test_util.h"

namespace tether::api::testing {
namespace {

using RestHostsTest = RestFixture;

TEST_F(RestHostsTest, ListShowsOnlyTheAccountsHostsSorted) {
  MakeHost("zeta.dyn.example.", alice_);
  MakeHost("alpha.dyn.example.", alice_);
  MakeHost("bobs.dyn.example.", bob_);
  Reply reply = Call("GET", "/api/v1/hosts");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  ASSERT_EQ(reply.json["hosts"].size(), 2u);
  EXPECT_EQ(reply.json["hosts"][0]["name"], "alpha.dyn.example.");
  EXPECT_EQ(reply.json["hosts"][1]["name"], "zeta.dyn.example.");
  EXPECT_EQ(reply.json["hosts"][0]["zone"], "dyn.example.");
  EXPECT_EQ(reply.json["hosts"][0]["state"], "active");
  EXPECT_EQ(reply.json["hosts"][0]["last_update"], nullptr);
}

TEST_F(RestHostsTest, HostScopedTokenSeesOnlyItsHosts) {
  MakeHost("one.dyn.example.", alice_);
  MakeHost("two.dyn.example.", alice_);
  std::string token = MakeToken(alice_, {"two.dyn.example."});
  Reply reply = Call("GET", "/api/v1/hosts", "", token);
  ASSERT_EQ(reply.json["hosts"].size(), 1u);
  EXPECT_EQ(reply.json["hosts"][0]["name"], "two.dyn.example.");
  Reply other = Call("GET", "/api/v1/hosts/one.dyn.example", "", token);
  EXPECT_EQ(other.status, 403u);
  EXPECT_EQ(other.ErrorCode(), "forbidden");
}

TEST_F(RestHostsTest, CreateRegistersInStoreAndDirectory) {
  Reply reply = Call("POST", "/api/v1/hosts", R"({"name": "Home.Dyn.Example"})");
  ASSERT_EQ(reply.status, 201u) << reply.body;
  EXPECT_EQ(reply.json["name"], "home.dyn.example.");
  EXPECT_EQ(reply.json["records"], Json::array());
  EXPECT_EQ(reply.json["created"], "2027-01-15T08:00:00Z");
  ASSERT_NE(reply.Header("Location"), nullptr);
  EXPECT_EQ(*reply.Header("Location"), "/api/v1/hosts/home.dyn.example.");
  auto stored = accounts_.GetHost(N("home.dyn.example."));
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->user_id, alice_);
  EXPECT_EQ((*stored)->zone_id, service_zones_["dyn.example."]);
  ASSERT_TRUE(directory_.Host(N("home.dyn.example.")));
  EXPECT_EQ(Call("GET", "/api/v1/hosts/home.dyn.example").status, 200u);
}

TEST_F(RestHostsTest, CreateChecksTheNamePolicy) {
  Reply reserved = Call("POST", "/api/v1/hosts", R"({"name": "www.dyn.example"})");
  EXPECT_EQ(reserved.status, 422u);
  EXPECT_EQ(reserved.ErrorCode(), "invalid");
  EXPECT_EQ(Call("POST", "/api/v1/hosts", R"({"name": "ab.dyn.example"})").status, 422u);     // too short
  EXPECT_EQ(Call("POST", "/api/v1/hosts", R"({"name": "-bad.dyn.example"})").status, 422u);  // RFC 1123
  EXPECT_EQ(Call("POST", "/api/v1/hosts", R"({"name": "a_b.dyn.example"})").status, 422u);
  EXPECT_FALSE(directory_.Host(N("www.dyn.example.")));
}

TEST_F(RestHostsTest, CreateNeedsAServiceZone) {
  EXPECT_EQ(Call("POST", "/api/v1/hosts", R"({"name": "home.static.example"})").status, 422u);
  EXPECT_EQ(Call("POST", "/api/v1/hosts", R"({"name": "home.nowhere.example"})").status, 422u);
  EXPECT_EQ(Call("POST", "/api/v1/hosts", R"({"name": "deep.home.dyn.example"})").status, 422u);
  EXPECT_EQ(Call("POST", "/api/v1/hosts", R"({"name": "example"})").status, 422u);
}

TEST_F(RestHostsTest, CreateRefusesTakenNames) {
  MakeHost("home.dyn.example.", bob_);
  Reply reply = Call("POST", "/api/v1/hosts", R"({"name": "home.dyn.example"})");
  EXPECT_EQ(reply.status, 409u);
  EXPECT_EQ(reply.ErrorCode(), "conflict");
  // Names the operator put in the zone directly are taken too.
  EXPECT_EQ(Call("POST", "/api/v1/hosts", R"({"name": "taken.dyn.example"})").status, 409u);
}

TEST_F(RestHostsTest, CreateEnforcesTheHostLimit) {
  for (const char* name : {"one", "two", "three"}) {
    EXPECT_EQ(Call("POST", "/api/v1/hosts", std::string(R"({"name": ")") + name + R"(.dyn.example"})").status, 201u);
  }
  Reply reply = Call("POST", "/api/v1/hosts", R"({"name": "four.dyn.example"})");
  EXPECT_EQ(reply.status, 403u);
  EXPECT_EQ(reply.ErrorCode(), "forbidden");
  // The account's own limit wins over the policy's default.
  auto user = directory_.UserById(alice_);
  user->host_limit = 4;
  directory_.PutUser(*user);
  EXPECT_EQ(Call("POST", "/api/v1/hosts", R"({"name": "four.dyn.example"})").status, 201u);
}

TEST_F(RestHostsTest, HostScopedTokenCannotCreateHosts) {
  MakeHost("one.dyn.example.", alice_);
  std::string token = MakeToken(alice_, {"one.dyn.example."});
  EXPECT_EQ(Call("POST", "/api/v1/hosts", R"({"name": "new.dyn.example"})", token).status, 403u);
}

TEST_F(RestHostsTest, CreateFailingStoreIs503AndLeavesNoHost) {
  accounts_.fail_writes = true;
  Reply reply = Call("POST", "/api/v1/hosts", R"({"name": "home.dyn.example"})");
  EXPECT_EQ(reply.status, 503u);
  EXPECT_EQ(reply.ErrorCode(), "unavailable");
  EXPECT_FALSE(directory_.Host(N("home.dyn.example.")));
}

TEST_F(RestHostsTest, GetShowsRecordsOfTheHostAndItsChildren) {
  MakeHost("home.dyn.example.", alice_);
  ASSERT_EQ(Call("PUT", "/api/v1/hosts/home.dyn.example/records/A", R"({"values": ["198.51.100.7"]})").status, 200u);
  ASSERT_EQ(Call("PUT", "/api/v1/hosts/home.dyn.example/records/CNAME?subname=*", R"({"values": ["@"]})").status, 200u);
  ASSERT_EQ(Call("PUT", "/api/v1/hosts/home.dyn.example/records/TXT?subname=_acme-challenge",
                 R"({"values": ["\"token-123\""]})")
                .status,
            200u);
  Reply reply = Call("GET", "/api/v1/hosts/HOME.dyn.example.");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const Json& records = reply.json["records"];
  ASSERT_EQ(records.size(), 3u) << reply.body;
  EXPECT_EQ(records[0], Json::parse(R"({"name": "home.dyn.example.", "subname": "", "type": "A", "ttl": 60,
                                        "values": ["198.51.100.7"]})"));
  EXPECT_EQ(records[1]["name"], "*.home.dyn.example.");
  EXPECT_EQ(records[1]["values"][0], "home.dyn.example.");
  EXPECT_EQ(records[2]["name"], "_acme-challenge.home.dyn.example.");
  EXPECT_EQ(records[2]["values"][0], "\"token-123\"");
}

TEST_F(RestHostsTest, OtherAccountsHostIs404LikeAMissingOne) {
  MakeHost("bobs.dyn.example.", bob_);
  Reply theirs = Call("GET", "/api/v1/hosts/bobs.dyn.example");
  Reply missing = Call("GET", "/api/v1/hosts/nobody.dyn.example");
  EXPECT_EQ(theirs.status, 404u);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(Call("DELETE", "/api/v1/hosts/bobs.dyn.example").status, 404u);
  EXPECT_TRUE(directory_.Host(N("bobs.dyn.example.")));
}

TEST_F(RestHostsTest, DeleteRemovesRecordsThenStoreThenDirectory) {
  store::HostInfo host = MakeHost("home.dyn.example.", alice_);
  ASSERT_EQ(Call("PUT", "/api/v1/hosts/home.dyn.example/records/AAAA", R"({"values": ["2001:db8::7"]})").status, 200u);
  ASSERT_EQ(Call("PUT", "/api/v1/hosts/home.dyn.example/records/TXT?subname=_acme-challenge", R"({"values": ["x"]})")
                .status,
            200u);
  Reply reply = Call("DELETE", "/api/v1/hosts/home.dyn.example");
  ASSERT_EQ(reply.status, 204u) << reply.body;
  EXPECT_TRUE(Content("home.dyn.example.").empty());
  EXPECT_TRUE(Content("_acme-challenge.home.dyn.example.").empty());
  EXPECT_FALSE(*accounts_.GetHost(N("home.dyn.example.")));
  EXPECT_FALSE(directory_.Host(N("home.dyn.example.")));
  EXPECT_EQ(Call("GET", "/api/v1/hosts/home.dyn.example").status, 404u);
  (void)host;
}

TEST_F(RestHostsTest, DeleteWithFailingStoreKeepsTheHostVisible) {
  MakeHost("home.dyn.example.", alice_);
  accounts_.fail_writes = true;
  EXPECT_EQ(Call("DELETE", "/api/v1/hosts/home.dyn.example").status, 503u);
  EXPECT_TRUE(directory_.Host(N("home.dyn.example.")));
  accounts_.fail_writes = false;
  EXPECT_EQ(Call("DELETE", "/api/v1/hosts/home.dyn.example").status, 204u);
}

TEST_F(RestHostsTest, TypeScopedTokenCannotDeleteHosts) {
  MakeHost("home.dyn.example.", alice_);
  std::string token = MakeToken(alice_, {}, {dns::RrType::kA});
  EXPECT_EQ(Call("DELETE", "/api/v1/hosts/home.dyn.example", "", token).status, 403u);
  EXPECT_TRUE(directory_.Host(N("home.dyn.example.")));
}

TEST_F(RestHostsTest, HistoryListsChangesNewestFirst) {
  MakeHost("home.dyn.example.", alice_);
  ASSERT_EQ(Call("PUT", "/api/v1/hosts/home.dyn.example/records/A", R"({"values": ["198.51.100.7"]})").status, 200u);
  ASSERT_EQ(Call("PUT", "/api/v1/hosts/home.dyn.example/records/A", R"({"values": ["198.51.100.8"]})").status, 200u);
  ASSERT_EQ(Call("PUT", "/api/v1/hosts/home.dyn.example/records/A", R"({"values": ["198.51.100.8"]})").status, 200u);
  Reply reply = Call("GET", "/api/v1/hosts/home.dyn.example/history");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const Json& entries = reply.json["entries"];
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0]["result"], "nochg");
  EXPECT_EQ(entries[1]["result"], "good");
  EXPECT_EQ(entries[1]["old"], "A 198.51.100.7");
  EXPECT_EQ(entries[1]["new"], "A 198.51.100.8");
  EXPECT_EQ(entries[1]["source"], "192.0.2.10");
  EXPECT_EQ(entries[1]["user_agent"], "rest-test/1.0");
  EXPECT_EQ(entries[1]["time"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(entries[1]["credential"].get<std::string>().rfind("token:", 0), 0u);
  EXPECT_EQ(entries[2]["old"], "-");
  Reply limited = Call("GET", "/api/v1/hosts/home.dyn.example/history?limit=1");
  ASSERT_EQ(limited.json["entries"].size(), 1u);
  EXPECT_EQ(Call("GET", "/api/v1/hosts/home.dyn.example/history?limit=0").status, 400u);
}

}  // namespace
}  // namespace tether::api::testing
