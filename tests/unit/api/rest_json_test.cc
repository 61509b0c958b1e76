// The REST API's request parsers: exactly the documented shapes, 400 for a wrong shape and
// 422 for an unacceptable value.
#include "api/rest_json.h"

#include <gtest/gtest.h>

#include "dns/rdata.h"

namespace tether::api {
namespace {

constexpr int64_t kNow = 1800000000;  // 2027-01-15T08:00:00Z

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

template <class T>
unsigned StatusOf(const ApiResult<T>& result) {
  return result ? 0 : result.error().status;
}

TEST(RestJsonTest, HostBodyAcceptsNameWithOrWithoutDotInAnyCase) {
  auto a = ParseHostBody(R"({"name": "Home.Dyn.Example.NET"})");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->name.ToText(), "home.dyn.example.net.");
  auto b = ParseHostBody(R"({"name": "home.dyn.example.net."})");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->name, a->name);
}

TEST(RestJsonTest, MalformedBodiesAre400) {
  EXPECT_EQ(StatusOf(ParseHostBody("")), 400u);
  EXPECT_EQ(StatusOf(ParseHostBody("{")), 400u);
  EXPECT_EQ(StatusOf(ParseHostBody("[]")), 400u);
  EXPECT_EQ(StatusOf(ParseHostBody("\"name\"")), 400u);
  EXPECT_EQ(StatusOf(ParseHostBody("{}")), 400u);                                 // missing field
  EXPECT_EQ(StatusOf(ParseHostBody(R"({"name": 5})")), 400u);                     // wrong type
  EXPECT_EQ(StatusOf(ParseHostBody(R"({"name": "a.b", "extra": 1})")), 400u);     // unknown field
  EXPECT_EQ(StatusOf(ParseHostBody(R"({"name": "a.b"} trailing)")), 400u);
  EXPECT_EQ(StatusOf(ParseHostBody("{\"name\": \"\xff\xfe\"}")), 400u);          // not UTF-8
  EXPECT_EQ(StatusOf(ParseHostBody(R"({"name": "a.b", /* c */ "x": 1})")), 400u);  // no comments
}

TEST(RestJsonTest, RepeatedFieldIsRefusedNotGuessed) {
  auto result = ParseHostBody(R"({"name": "a.dyn.example.", "name": "b.dyn.example."})");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().status, 400u);
  EXPECT_NE(result.error().message.find("twice"), std::string::npos);
}

TEST(RestJsonTest, DeepNestingIsRefusedBeforeParsing) {
  std::string deep = "{\"values\": " + std::string(10000, '[') + std::string(10000, ']') + "}";
  EXPECT_EQ(StatusOf(ParseRecordsBody(deep)), 400u);
  // Brackets inside strings do not count.
  auto ok = ParseRecordsBody(R"({"values": ["\"[[[[[[[[[[\""]})");
  ASSERT_TRUE(ok) << ok.error().message;
}

TEST(RestJsonTest, BadHostNamesAre422) {
  EXPECT_EQ(StatusOf(ParseHostBody(R"({"name": "a..b"})")), 422u);
  EXPECT_EQ(StatusOf(ParseHostBody(R"({"name": "."})")), 422u);
  EXPECT_EQ(StatusOf(ParseHostBody(R"({"name": ""})")), 422u);
  EXPECT_EQ(StatusOf(ParseHostBody(R"({"name": "a\u0000b.example"})")), 422u);
  EXPECT_EQ(StatusOf(ParseHostBody("{\"name\": \"" + std::string(64, 'a') + ".example\"}")), 422u);
}

TEST(RestJsonTest, RecordsBodyTtlAndValues) {
  auto body = ParseRecordsBody(R"({"ttl": 120, "values": ["198.51.100.7", "198.51.100.8"]})");
  ASSERT_TRUE(body);
  EXPECT_EQ(body->ttl, 120u);
  EXPECT_EQ(body->values.size(), 2u);
  auto no_ttl = ParseRecordsBody(R"({"values": ["x"]})");
  ASSERT_TRUE(no_ttl);
  EXPECT_FALSE(no_ttl->ttl);
}

TEST(RestJsonTest, RecordsBodyRefusesBadTtls) {
  EXPECT_EQ(StatusOf(ParseRecordsBody(R"({"ttl": -1, "values": ["x"]})")), 422u);
  EXPECT_EQ(StatusOf(ParseRecordsBody(R"({"ttl": 2147483648, "values": ["x"]})")), 422u);
  EXPECT_EQ(StatusOf(ParseRecordsBody(R"({"ttl": 18446744073709551616, "values": ["x"]})")), 400u);
  EXPECT_EQ(StatusOf(ParseRecordsBody(R"({"ttl": 60.5, "values": ["x"]})")), 400u);
  EXPECT_EQ(StatusOf(ParseRecordsBody(R"({"ttl": "60", "values": ["x"]})")), 400u);
  EXPECT_EQ(StatusOf(ParseRecordsBody(R"({"ttl": null, "values": ["x"]})")), 400u);
}

TEST(RestJsonTest, RecordsBodyRefusesBadValueLists) {
  EXPECT_EQ(StatusOf(ParseRecordsBody(R"({"ttl": 60})")), 400u);
  EXPECT_EQ(StatusOf(ParseRecordsBody(R"({"values": "198.51.100.7"})")), 400u);
  EXPECT_EQ(StatusOf(ParseRecordsBody(R"({"values": [1]})")), 400u);
  EXPECT_EQ(StatusOf(ParseRecordsBody(R"({"values": []})")), 422u);
  EXPECT_EQ(StatusOf(ParseRecordsBody(R"({"values": ["a\nb"]})")), 422u);
  std::string many = R"({"values": [)";
  for (size_t i = 0; i <= kMaxListItems; ++i) many += std::string(i ? "," : "") + "\"x\"";
  EXPECT_EQ(StatusOf(ParseRecordsBody(many + "]}")), 422u);
  EXPECT_EQ(StatusOf(ParseRecordsBody("{\"values\": [\"" + std::string(kMaxValueLength + 1, 'a') + "\"]}")), 422u);
}

TEST(RestJsonTest, RecordTypesAreTheDocumentedSeven) {
  for (const char* text : {"A", "aaaa", "TXT", "MX", "CNAME", "SRV", "caa"}) {
    EXPECT_TRUE(ParseRecordType(text)) << text;
  }
  for (const char* text : {"NS", "SOA", "PTR", "ANY", "TYPE65280", "", "BOGUS", "A "}) {
    auto type = ParseRecordType(text);
    ASSERT_FALSE(type) << text;
    EXPECT_EQ(type.error().status, 422u);
  }
}

TEST(RestJsonTest, ValuesAreRelativeToTheHost) {
  const dns::Name host = N("home.dyn.example.");
  auto mx = ParseRecordValues(dns::RrType::kMx, {"10 mail"}, host);
  ASSERT_TRUE(mx);
  EXPECT_EQ(dns::RdataToText(dns::RrType::kMx, mx->front()), "10 mail.home.dyn.example.");
  auto cname = ParseRecordValues(dns::RrType::kCname, {"@"}, host);
  ASSERT_TRUE(cname);
  EXPECT_EQ(dns::RdataToText(dns::RrType::kCname, cname->front()), "home.dyn.example.");
  auto absolute = ParseRecordValues(dns::RrType::kCname, {"target.example.net."}, host);
  ASSERT_TRUE(absolute);
  EXPECT_EQ(dns::RdataToText(dns::RrType::kCname, absolute->front()), "target.example.net.");
}

TEST(RestJsonTest, BadValuesAre422AndNameTheValue) {
  const dns::Name host = N("home.dyn.example.");
  auto a = ParseRecordValues(dns::RrType::kA, {"198.51.100.7", "300.1.1.1"}, host);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().status, 422u);
  EXPECT_NE(a.error().message.find("values[1]"), std::string::npos);
  EXPECT_FALSE(ParseRecordValues(dns::RrType::kAaaa, {"198.51.100.7"}, host));
  EXPECT_FALSE(ParseRecordValues(dns::RrType::kMx, {"mail"}, host));
  EXPECT_FALSE(ParseRecordValues(dns::RrType::kA, {""}, host));
  EXPECT_FALSE(ParseRecordValues(dns::RrType::kTxt, {"\"unterminated"}, host));
}

TEST(RestJsonTest, CnameTakesExactlyOneValue) {
  auto two = ParseRecordValues(dns::RrType::kCname, {"a.example.", "b.example."}, N("h.example."));
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().status, 422u);
}

TEST(RestJsonTest, TokenBodyAbsentFieldsStayAbsent) {
  auto body = ParseTokenBody("{}", kNow);
  ASSERT_TRUE(body);
  EXPECT_FALSE(body->hosts);
  EXPECT_FALSE(body->types);
  EXPECT_FALSE(body->networks);
  EXPECT_FALSE(body->expires);
}

TEST(RestJsonTest, TokenBodyParsesEveryField) {
  auto body = ParseTokenBody(
      R"({"hosts": ["Home.Dyn.Example"], "types": ["a", "AAAA"], "networks": ["192.0.2.7/24", "2001:db8::1"],
          "expires": "+30d"})",
      kNow);
  ASSERT_TRUE(body) << body.error().message;
  ASSERT_EQ(body->hosts->size(), 1u);
  EXPECT_EQ(body->hosts->front().ToText(), "home.dyn.example.");
  EXPECT_EQ(*body->types, (std::vector<dns::RrType>{dns::RrType::kA, dns::RrType::kAaaa}));
  EXPECT_EQ(*body->networks, (std::vector<std::string>{"192.0.2.0/24", "2001:db8::1/128"}));
  EXPECT_EQ(*body->expires, kNow + 30 * 86400);
  auto never = ParseTokenBody(R"({"expires": null, "hosts": []})", kNow);
  ASSERT_TRUE(never);
  EXPECT_EQ(*never->expires, 0);
  EXPECT_TRUE(never->hosts->empty());
}

TEST(RestJsonTest, TokenBodyRefusesBadValues) {
  EXPECT_EQ(StatusOf(ParseTokenBody(R"({"types": ["ANY"]})", kNow)), 422u);
  EXPECT_EQ(StatusOf(ParseTokenBody(R"({"types": ["BOGUS"]})", kNow)), 422u);
  EXPECT_EQ(StatusOf(ParseTokenBody(R"({"networks": ["192.0.2.0/33"]})", kNow)), 422u);
  EXPECT_EQ(StatusOf(ParseTokenBody(R"({"expires": "2020-01-01"})", kNow)), 422u);  // past
  EXPECT_EQ(StatusOf(ParseTokenBody(R"({"expires": "tomorrow"})", kNow)), 422u);
  EXPECT_EQ(StatusOf(ParseTokenBody(R"({"expires": 1900000000})", kNow)), 400u);
  EXPECT_EQ(StatusOf(ParseTokenBody(R"({"hosts": "a.example"})", kNow)), 400u);
  EXPECT_EQ(StatusOf(ParseTokenBody(R"({"scope": "all"})", kNow)), 400u);
}

TEST(RestJsonTest, HistoryQueryLimit) {
  EXPECT_EQ(*ParseHistoryQuery(""), kDefaultHistoryLimit);
  EXPECT_EQ(*ParseHistoryQuery("limit=5"), 5u);
  EXPECT_EQ(StatusOf(ParseHistoryQuery("limit=0")), 400u);
  EXPECT_EQ(StatusOf(ParseHistoryQuery("limit=1001")), 400u);
  EXPECT_EQ(StatusOf(ParseHistoryQuery("limit=5x")), 400u);
  EXPECT_EQ(StatusOf(ParseHistoryQuery("limit=-1")), 400u);
  EXPECT_EQ(StatusOf(ParseHistoryQuery("limit=1&limit=2")), 400u);
  EXPECT_EQ(StatusOf(ParseHistoryQuery("offset=1")), 400u);
}

TEST(RestJsonTest, RecordsQuerySubname) {
  EXPECT_EQ(*ParseRecordsQuery(""), "");
  EXPECT_EQ(*ParseRecordsQuery("subname=%40"), "");
  EXPECT_EQ(*ParseRecordsQuery("subname=*"), "*");
  EXPECT_EQ(*ParseRecordsQuery("subname=_ACME-challenge"), "_acme-challenge");
  EXPECT_EQ(StatusOf(ParseRecordsQuery("subname=www")), 422u);
  EXPECT_EQ(StatusOf(ParseRecordsQuery("name=*")), 400u);
  EXPECT_EQ(StatusOf(ParseEmptyQuery("x=1")), 400u);
  EXPECT_TRUE(ParseEmptyQuery(""));
}

}  // namespace
}  // namespace tether::api
