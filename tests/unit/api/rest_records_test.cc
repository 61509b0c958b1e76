// RestApi records: RRsets of a host replaced and removed through the update path, answered
// only once durable and published.
#include <gtest/gtest.h>

#include "dns/rdata.h"
#include "rest_test_util.h"
#include "update/function_request.h"

namespace tether::api::testing {
namespace {

const std::string kHostRecords = "/api/v1/hosts/home.dyn.example/records/";

class RestRecordsHostTest : public RestFixture {
 protected:
  void SetUp() override {
    RestFixture::SetUp();
    host_ = MakeHost("home.dyn.example.", alice_);
  }

  uint32_t Serial() {
    for (const auto& rrset : Content("dyn.example.")) {
      if (rrset.type != dns::RrType::kSoa) continue;
      std::string text = dns::RdataToText(dns::RrType::kSoa, rrset.rdatas.front());
      // MNAME RNAME SERIAL ...
      size_t first = text.find(' ');
      size_t second = text.find(' ', first + 1);
      return static_cast<uint32_t>(std::stoul(text.substr(second + 1)));
    }
    return 0;
  }

  store::HostInfo host_;
};

TEST_F(RestRecordsHostTest, PutReplacesTheRrsetAndAnswersWithIt) {
  Reply reply = Call("PUT", kHostRecords + "A", R"({"ttl": 300, "values": ["198.51.100.8", "198.51.100.7"]})");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.json, Json::parse(R"({"name": "home.dyn.example.", "subname": "", "type": "A", "ttl": 300,
                                        "values": ["198.51.100.7", "198.51.100.8"]})"));
  ASSERT_EQ(Content("home.dyn.example.").size(), 1u);
  EXPECT_EQ(Content("home.dyn.example.")[0].rdatas.size(), 2u);
  reply = Call("PUT", kHostRecords + "a", R"({"values": ["198.51.100.9"]})");
  ASSERT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.json["values"], Json::parse(R"(["198.51.100.9"])"));
  EXPECT_EQ(reply.json["ttl"], 60);  // the default
}

TEST_F(RestRecordsHostTest, TtlBelowTheFloorIsRaisedToIt) {
  Reply reply = Call("PUT", kHostRecords + "TXT", R"({"ttl": 1, "values": ["\"v=spf1 -all\""]})");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_EQ(reply.json["ttl"], 60);
  EXPECT_EQ(Content("home.dyn.example.")[0].ttl, 60u);
  RestOptions options;
  options.ttl_floor = 300;
  options.default_ttl = 600;
  MakeApi(options);
  EXPECT_EQ(Call("PUT", kHostRecords + "TXT", R"({"ttl": 120, "values": ["x"]})").json["ttl"], 300);
  EXPECT_EQ(Call("PUT", kHostRecords + "TXT", R"({"values": ["x"]})").json["ttl"], 600);
}

TEST_F(RestRecordsHostTest, EveryDocumentedTypeCanBeSet) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"AAAA", "2001:db8::7"},
      {"MX", "10 mail"},
      {"TXT", "\"hello world\""},
      {"SRV", "0 5 5060 sip.example.net."},
      {"CAA", "0 issue \"letsencrypt.org\""},
  };
  for (const auto& [type, value] : cases) {
    Reply reply = Call("PUT", kHostRecords + type, Json{{"values", {value}}}.dump());
    ASSERT_EQ(reply.status, 200u) << type << ": " << reply.body;
  }
  Reply all = Call("GET", "/api/v1/hosts/home.dyn.example/records");
  ASSERT_EQ(all.status, 200u);
  EXPECT_EQ(all.json["records"].size(), cases.size());
  EXPECT_EQ(Call("GET", kHostRecords + "MX").json["values"][0], "10 mail.home.dyn.example.");
}

TEST_F(RestRecordsHostTest, UnsupportedTypesAre422) {
  for (const char* type : {"NS", "SOA", "PTR", "DNAME", "TYPE99"}) {
    Reply reply = Call("PUT", kHostRecords + type, R"({"values": ["x.example."]})");
    EXPECT_EQ(reply.status, 422u) << type;
  }
  EXPECT_TRUE(Content("home.dyn.example.").empty());
}

TEST_F(RestRecordsHostTest, BadValuesAre422AndChangeNothing) {
  Reply reply = Call("PUT", kHostRecords + "A", R"({"values": ["198.51.100.7", "2001:db8::1"]})");
  EXPECT_EQ(reply.status, 422u);
  EXPECT_NE(reply.json["error"]["message"].get<std::string>().find("values[1]"), std::string::npos);
  EXPECT_TRUE(Content("home.dyn.example.").empty());
}

TEST_F(RestRecordsHostTest, UnknownFieldIs400) {
  EXPECT_EQ(Call("PUT", kHostRecords + "A", R"({"values": ["198.51.100.7"], "type": "A"})").status, 400u);
  EXPECT_EQ(Call("PUT", kHostRecords + "A", "not json").status, 400u);
}

TEST_F(RestRecordsHostTest, CnameCannotJoinOtherData) {
  ASSERT_EQ(Call("PUT", kHostRecords + "A", R"({"values": ["198.51.100.7"]})").status, 200u);
  Reply reply = Call("PUT", kHostRecords + "CNAME", R"({"values": ["elsewhere.example.net."]})");
  EXPECT_EQ(reply.status, 409u);
  EXPECT_EQ(reply.ErrorCode(), "conflict");
  ASSERT_EQ(Content("home.dyn.example.").size(), 1u);
  EXPECT_EQ(Content("home.dyn.example.")[0].type, dns::RrType::kA);
}

TEST_F(RestRecordsHostTest, OtherDataCannotJoinACname) {
  ASSERT_EQ(Call("PUT", kHostRecords + "CNAME", R"({"values": ["elsewhere.example.net."]})").status, 200u);
  EXPECT_EQ(Call("PUT", kHostRecords + "TXT", R"({"values": ["x"]})").status, 409u);
  // Replacing the CNAME itself is fine.
  EXPECT_EQ(Call("PUT", kHostRecords + "CNAME", R"({"values": ["other.example.net."]})").status, 200u);
  EXPECT_EQ(Call("PUT", kHostRecords + "CNAME", R"({"values": ["a.example.", "b.example."]})").status, 422u);
}

TEST_F(RestRecordsHostTest, RefusedChangesAreInTheHistory) {
  ASSERT_EQ(Call("PUT", kHostRecords + "CNAME", R"({"values": ["elsewhere.example.net."]})").status, 200u);
  ASSERT_EQ(Call("PUT", kHostRecords + "A", R"({"values": ["198.51.100.7"]})").status, 409u);
  auto history = accounts_.History();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].result.rfind("refused:", 0), 0u);
}

TEST_F(RestRecordsHostTest, SubnamesAddressTheWildcardAndAcmeNames) {
  Reply acme = Call("PUT", kHostRecords + "TXT?subname=_acme-challenge", R"({"values": ["\"challenge-1\""]})");
  ASSERT_EQ(acme.status, 200u) << acme.body;
  EXPECT_EQ(acme.json["name"], "_acme-challenge.home.dyn.example.");
  EXPECT_EQ(acme.json["subname"], "_acme-challenge");
  EXPECT_EQ(Content("_acme-challenge.home.dyn.example.").size(), 1u);
  EXPECT_TRUE(Content("home.dyn.example.").empty());
  EXPECT_EQ(Call("GET", kHostRecords + "TXT?subname=_acme-challenge").status, 200u);
  EXPECT_EQ(Call("GET", kHostRecords + "TXT").status, 404u);
  EXPECT_EQ(Call("DELETE", kHostRecords + "TXT?subname=_acme-challenge").status, 204u);
  EXPECT_TRUE(Content("_acme-challenge.home.dyn.example.").empty());
  EXPECT_EQ(Call("PUT", kHostRecords + "A?subname=*", R"({"values": ["198.51.100.1"]})").status, 200u);
  EXPECT_EQ(Content("*.home.dyn.example.").size(), 1u);
  EXPECT_EQ(Call("PUT", kHostRecords + "A?subname=mail", R"({"values": ["198.51.100.1"]})").status, 422u);
}

TEST_F(RestRecordsHostTest, DeleteIsIdempotent) {
  ASSERT_EQ(Call("PUT", kHostRecords + "AAAA", R"({"values": ["2001:db8::7"]})").status, 200u);
  EXPECT_EQ(Call("DELETE", kHostRecords + "AAAA").status, 204u);
  EXPECT_TRUE(Content("home.dyn.example.").empty());
  EXPECT_EQ(Call("DELETE", kHostRecords + "AAAA").status, 204u);
  EXPECT_EQ(Call("GET", kHostRecords + "AAAA").status, 404u);
}

TEST_F(RestRecordsHostTest, UnchangedPutCommitsNothing) {
  ASSERT_EQ(Call("PUT", kHostRecords + "A", R"({"values": ["198.51.100.7"]})").status, 200u);
  const uint32_t serial = Serial();
  EXPECT_EQ(Call("PUT", kHostRecords + "A", R"({"values": ["198.51.100.7"]})").status, 200u);
  EXPECT_EQ(Serial(), serial);
  EXPECT_EQ(Call("PUT", kHostRecords + "A", R"({"values": ["198.51.100.8"]})").status, 200u);
  EXPECT_EQ(Serial(), serial + 1);
}

TEST_F(RestRecordsHostTest, TypeScopedTokenChangesOnlyItsTypes) {
  std::string token = MakeToken(alice_, {}, {dns::RrType::kTxt});
  EXPECT_EQ(Call("PUT", kHostRecords + "TXT?subname=_acme-challenge", R"({"values": ["x"]})", token).status, 200u);
  Reply reply = Call("PUT", kHostRecords + "A", R"({"values": ["198.51.100.7"]})", token);
  EXPECT_EQ(reply.status, 403u);
  EXPECT_EQ(reply.ErrorCode(), "forbidden");
  EXPECT_EQ(Call("DELETE", kHostRecords + "A", "", token).status, 403u);
  // Reading is not changing.
  EXPECT_EQ(Call("GET", "/api/v1/hosts/home.dyn.example/records", "", token).status, 200u);
}

TEST_F(RestRecordsHostTest, HostScopedTokenChangesOnlyItsHosts) {
  MakeHost("other.dyn.example.", alice_);
  std::string token = MakeToken(alice_, {"other.dyn.example."});
  EXPECT_EQ(Call("PUT", kHostRecords + "A", R"({"values": ["198.51.100.7"]})", token).status, 403u);
  EXPECT_EQ(Call("PUT", "/api/v1/hosts/other.dyn.example/records/A", R"({"values": ["198.51.100.7"]})", token).status,
            200u);
}

TEST_F(RestRecordsHostTest, OfflineHostTakesNoAddresses) {
  host_.lifecycle = store::Lifecycle::kOffline;
  directory_.PutHost(host_);
  EXPECT_EQ(Call("PUT", kHostRecords + "A", R"({"values": ["198.51.100.7"]})").status, 409u);
  EXPECT_EQ(Call("PUT", kHostRecords + "TXT", R"({"values": ["x"]})").status, 200u);
  host_.lifecycle = store::Lifecycle::kExpired;
  directory_.PutHost(host_);
  EXPECT_EQ(Call("PUT", kHostRecords + "TXT", R"({"values": ["y"]})").status, 409u);
}

TEST_F(RestRecordsHostTest, AnswerComesOnlyAfterTheChangeIsDurableAndPublished) {
  // Hold the zone's updater inside an earlier request, so the PUT waits in its queue.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  ASSERT_TRUE(updates_->Submit(N("dyn.example."),
                               std::make_unique<update::FunctionRequest>(
                                   [&holding, released](update::ZoneView&) {
                                     holding.set_value();
                                     released.wait();
                                     return dns::Rcode::kNoError;
                                   },
                                   [](const update::UpdateOutcome&) {})));
  holding.get_future().wait();

  const int64_t zone_id = service_zones_["dyn.example."];
  std::atomic<bool> answered{false};
  std::promise<std::pair<bool, bool>> seen;  // (journaled, published) when the answer came
  api_->Handle(Request("PUT", kHostRecords + "A", R"({"values": ["198.51.100.42"]})"),
               [&](HttpResponse response) {
                 EXPECT_EQ(response.status, 200u) << response.body;
                 bool journaled = false;
                 auto journal = store_->ReadJournal(zone_id, 0);
                 EXPECT_TRUE(journal.has_value());
                 for (const auto& entry : journal ? *journal : std::vector<store::JournalEntry>{}) {
                   for (const auto& rr : entry.added) journaled |= rr.owner == N("home.dyn.example.");
                 }
                 answered = true;  // before set_value: after it, the test may return
                 seen.set_value({journaled, !Content("home.dyn.example.").empty()});
               });
  // The updater is held: nothing can have been answered, whatever the threads did so far.
  EXPECT_FALSE(answered.load());
  release.set_value();
  auto [journaled, published] = seen.get_future().get();
  EXPECT_TRUE(journaled);
  EXPECT_TRUE(published);
}

// A zone the update path serves but the store does not know: every commit fails.
class RestRecordsBrokenZoneTest : public RestFixture {
 protected:
  void SetUp() override {
    RestFixture::SetUp();
    broken_ = std::make_shared<zone::Zone>(N("broken.example."));
    ASSERT_TRUE(broken_->Apply(
        {{N("broken.example."),
          {zone::Rrset{dns::RrType::kSoa, 3600, {Rdata(dns::RrType::kSoa, "ns1. h. 1 3600 900 604800 60")}}}}}));
    updates_->AddZone(987654, broken_, 0);
    registry_.Put(broken_);
    service_zones_["broken.example."] = 987654;
    MakeHost("home.broken.example.", alice_, "broken.example.");
  }

  std::shared_ptr<zone::Zone> broken_;
};

TEST_F(RestRecordsBrokenZoneTest, FailedCommitIs503AndChangesNothing) {
  Reply reply = Call("PUT", "/api/v1/hosts/home.broken.example/records/A", R"({"values": ["198.51.100.7"]})");
  EXPECT_EQ(reply.status, 503u) << reply.body;
  EXPECT_EQ(reply.ErrorCode(), "unavailable");
  EXPECT_NE(reply.Header("Retry-After"), nullptr);
  EXPECT_TRUE(broken_->Get(N("home.broken.example.")).empty());
  auto history = accounts_.History();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].result, "dnserr");
}

}  // namespace
}  // namespace tether::api::testing
