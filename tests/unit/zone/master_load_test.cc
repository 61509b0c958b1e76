// LoadZoneUpdates / LoadZoneFile: grouping and the zone checks.
#include <gtest/gtest.h>

#include "master_test_util.h"
#include "zone/master_file.h"
#include "zone/master_reader.h"

namespace tether::zone {
namespace {

using testing::N;
using testing::Options;
using testing::TempDir;

constexpr std::string_view kHead =
    "$TTL 300\n"
    "@ SOA ns hostmaster 1 7200 3600 1209600 300\n"
    "@ NS ns\n"
    "ns A 192.0.2.53\n";  // lines 1-4

Result<std::vector<NameUpdate>> Load(std::string_view body) {
  std::string text(kHead);
  text += body;
  return LoadZoneUpdatesFromText(text, "zone.db", Options());
}

std::string LoadError(std::string_view body) {
  auto updates = Load(body);
  return updates ? std::string() : updates.error().message;
}

const NameUpdate* Find(const std::vector<NameUpdate>& updates, std::string_view name) {
  for (const auto& update : updates) {
    if (update.name == N(name)) return &update;
  }
  return nullptr;
}

TEST(MasterLoadTest, GroupsRecordsByOwnerAndType) {
  auto updates = Load("www A 192.0.2.2\nmail A 192.0.2.3\nwww A 192.0.2.1\nwww TXT x\n");
  ASSERT_TRUE(updates) << updates.error().message;
  EXPECT_EQ(updates->size(), 4u);  // apex, ns, www, mail
  const NameUpdate* www = Find(*updates, "www.example.com.");
  ASSERT_NE(www, nullptr);
  ASSERT_EQ(www->rrsets.size(), 2u);
  EXPECT_EQ(www->rrsets[0].type, dns::RrType::kA);  // sorted by type
  EXPECT_EQ(www->rrsets[0].rdatas,
            (std::vector<std::vector<uint8_t>>{{192, 0, 2, 1}, {192, 0, 2, 2}}));
  EXPECT_EQ(www->rrsets[1].type, dns::RrType::kTxt);
}

TEST(MasterLoadTest, OwnersAreLowercasedAndMerged) {
  auto updates = Load("WWW A 192.0.2.1\nwww A 192.0.2.2\n");
  ASSERT_TRUE(updates) << updates.error().message;
  const NameUpdate* www = Find(*updates, "www.example.com.");
  ASSERT_NE(www, nullptr);
  EXPECT_EQ(www->rrsets[0].rdatas.size(), 2u);
}

TEST(MasterLoadTest, FirstRecordTtlIsTheRrsetTtl) {
  auto updates = Load("www 10 A 192.0.2.1\nwww 20 A 192.0.2.2\n");
  ASSERT_TRUE(updates) << updates.error().message;
  EXPECT_EQ(Find(*updates, "www.example.com.")->rrsets[0].ttl, 10u);
}

TEST(MasterLoadTest, DuplicateRecordsAreDropped) {
  auto updates = Load("www A 192.0.2.1\nwww A 192.0.2.1\n");
  ASSERT_TRUE(updates) << updates.error().message;
  EXPECT_EQ(Find(*updates, "www.example.com.")->rrsets[0].rdatas.size(), 1u);
}

TEST(MasterLoadTest, NameOutsideTheZoneIsError) {
  EXPECT_EQ(LoadError("www A 192.0.2.1\nwww.example.org. A 192.0.2.2\n"),
            "zone.db:6: name outside zone example.com. (www.example.org.)");
}

TEST(MasterLoadTest, ClassOtherThanInIsError) {
  EXPECT_EQ(LoadError("www CH A 192.0.2.1\n"), "zone.db:5: class CH in a zone of class IN");
}

TEST(MasterLoadTest, MissingSoaIsError) {
  auto updates = LoadZoneUpdatesFromText("@ NS ns\n", "zone.db", Options());
  ASSERT_FALSE(updates);
  EXPECT_EQ(updates.error().message, "zone.db: no SOA record at zone apex example.com.");
}

TEST(MasterLoadTest, SoaBelowTheApexIsError) {
  EXPECT_EQ(LoadError("sub SOA ns hostmaster 1 2 3 4 5\n"),
            "zone.db:5: SOA record at sub.example.com., not at the zone apex example.com.");
}

TEST(MasterLoadTest, SecondSoaIsError) {
  EXPECT_EQ(LoadError("@ SOA ns hostmaster 2 2 3 4 5\n"),
            "zone.db:5: more than one SOA record at example.com.");
}

TEST(MasterLoadTest, MissingApexNsIsError) {
  auto updates = LoadZoneUpdatesFromText("@ 60 SOA ns hostmaster 1 2 3 4 5\nsub NS ns\n", "zone.db",
                                         Options());
  ASSERT_FALSE(updates);
  EXPECT_EQ(updates.error().message, "zone.db: no NS records at zone apex example.com.");
}

TEST(MasterLoadTest, CnameAfterOtherDataIsError) {
  EXPECT_EQ(LoadError("www A 192.0.2.1\nwww CNAME x\n"),
            "zone.db:6: CNAME and other data at www.example.com.");
}

TEST(MasterLoadTest, OtherDataAfterCnameIsError) {
  EXPECT_EQ(LoadError("www CNAME x\nwww TXT y\n"),
            "zone.db:6: CNAME and other data at www.example.com.");
}

TEST(MasterLoadTest, CnameAtTheApexIsError) {
  EXPECT_EQ(LoadError("@ CNAME x\n"), "zone.db:5: CNAME and other data at example.com.");
}

TEST(MasterLoadTest, TwoDifferentCnamesAreError) {
  EXPECT_EQ(LoadError("www CNAME x\nwww CNAME y\n"),
            "zone.db:6: more than one CNAME record at www.example.com.");
}

TEST(MasterLoadTest, RepeatedIdenticalCnameIsOne) {
  auto updates = Load("www CNAME x\nwww CNAME x\n");
  ASSERT_TRUE(updates) << updates.error().message;
  EXPECT_EQ(Find(*updates, "www.example.com.")->rrsets[0].rdatas.size(), 1u);
}

TEST(MasterLoadTest, TwoDifferentDnamesAreError) {
  EXPECT_EQ(LoadError("d DNAME x\nd DNAME y\n"),
            "zone.db:6: more than one DNAME record at d.example.com.");
}

TEST(MasterLoadTest, NameBelowDnameIsError) {
  EXPECT_EQ(LoadError("d DNAME example.net.\nx.y.d A 192.0.2.1\n"),
            "zone.db:6: x.y.d.example.com. is below the DNAME at d.example.com.");
}

TEST(MasterLoadTest, NameBelowDnameIsErrorWhenItComesFirst) {
  EXPECT_EQ(LoadError("x.d A 192.0.2.1\nd DNAME example.net.\n"),
            "zone.db:5: x.d.example.com. is below the DNAME at d.example.com.");
}

TEST(MasterLoadTest, DnameWithDataBesideItIsFine) {
  auto updates = Load("d DNAME example.net.\nd A 192.0.2.1\nsibling A 192.0.2.2\n");
  ASSERT_TRUE(updates) << updates.error().message;
}

TEST(MasterLoadTest, ErrorsInIncludedFilesNameThem) {
  TempDir dir;
  std::string hosts = dir.Write("hosts.db", "ok A 192.0.2.1\nwww.example.org. A 192.0.2.2\n");
  std::string top = dir.Write("zone.db", std::string(kHead) + "$INCLUDE hosts.db\n");
  auto updates = LoadZoneUpdates(top, N("example.com."));
  ASSERT_FALSE(updates);
  EXPECT_TRUE(updates.error().message.starts_with(hosts + ":2: name outside zone"))
      << updates.error().message;
}

TEST(MasterLoadTest, LoadZoneFileBuildsVersionOne) {
  TempDir dir;
  std::string path = dir.Write("zone.db", std::string(kHead) + "WWW A 192.0.2.1\n");
  auto zone = LoadZoneFile(path, N("Example.COM."));
  ASSERT_TRUE(zone) << zone.error().message;
  EXPECT_EQ((*zone)->version(), 1u);
  EXPECT_EQ((*zone)->origin(), N("example.com."));
  auto rrsets = (*zone)->Get(N("www.example.com."));
  ASSERT_EQ(rrsets.size(), 1u);
  EXPECT_EQ(rrsets[0].rdatas[0], (std::vector<uint8_t>{192, 0, 2, 1}));
  EXPECT_EQ((*zone)->Get(N("example.com.")).size(), 2u);
}

TEST(MasterLoadTest, LoadZoneFileReportsReadErrors) {
  auto zone = LoadZoneFile("/nonexistent/zone.db", N("example.com."));
  ASSERT_FALSE(zone);
  EXPECT_EQ(zone.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace tether::zone
