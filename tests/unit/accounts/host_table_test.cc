// HostTable: the Directory's flat table of hosts by lower-case wire name.
#include "accounts/host_table.h"

#include <string>

#include <gtest/gtest.h>

namespace tether::accounts {
namespace {

std::string Key(const dns::Name& name) {
  char buffer[dns::Name::kMaxWire];
  return std::string(name.LowercaseKey(buffer));
}

HostTable::Entry Host(int64_t id, const std::string& text, int64_t user_id = 1) {
  auto host = std::make_shared<store::HostInfo>();
  host->id = id;
  host->fqdn = *dns::Name::FromText(text);
  host->user_id = user_id;
  return host;
}

void Put(HostTable& table, HostTable::Entry entry) {
  const std::string key = Key(entry->fqdn);  // before the entry is moved into the call
  table.Put(key, std::move(entry));
}

int64_t IdOf(const HostTable& table, const std::string& text) {
  const HostTable::Entry* found = table.Find(Key(*dns::Name::FromText(text)));
  return found != nullptr ? (*found)->id : 0;
}

TEST(HostTableTest, EmptyTableFindsNothing) {
  HostTable table;
  EXPECT_EQ(IdOf(table, "a.example."), 0);
}

TEST(HostTableTest, FindsEveryHostAcrossGrowth) {
  HostTable table;
  for (int i = 1; i <= 5000; ++i) Put(table, Host(i, "host" + std::to_string(i) + ".dyn.example."));
  EXPECT_EQ(table.size(), 5000u);
  for (int i = 1; i <= 5000; ++i) ASSERT_EQ(IdOf(table, "host" + std::to_string(i) + ".dyn.example."), i);
  EXPECT_EQ(IdOf(table, "host0.dyn.example."), 0);
  EXPECT_EQ(IdOf(table, "host1.dyn.example.net."), 0);
}

TEST(HostTableTest, LookupIgnoresCase) {
  HostTable table;
  Put(table, Host(7, "Home.Dyn.Example."));
  EXPECT_EQ(IdOf(table, "home.dyn.example."), 7);
  EXPECT_EQ(IdOf(table, "HOME.DYN.EXAMPLE."), 7);
}

TEST(HostTableTest, PutReplacesTheEntryOfTheSameName) {
  HostTable table;
  Put(table, Host(1, "a.example."));
  Put(table, Host(2, "A.example."));
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(IdOf(table, "a.example."), 2);
}

TEST(HostTableTest, EraseIfKeepsTheOthersFindable) {
  HostTable table;
  for (int i = 1; i <= 1000; ++i) Put(table, Host(i, "h" + std::to_string(i) + ".example.", i % 3));
  table.EraseIf([](const store::HostInfo& host) { return host.user_id == 0; });
  EXPECT_EQ(table.size(), 667u);
  for (int i = 1; i <= 1000; ++i) {
    ASSERT_EQ(IdOf(table, "h" + std::to_string(i) + ".example."), i % 3 == 0 ? 0 : i) << i;
  }
  int seen = 0;
  table.ForEach([&](const store::HostInfo&) { ++seen; });
  EXPECT_EQ(seen, 667);
}

TEST(HostTableTest, ClearEmptiesTheTable) {
  HostTable table;
  Put(table, Host(1, "a.example."));
  table.Clear();
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(IdOf(table, "a.example."), 0);
  Put(table, Host(3, "a.example."));
  EXPECT_EQ(IdOf(table, "a.example."), 3);
}

}  // namespace
}  // namespace tether::accounts
