// $INCLUDE (RFC 1035 5.1): paths, origins, nesting and loops, with files in a temporary
// directory.
#include <gtest/gtest.h>

#include "master_test_util.h"
#include "zone/master_file.h"

namespace tether::zone {
namespace {

using testing::N;
using testing::Options;
using testing::TempDir;

Result<std::vector<MasterRecord>> ReadFile(const std::string& path,
                                           const MasterFileOptions& options = Options()) {
  std::vector<MasterRecord> records;
  Status status = ReadMasterFile(path, options, [&](MasterRecord&& record) {
    records.push_back(std::move(record));
    return Ok();
  });
  if (!status) return tl::unexpected(status.error());
  return records;
}

TEST(MasterIncludeTest, IncludesAFileRelativeToTheIncludingFile) {
  TempDir dir;
  dir.Write("sub/hosts.db", "h1 A 192.0.2.1\n");
  std::string top = dir.Write("sub/zone.db", "a A 192.0.2.9\n$INCLUDE hosts.db\nb A 192.0.2.8\n");
  auto records = ReadFile(top);
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[1].owner, N("h1.example.com."));
  EXPECT_EQ((*records)[2].owner, N("b.example.com."));
}

TEST(MasterIncludeTest, AbsolutePathAndQuotedFileName) {
  TempDir dir;
  std::string hosts = dir.Write("my hosts.db", "h1 A 192.0.2.1\n");
  std::string top = dir.Write("zone.db", "$INCLUDE \"" + hosts + "\"\n");
  auto records = ReadFile(top);
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ(records->size(), 1u);
}

TEST(MasterIncludeTest, OriginArgumentAppliesToTheIncludedFileOnly) {
  TempDir dir;
  dir.Write("hosts.db", "h1 A 192.0.2.1\n@ NS ns\n");
  std::string top = dir.Write("zone.db", "$INCLUDE hosts.db dyn\nafter A 192.0.2.2\n");
  auto records = ReadFile(top);
  ASSERT_TRUE(records) << records.error().message;
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].owner, N("h1.dyn.example.com."));
  EXPECT_EQ((*records)[1].owner, N("dyn.example.com."));
  EXPECT_EQ((*records)[2].owner, N("after.example.com."));
}

TEST(MasterIncludeTest, OriginSetInsideTheIncludedFileDoesNotLeak) {
  TempDir dir;
  dir.Write("hosts.db", "$ORIGIN other.org.\nh1 A 192.0.2.1\n");
  std::string top = dir.Write("zone.db", "$INCLUDE hosts.db\nafter A 192.0.2.2\n");
  auto records = ReadFile(top);
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].owner, N("h1.other.org."));
  EXPECT_EQ((*records)[1].owner, N("after.example.com."));
}

TEST(MasterIncludeTest, PreviousOwnerIsRestoredAfterTheInclude) {
  TempDir dir;
  dir.Write("hosts.db", "h1 A 192.0.2.1\n");
  std::string top = dir.Write("zone.db", "www A 192.0.2.9\n$INCLUDE hosts.db\n  A 192.0.2.8\n");
  auto records = ReadFile(top);
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[2].owner, N("www.example.com."));
}

TEST(MasterIncludeTest, DollarTtlCarriesIntoAndOutOfIncludes) {
  TempDir dir;
  dir.Write("hosts.db", "h1 A 192.0.2.1\n$TTL 20\n");
  std::string top = dir.Write("zone.db", "$TTL 10\n$INCLUDE hosts.db\nafter A 192.0.2.2\n");
  auto records = ReadFile(top);
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ((*records)[0].ttl, 10u);
  EXPECT_EQ((*records)[1].ttl, 20u);  // as BIND: $TTL belongs to the whole load
}

TEST(MasterIncludeTest, MissingIncludedFileIsReportedAtTheIncludeLine) {
  TempDir dir;
  std::string top = dir.Write("zone.db", "a A 192.0.2.1\n$INCLUDE missing.db\n");
  auto records = ReadFile(top);
  ASSERT_FALSE(records);
  EXPECT_TRUE(records.error().message.starts_with(top + ":2: cannot open"))
      << records.error().message;
}

TEST(MasterIncludeTest, ErrorsInsideTheIncludedFileNameThatFile) {
  TempDir dir;
  std::string hosts = dir.Write("hosts.db", "h1 A 192.0.2.1\nh2 BOGUS x\n");
  std::string top = dir.Write("zone.db", "$INCLUDE hosts.db\n");
  auto records = ReadFile(top);
  ASSERT_FALSE(records);
  EXPECT_EQ(records.error().message, hosts + ":2: unknown type 'BOGUS'");
}

TEST(MasterIncludeTest, SelfIncludeIsALoopError) {
  TempDir dir;
  std::string top = dir.Write("zone.db", "a A 192.0.2.1\n$INCLUDE zone.db\n");
  auto records = ReadFile(top);
  ASSERT_FALSE(records);
  EXPECT_EQ(records.error().message,
            top + ":2: $INCLUDE loop: '" + dir.path() + "/zone.db' is already being read");
}

TEST(MasterIncludeTest, IndirectLoopIsAnError) {
  TempDir dir;
  std::string a = dir.Write("a.db", "$INCLUDE b.db\n");
  std::string b = dir.Write("b.db", "x A 192.0.2.1\n$INCLUDE ./a.db\n");
  auto records = ReadFile(a);
  ASSERT_FALSE(records);
  EXPECT_TRUE(records.error().message.starts_with(b + ":2: $INCLUDE loop"))
      << records.error().message;
}

TEST(MasterIncludeTest, TheSameFileMayBeIncludedTwiceInSequence) {
  TempDir dir;
  dir.Write("hosts.db", "h1 A 192.0.2.1\n");
  std::string top = dir.Write("zone.db", "$INCLUDE hosts.db\n$INCLUDE hosts.db sub\n");
  auto records = ReadFile(top);
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ(records->size(), 2u);
}

TEST(MasterIncludeTest, NestingDeeperThanTheLimitIsAnError) {
  TempDir dir;
  for (int i = 0; i < 4; ++i) {
    dir.Write(std::to_string(i) + ".db", fmt::format("$INCLUDE {}.db\n", i + 1));
  }
  dir.Write("4.db", "leaf A 192.0.2.1\n");
  MasterFileOptions options = Options();
  options.max_include_depth = 4;
  EXPECT_TRUE(ReadFile(dir.path() + "/0.db", options));
  options.max_include_depth = 3;
  auto records = ReadFile(dir.path() + "/0.db", options);
  ASSERT_FALSE(records);
  EXPECT_EQ(records.error().message, dir.path() + "/3.db:1: $INCLUDE nested deeper than 3");
}

TEST(MasterIncludeTest, DepthZeroRefusesIncludes) {
  MasterFileOptions options = Options();
  options.max_include_depth = 0;
  EXPECT_EQ(testing::ReadError("$INCLUDE /etc/passwd\n", options),
            "zone.db:1: $INCLUDE nested deeper than 0");
}

TEST(MasterIncludeTest, IncludeNeedsAFileName) {
  EXPECT_EQ(testing::ReadError("$INCLUDE\n"),
            "zone.db:1: $INCLUDE takes a file name and an origin");
  EXPECT_EQ(testing::ReadError("$INCLUDE a b c\n"),
            "zone.db:1: $INCLUDE takes a file name and an origin");
}

TEST(MasterIncludeTest, BadIncludeOriginIsError) {
  EXPECT_TRUE(
      testing::ReadError("$INCLUDE x.db a..b\n").starts_with("zone.db:1: bad $INCLUDE origin"));
}

TEST(MasterIncludeTest, IncludingADeviceIsRefused) {
  auto records = testing::ReadAll("$INCLUDE /dev/zero\n");
  ASSERT_FALSE(records);
  EXPECT_NE(records.error().message.find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace tether::zone
