// ReadMasterText / ReadMasterFile: record lines, directives and errors (RFC 1035 5.1).
#include "zone/master_file.h"

#include <gtest/gtest.h>

#include "dns/rdata.h"
#include "master_test_util.h"

namespace tether::zone {
namespace {

using testing::N;
using testing::Options;
using testing::ReadAll;
using testing::ReadError;

std::vector<uint8_t> Ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return {a, b, c, d}; }

std::vector<uint8_t> NameWire(std::string_view name) {
  dns::Name parsed = N(name);
  return {parsed.wire().begin(), parsed.wire().end()};
}

TEST(MasterFileTest, ReadsOwnerTtlClassTypeRdata) {
  auto records = ReadAll("www.example.com. 300 IN A 192.0.2.1\n");
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 1u);
  const MasterRecord& record = (*records)[0];
  EXPECT_EQ(record.owner, N("www.example.com."));
  EXPECT_EQ(record.ttl, 300u);
  EXPECT_EQ(record.klass, 1);
  EXPECT_EQ(record.type, dns::RrType::kA);
  EXPECT_EQ(record.rdata, Ip(192, 0, 2, 1));
}

TEST(MasterFileTest, ClassMayComeBeforeTtl) {
  auto records = ReadAll("www IN 300 A 192.0.2.1\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].ttl, 300u);
  EXPECT_EQ((*records)[0].klass, 1);
}

TEST(MasterFileTest, TtlAndClassAreOptional) {
  auto records = ReadAll("$TTL 120\nwww A 192.0.2.1\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].ttl, 120u);
  EXPECT_EQ((*records)[0].klass, 1);
}

TEST(MasterFileTest, TtlUnitsInRecordsAndDollarTtl) {
  auto records = ReadAll("$TTL 1h30m\na A 192.0.2.1\nb 1W2D A 192.0.2.2\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].ttl, 5400u);
  EXPECT_EQ((*records)[1].ttl, 9 * 86400u);
}

TEST(MasterFileTest, DollarTtlIsUsedAfterAnExplicitTtl) {
  auto records = ReadAll("$TTL 100\na 5 A 192.0.2.1\nb A 192.0.2.2\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[1].ttl, 100u);
}

TEST(MasterFileTest, WithoutDollarTtlTheLastExplicitTtlIsUsed) {
  auto records = ReadAll("a 5 A 192.0.2.1\nb A 192.0.2.2\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[1].ttl, 5u);
}

TEST(MasterFileTest, WithoutAnyTtlTheOptionDefaultIsUsed) {
  MasterFileOptions options = Options();
  options.default_ttl = 77;
  auto records = ReadAll("a A 192.0.2.1\n", options);
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].ttl, 77u);
}

TEST(MasterFileTest, SoaWithoutAnyTtlTakesItsMinimumAsBindDoes) {
  auto records = ReadAll("@ SOA ns hostmaster 1 2 3 4 900\nwww A 192.0.2.1\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].ttl, 900u);
  EXPECT_EQ((*records)[1].ttl, 900u);
}

TEST(MasterFileTest, TtlWithHighBitSetIsZero) {
  auto records = ReadAll("a 2147483648 A 192.0.2.1\n$TTL 4294967295\nb A 192.0.2.2\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].ttl, 0u);  // RFC 2181 8
  EXPECT_EQ((*records)[1].ttl, 0u);
}

TEST(MasterFileTest, OmittedClassIsTheLastOneStated) {
  auto records = ReadAll("a CH A 192.0.2.1\nb A 192.0.2.2\nc CLASS1 A 192.0.2.3\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].klass, 3);
  EXPECT_EQ((*records)[1].klass, 3);
  EXPECT_EQ((*records)[2].klass, 1);
}

TEST(MasterFileTest, BlankOwnerIsThePreviousOwner) {
  auto records = ReadAll("www A 192.0.2.1\n  A 192.0.2.2\n\tTXT hi\n");
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[1].owner, N("www.example.com."));
  EXPECT_EQ((*records)[2].owner, N("www.example.com."));
}

TEST(MasterFileTest, BlankOwnerWithoutPreviousOwnerIsError) {
  EXPECT_EQ(ReadError("  A 192.0.2.1\n"), "zone.db:1: no previous owner name");
}

TEST(MasterFileTest, AtSignIsTheOrigin) {
  auto records = ReadAll("@ NS ns\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].owner, N("example.com."));
  EXPECT_EQ((*records)[0].rdata, NameWire("ns.example.com."));
}

TEST(MasterFileTest, RelativeNamesAreCompletedWithTheOrigin) {
  auto records = ReadAll("mail MX 10 mx1\nabs. CNAME target.example.net.\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].owner, N("mail.example.com."));
  std::vector<uint8_t> mx = {0, 10};
  auto target = NameWire("mx1.example.com.");
  mx.insert(mx.end(), target.begin(), target.end());
  EXPECT_EQ((*records)[0].rdata, mx);
  EXPECT_EQ((*records)[1].owner, N("abs."));
  EXPECT_EQ((*records)[1].rdata, NameWire("target.example.net."));
}

TEST(MasterFileTest, OriginDirectiveChangesTheOrigin) {
  auto records = ReadAll("$ORIGIN sub.example.com.\nwww A 192.0.2.1\n@ NS ns\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].owner, N("www.sub.example.com."));
  EXPECT_EQ((*records)[1].owner, N("sub.example.com."));
  EXPECT_EQ((*records)[1].rdata, NameWire("ns.sub.example.com."));
}

TEST(MasterFileTest, RelativeOriginIsCompletedWithTheCurrentOne) {
  auto records = ReadAll("$ORIGIN sub\nwww A 192.0.2.1\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].owner, N("www.sub.example.com."));
}

TEST(MasterFileTest, SameOwnerTextAfterOriginChangeIsANewName) {
  auto records = ReadAll("www A 192.0.2.1\n$ORIGIN example.net.\nwww A 192.0.2.2\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[1].owner, N("www.example.net."));
}

TEST(MasterFileTest, OwnerCaseIsKept) {
  auto records = ReadAll("WwW A 192.0.2.1\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].owner.ToText(), "WwW.example.com.");
}

TEST(MasterFileTest, OwnerEscapesAreResolved) {
  auto records = ReadAll("a\\.b\\065 A 192.0.2.1\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].owner.FirstLabel(), "a.bA");
}

TEST(MasterFileTest, TypeMnemonicsAnyCaseAndGenericForm) {
  auto records = ReadAll("a a 192.0.2.1\nb Aaaa 2001:db8::1\nc TYPE1 192.0.2.3\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].type, dns::RrType::kA);
  EXPECT_EQ((*records)[1].type, dns::RrType::kAaaa);
  EXPECT_EQ((*records)[2].type, dns::RrType::kA);
  EXPECT_EQ((*records)[2].rdata, Ip(192, 0, 2, 3));
}

TEST(MasterFileTest, GenericRdataForUnknownType) {
  auto records = ReadAll("a TYPE65280 \\# 4 0A000001\nb CLASS1 TYPE65281 \\# 0\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].type, static_cast<dns::RrType>(65280));
  EXPECT_EQ((*records)[0].rdata, Ip(10, 0, 0, 1));
  EXPECT_TRUE((*records)[1].rdata.empty());
}

TEST(MasterFileTest, GenericRdataForKnownType) {
  auto records = ReadAll("a A \\# 4 C0000201\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].rdata, Ip(192, 0, 2, 1));
}

TEST(MasterFileTest, SoaAcrossLinesInParentheses) {
  auto records = ReadAll(
      "@ 3600 IN SOA ns.example.com. hostmaster.example.com. (\n"
      "        2024010101 ; serial\n"
      "        7200       ; refresh\n"
      "        3600 1209600\n"
      "        300 )\n"
      "www A 192.0.2.1\n");
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 2u);
  const auto& soa = (*records)[0].rdata;
  ASSERT_GE(soa.size(), 20u);
  EXPECT_EQ(std::vector<uint8_t>(soa.end() - 4, soa.end()), (std::vector<uint8_t>{0, 0, 1, 44}));
}

TEST(MasterFileTest, QuotedTxtWithEscapes) {
  auto records = ReadAll(R"(t TXT "a \"q\" ; b" plain \065)"
                         "\n");
  ASSERT_TRUE(records) << records.error().message;
  std::string expected = std::string("\x09") + "a \"q\" ; b" + "\x05" + "plain" + "\x01" + "A";
  EXPECT_EQ((*records)[0].rdata, std::vector<uint8_t>(expected.begin(), expected.end()));
}

TEST(MasterFileTest, RecordsArriveInFileOrder) {
  auto records = ReadAll("b A 192.0.2.2\na A 192.0.2.1\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].owner, N("b.example.com."));
  EXPECT_EQ((*records)[1].owner, N("a.example.com."));
}

// ---- errors: "FILE:LINE: reason" ----

TEST(MasterFileTest, BadRdataNamesFileAndLine) {
  std::string error = ReadError("a A 192.0.2.1\n\nb A 1.2.3\n");
  EXPECT_TRUE(error.starts_with("zone.db:3: ")) << error;
  EXPECT_NE(error.find("1.2.3"), std::string::npos) << error;
}

TEST(MasterFileTest, UnbalancedParenthesisNamesFileAndLine) {
  EXPECT_EQ(ReadError("a A 192.0.2.1\n\n@ SOA ns mail ( 1 2 3 4 5\n"),
            "zone.db:3: unbalanced parenthesis");
}

TEST(MasterFileTest, UnbalancedQuotesIsError) {
  EXPECT_EQ(ReadError("t TXT \"abc\n"), "zone.db:1: unbalanced quotes");
}

TEST(MasterFileTest, BadTtlIsError) {
  EXPECT_EQ(ReadError("a 1h30 A 192.0.2.1\n"), "zone.db:1: bad TTL '1h30'");
  EXPECT_EQ(ReadError("$TTL x\n"), "zone.db:1: bad TTL 'x' in $TTL");
  EXPECT_EQ(ReadError("$TTL\n"), "zone.db:1: $TTL takes one TTL");
}

TEST(MasterFileTest, UnknownTypeIsError) {
  EXPECT_EQ(ReadError("a 3600 IN FOO 1\n"), "zone.db:1: unknown type 'FOO'");
  EXPECT_EQ(ReadError("a 3600 3600 A 1\n"), "zone.db:1: unknown type '3600'");
}

TEST(MasterFileTest, MissingTypeIsError) {
  EXPECT_EQ(ReadError("a 3600 IN\n"), "zone.db:1: missing type");
}

TEST(MasterFileTest, QuotedTypeIsError) {
  EXPECT_EQ(ReadError("a \"A\" 1.2.3.4\n"), "zone.db:1: bad type \"A\"");
}

TEST(MasterFileTest, MetaTypeIsError) {
  EXPECT_EQ(ReadError("a ANY \\# 0\n"), "zone.db:1: type ANY cannot appear in a zone");
  EXPECT_EQ(ReadError("a TYPE41 \\# 0\n"), "zone.db:1: type TYPE41 cannot appear in a zone");
}

TEST(MasterFileTest, BadOwnerNameIsError) {
  std::string error = ReadError("a..b A 192.0.2.1\n");
  EXPECT_TRUE(error.starts_with("zone.db:1: bad owner name: ")) << error;
  EXPECT_TRUE(ReadError("\"quoted\" A 192.0.2.1\n").starts_with("zone.db:1: quoted owner"));
}

TEST(MasterFileTest, OverlongOwnerNameIsError) {
  std::string label(63, 'x');
  std::string owner = label + "." + label + "." + label + "." + label + ".";
  EXPECT_TRUE(ReadError(owner + " A 192.0.2.1\n").starts_with("zone.db:1: bad owner name"));
}

TEST(MasterFileTest, UnknownDirectiveIsError) {
  EXPECT_EQ(ReadError("$FOO bar\n"), "zone.db:1: unknown directive '$FOO'");
}

TEST(MasterFileTest, OriginDirectiveNeedsOneName) {
  EXPECT_EQ(ReadError("$ORIGIN\n"), "zone.db:1: $ORIGIN takes one domain name");
  EXPECT_EQ(ReadError("$ORIGIN a. b.\n"), "zone.db:1: $ORIGIN takes one domain name");
  EXPECT_TRUE(ReadError("$ORIGIN a..b.\n").starts_with("zone.db:1: bad $ORIGIN"));
}

TEST(MasterFileTest, DirectivesAreCaseInsensitive) {
  auto records = ReadAll("$origin example.org.\n$ttl 5\na A 192.0.2.1\n");
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].owner, N("a.example.org."));
  EXPECT_EQ((*records)[0].ttl, 5u);
}

TEST(MasterFileTest, SinkErrorStopsReadingAndIsReturned) {
  int calls = 0;
  Status status = ReadMasterText("a A 192.0.2.1\nb A 192.0.2.2\n", "zone.db", Options(),
                                 [&](MasterRecord&&) -> Status {
                                   ++calls;
                                   return InvalidArgument("full");
                                 });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "full");
  EXPECT_EQ(calls, 1);
}

TEST(MasterFileTest, EmptyTextHasNoRecords) {
  auto records = ReadAll("; only a comment\n\n");
  ASSERT_TRUE(records);
  EXPECT_TRUE(records->empty());
}

TEST(MasterFileTest, MissingFileIsIoError) {
  Status status =
      ReadMasterFile("/nonexistent/zone.db", Options(), [](MasterRecord&&) { return Ok(); });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kIo);
  EXPECT_NE(status.error().message.find("/nonexistent/zone.db"), std::string::npos);
}

TEST(MasterFileTest, DirectoryIsNotAZoneFile) {
  testing::TempDir dir;
  Status status = ReadMasterFile(dir.path(), Options(), [](MasterRecord&&) { return Ok(); });
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("not a regular file"), std::string::npos);
}

TEST(MasterFileTest, ReadsAFile) {
  testing::TempDir dir;
  std::string path = dir.Write("zone.db", "www A 192.0.2.1\nbad A x\n");
  std::vector<MasterRecord> records;
  Status status = ReadMasterFile(path, Options(), [&](MasterRecord&& record) {
    records.push_back(std::move(record));
    return Ok();
  });
  ASSERT_FALSE(status);
  EXPECT_TRUE(status.error().message.starts_with(path + ":2: ")) << status.error().message;
  EXPECT_EQ(records.size(), 1u);
}

}  // namespace
}  // namespace tether::zone
