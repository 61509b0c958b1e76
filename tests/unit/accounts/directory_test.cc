// Directory: the accounts loaded from the store.
#include "accounts/directory.h"

#include <stdlib.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "store/store.h"

namespace tether::accounts {
namespace {

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

// Regression: Load built each host's key from a name already moved into its entry, so after
// a restart no host was found and every dyndns2 update answered nohost.
TEST(DirectoryTest, HostsLoadedFromTheStoreAreFoundByName) {
  std::string dir = (std::filesystem::temp_directory_path() / "tether-dir-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    store::SqliteOptions options;
    options.path = dir + "/store.db";
    auto opened = store::OpenSqliteStore(options);
    ASSERT_TRUE(opened) << opened.error().message;
    store::Store& store = **opened;
    const dns::Name server = N("ns1.dyn.example.");
    std::vector<uint8_t> ns(server.wire().begin(), server.wire().end());
    std::vector<uint8_t> soa = ns;              // MNAME
    soa.insert(soa.end(), ns.begin(), ns.end());  // RNAME
    soa.resize(soa.size() + 20, 1);              // SERIAL .. MINIMUM
    auto zone = store.CreateZone(
        N("dyn.example."), store::SerialPolicy::kIncrement,
        {{N("dyn.example."), {{dns::RrType::kNs, 60, {ns}}, {dns::RrType::kSoa, 60, {soa}}}}}, {},
        store::ZoneKind::kService);
    ASSERT_TRUE(zone) << zone.error().message;
    store::UserInfo user;
    user.name = "alice";
    auto alice = store.accounts().CreateUser(user);
    ASSERT_TRUE(alice);
    store::HostInfo host;
    host.fqdn = N("home.dyn.example.");
    host.user_id = alice->id;
    host.zone_id = zone->id;
    ASSERT_TRUE(store.accounts().CreateHost(host));

    Directory directory;
    ASSERT_TRUE(directory.Load(store.accounts()));
    auto found = directory.FindHost(N("Home.Dyn.Example."));
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->user_id, alice->id);
    EXPECT_EQ(found->fqdn, N("home.dyn.example."));
  }
  std::filesystem::remove_all(dir);
}

// home.dyn.example., last updated at 1700000000.
store::HostInfo Home() {
  store::HostInfo host;
  host.id = 7;
  host.fqdn = N("home.dyn.example.");
  host.last_update = 1700000000;
  return host;
}

// TouchHost moves a host's last update to the minute and says when it did: only then does
// the history entry ask the store to write it (HistoryEntry::touches_host).
TEST(DirectoryTest, TouchHostSaysWhetherTheLastUpdateMoved) {
  Directory directory;
  const store::HostInfo host = Home();
  directory.PutHost(host);
  EXPECT_FALSE(directory.TouchHost(host, 1700000059));
  EXPECT_EQ(directory.FindHost(N("home.dyn.example."))->last_update, 1700000000);
  store::HostInfo spelled = host;  // the name as a client wrote it
  spelled.fqdn = N("Home.Dyn.Example.");
  EXPECT_TRUE(directory.TouchHost(spelled, 1700000060));
  EXPECT_EQ(directory.FindHost(N("home.dyn.example."))->last_update, 1700000060);
  store::HostInfo away = host;
  away.fqdn = N("away.dyn.example.");
  EXPECT_FALSE(directory.TouchHost(away, 1700000500));
}

// An entry found before the last touch: the table's newer entry decides, since the
// caller's own last update is older than the minute.
TEST(DirectoryTest, TouchHostReadsTheTableWhenTheCallersEntryIsOld) {
  Directory directory;
  const store::HostInfo host = Home();
  directory.PutHost(host);
  EXPECT_TRUE(directory.TouchHost(host, 1700000100));
  // `host` still says 1700000000: the table (1700000100) keeps a touch 30 s later out.
  EXPECT_FALSE(directory.TouchHost(host, 1700000130));
  EXPECT_EQ(directory.FindHost(N("home.dyn.example."))->last_update, 1700000100);
}

}  // namespace
}  // namespace tether::accounts
