// Accounts in both stores (store/accounts.h): users, hosts, tokens, host credentials
// and history, through Store::accounts().
#include <algorithm>

#include <gtest/gtest.h>

#include "store_test_util.h"
#include "store/sqlite/schema.h"

namespace tether::store::testing {
namespace {

class AccountStoreTest : public AnyStoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    auto created = store_->CreateZone(N("dyn.example."), SerialPolicy::kIncrement, ZoneContent("dyn.example.", 1, 0),
                                      {}, ZoneKind::kService);
    ASSERT_TRUE(created) << created.error().message;
    zone_ = *created;
  }

  AccountStore& accounts() { return store_->accounts(); }

  UserInfo AddUser(const std::string& name, Role role = Role::kUser) {
    UserInfo user;
    user.name = name;
    user.role = role;
    user.password_hash = "$argon2id$" + name;
    user.created = 1700000000;
    user.host_limit = 5;
    auto created = accounts().CreateUser(user);
    EXPECT_TRUE(created) << created.error().message;
    return created ? *created : UserInfo();
  }

  HostInfo AddHost(const UserInfo& user, const std::string& fqdn,
                   std::optional<int64_t> zone_id = std::nullopt) {
    HostInfo host;
    host.fqdn = N(fqdn);
    host.user_id = user.id;
    host.zone_id = zone_id.value_or(zone_.id);
    host.created = 1700000100;
    auto created = accounts().CreateHost(host);
    EXPECT_TRUE(created) << created.error().message;
    return created ? *created : HostInfo();
  }

  TokenInfo AddToken(const UserInfo& user, const std::string& digest) {
    TokenInfo token;
    token.user_id = user.id;
    token.digest = digest;
    token.created = 1700000200;
    auto created = accounts().CreateToken(token);
    EXPECT_TRUE(created) << created.error().message;
    return created ? *created : TokenInfo();
  }

  HostCredentialInfo AddCredential(const HostInfo& host, const std::string& username) {
    HostCredentialInfo credential{0, host.id, username, "digest-of-" + username, 1700000300};
    auto created = accounts().CreateHostCredential(credential);
    EXPECT_TRUE(created) << created.error().message;
    return created ? *created : HostCredentialInfo();
  }

  static HistoryEntry Entry(const HostInfo& host, int64_t time, const std::string& result) {
    return HistoryEntry{0,         host.id,       time,          "192.0.2.1", "ddclient/3.10",
                        "token:1", "A 192.0.2.7", "A 192.0.2.8", result};
  }

  std::vector<HistoryEntry> History(const HostInfo& host, size_t limit = 100) {
    auto history = accounts().ReadHistory(host.id, limit);
    EXPECT_TRUE(history) << history.error().message;
    return history ? *history : std::vector<HistoryEntry>();
  }

  uint64_t VersionOf(const UserInfo& user) {
    auto found = accounts().GetUser(user.id);
    EXPECT_TRUE(found && found->has_value());
    return found && found->has_value() ? (*found)->credential_version : 0;
  }

  ZoneInfo zone_;
};
TETHER_BOTH_STORES(AccountStoreTest);

std::vector<std::string> Names(const std::vector<UserInfo>& users) {
  std::vector<std::string> names;
  for (const auto& user : users) names.push_back(user.name);
  return names;
}

std::vector<std::string> Fqdns(const std::vector<HostInfo>& hosts) {
  std::vector<std::string> names;
  for (const auto& host : hosts) names.push_back(host.fqdn.ToText());
  std::sort(names.begin(), names.end());
  return names;
}

// ---- users ----

TEST_P(AccountStoreTest, CreatedUserIsFoundByIdAndName) {
  UserInfo created = AddUser("alice", Role::kAdmin);
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.credential_version, 1u);

  auto by_id = accounts().GetUser(created.id);
  ASSERT_TRUE(by_id) << by_id.error().message;
  ASSERT_TRUE(by_id->has_value());
  EXPECT_EQ((*by_id)->name, "alice");
  EXPECT_EQ((*by_id)->role, Role::kAdmin);
  EXPECT_EQ((*by_id)->password_hash, "$argon2id$alice");
  EXPECT_EQ((*by_id)->credential_version, 1u);
  EXPECT_EQ((*by_id)->created, 1700000000);
  EXPECT_EQ((*by_id)->host_limit, 5);

  auto by_name = accounts().GetUserByName("alice");
  ASSERT_TRUE(by_name) << by_name.error().message;
  ASSERT_TRUE(by_name->has_value());
  EXPECT_EQ((*by_name)->id, created.id);
}

TEST_P(AccountStoreTest, UnknownUserIsNotFound) {
  AddUser("alice");
  auto by_id = accounts().GetUser(12345);
  ASSERT_TRUE(by_id);
  EXPECT_FALSE(by_id->has_value());
  auto by_name = accounts().GetUserByName("bob");
  ASSERT_TRUE(by_name);
  EXPECT_FALSE(by_name->has_value());
}

TEST_P(AccountStoreTest, DuplicateUserNameFailsWithAlreadyExists) {
  AddUser("alice");
  UserInfo again;
  again.name = "alice";
  auto created = accounts().CreateUser(again);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kAlreadyExists) << created.error().message;
  auto users = accounts().ListUsers();
  ASSERT_TRUE(users);
  EXPECT_EQ(users->size(), 1u);
}

TEST_P(AccountStoreTest, ListUsersReturnsEveryUserByName) {
  AddUser("carol");
  AddUser("alice");
  AddUser("bob", Role::kAbuse);
  auto users = accounts().ListUsers();
  ASSERT_TRUE(users) << users.error().message;
  EXPECT_EQ(Names(*users), (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ((*users)[1].role, Role::kAbuse);
}

TEST_P(AccountStoreTest, SetPasswordHashBumpsCredentialVersion) {
  UserInfo alice = AddUser("alice");
  UserInfo bob = AddUser("bob");
  ASSERT_TRUE(accounts().SetPasswordHash(alice.id, "$argon2id$new"));
  auto found = accounts().GetUser(alice.id);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->password_hash, "$argon2id$new");
  EXPECT_EQ((*found)->credential_version, alice.credential_version + 1);
  ASSERT_TRUE(accounts().SetPasswordHash(alice.id, ""));
  EXPECT_EQ(VersionOf(alice), alice.credential_version + 2);
  EXPECT_EQ(VersionOf(bob), bob.credential_version);
}

TEST_P(AccountStoreTest, DeleteUserRemovesHostsTokensCredentialsAndHistory) {
  UserInfo alice = AddUser("alice");
  UserInfo bob = AddUser("bob");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo office = AddHost(bob, "office.dyn.example.");
  AddToken(alice, "aaaa");
  AddToken(bob, "bbbb");
  AddCredential(home, "home-key");
  AddCredential(office, "office-key");
  accounts().AppendHistory(Entry(home, 1700000500, "good"));
  accounts().AppendHistory(Entry(office, 1700000500, "good"));
  ASSERT_EQ(History(home).size(), 1u);

  auto deleted = accounts().DeleteUser(alice.id);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_TRUE(*deleted);

  auto user = accounts().GetUser(alice.id);
  ASSERT_TRUE(user);
  EXPECT_FALSE(user->has_value());
  auto host = accounts().GetHost(N("home.dyn.example."));
  ASSERT_TRUE(host);
  EXPECT_FALSE(host->has_value());
  auto token = accounts().FindToken("aaaa");
  ASSERT_TRUE(token);
  EXPECT_FALSE(token->has_value());
  auto credential = accounts().FindHostCredential("home-key");
  ASSERT_TRUE(credential);
  EXPECT_FALSE(credential->has_value());
  EXPECT_TRUE(History(home).empty());
  EXPECT_EQ(
      Sql("SELECT count(*) FROM history WHERE host_id = " + std::to_string(home.id)),
      0);

  // Bob keeps everything.
  auto hosts = accounts().ListHosts(std::nullopt);
  ASSERT_TRUE(hosts);
  EXPECT_EQ(Fqdns(*hosts), (std::vector<std::string>{"office.dyn.example."}));
  auto tokens = accounts().ListTokens(std::nullopt);
  ASSERT_TRUE(tokens);
  ASSERT_EQ(tokens->size(), 1u);
  EXPECT_EQ(tokens->front().digest, "bbbb");
  auto credentials = accounts().ListHostCredentials();
  ASSERT_TRUE(credentials);
  ASSERT_EQ(credentials->size(), 1u);
  EXPECT_EQ(credentials->front().username, "office-key");
  EXPECT_EQ(History(office).size(), 1u);
}

TEST_P(AccountStoreTest, DeleteUnknownUserReturnsFalse) {
  UserInfo alice = AddUser("alice");
  auto deleted = accounts().DeleteUser(alice.id + 100);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_FALSE(*deleted);
  ASSERT_TRUE(accounts().DeleteUser(alice.id).value_or(false));
  deleted = accounts().DeleteUser(alice.id);
  ASSERT_TRUE(deleted);
  EXPECT_FALSE(*deleted);
}

// ---- hosts ----

TEST_P(AccountStoreTest, CreatedHostIsFoundByFqdnInAnyCase) {
  UserInfo alice = AddUser("alice");
  HostInfo created = AddHost(alice, "Home.Dyn.Example.");
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.fqdn, N("home.dyn.example."));

  auto found = accounts().GetHost(N("HOME.dyn.example."));
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, created.id);
  EXPECT_EQ((*found)->fqdn.ToText(), "home.dyn.example.");
  EXPECT_EQ((*found)->user_id, alice.id);
  EXPECT_EQ((*found)->zone_id, zone_.id);
  EXPECT_EQ((*found)->lifecycle, Lifecycle::kActive);
  EXPECT_EQ((*found)->created, 1700000100);
  EXPECT_EQ((*found)->last_update, 0);

  auto missing = accounts().GetHost(N("away.dyn.example."));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_P(AccountStoreTest, DuplicateFqdnFailsWithAlreadyExists) {
  UserInfo alice = AddUser("alice");
  UserInfo bob = AddUser("bob");
  AddHost(alice, "home.dyn.example.");
  HostInfo again;
  again.fqdn = N("HOME.dyn.example.");
  again.user_id = bob.id;
  again.zone_id = zone_.id;
  auto created = accounts().CreateHost(again);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kAlreadyExists) << created.error().message;
  auto found = accounts().GetHost(N("home.dyn.example."));
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->user_id, alice.id);
}

TEST_P(AccountStoreTest, HostOfUnknownUserIsRefused) {
  HostInfo host;
  host.fqdn = N("home.dyn.example.");
  host.user_id = 999;
  host.zone_id = zone_.id;
  EXPECT_FALSE(accounts().CreateHost(host));
  auto found = accounts().GetHost(N("home.dyn.example."));
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
}

TEST_P(AccountStoreTest, ListHostsPerUserAndAllAndCountHosts) {
  UserInfo alice = AddUser("alice");
  UserInfo bob = AddUser("bob");
  UserInfo carol = AddUser("carol");
  AddHost(alice, "home.dyn.example.");
  AddHost(alice, "nas.dyn.example.");
  AddHost(bob, "office.dyn.example.");

  auto of_alice = accounts().ListHosts(alice.id);
  ASSERT_TRUE(of_alice) << of_alice.error().message;
  EXPECT_EQ(Fqdns(*of_alice), (std::vector<std::string>{"home.dyn.example.", "nas.dyn.example."}));
  auto of_carol = accounts().ListHosts(carol.id);
  ASSERT_TRUE(of_carol);
  EXPECT_TRUE(of_carol->empty());
  auto all = accounts().ListHosts(std::nullopt);
  ASSERT_TRUE(all);
  EXPECT_EQ(Fqdns(*all), (std::vector<std::string>{"home.dyn.example.", "nas.dyn.example.",
                                                   "office.dyn.example."}));

  EXPECT_EQ(accounts().CountHosts(alice.id).value_or(99), 2u);
  EXPECT_EQ(accounts().CountHosts(bob.id).value_or(99), 1u);
  EXPECT_EQ(accounts().CountHosts(carol.id).value_or(99), 0u);
}

TEST_P(AccountStoreTest, SetLifecycleIsStored) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo nas = AddHost(alice, "nas.dyn.example.");
  for (Lifecycle lifecycle : {Lifecycle::kOffline, Lifecycle::kExpired, Lifecycle::kActive}) {
    ASSERT_TRUE(accounts().SetLifecycle(home.id, lifecycle));
    auto found = accounts().GetHost(home.fqdn);
    ASSERT_TRUE(found && found->has_value());
    EXPECT_EQ((*found)->lifecycle, lifecycle) << LifecycleName(lifecycle);
  }
  ASSERT_TRUE(accounts().SetLifecycle(nas.id, Lifecycle::kExpired));
  auto listed = accounts().ListHosts(alice.id);
  ASSERT_TRUE(listed);
  for (const auto& host : *listed) {
    EXPECT_EQ(host.lifecycle, host.id == nas.id ? Lifecycle::kExpired : Lifecycle::kActive);
  }
}

TEST_P(AccountStoreTest, NewHostHasNoAbuseState) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  auto found = accounts().GetHost(home.fqdn);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->abuse_state, AbuseState::kNone);
  EXPECT_EQ((*found)->abuse_reason, "");
  EXPECT_EQ((*found)->abuse_since, 0);
}

TEST_P(AccountStoreTest, SetAbuseStateStoresStateReasonAndTime) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo nas = AddHost(alice, "nas.dyn.example.");
  int64_t time = 1700000000;
  for (AbuseState state : {AbuseState::kWatch, AbuseState::kFrozen, AbuseState::kNone}) {
    const std::string reason = std::string("case 17: ") + AbuseStateName(state) + ", 'quoted'";
    ASSERT_TRUE(accounts().SetAbuseState(home.id, state, reason, ++time));
    auto found = accounts().GetHost(home.fqdn);
    ASSERT_TRUE(found && found->has_value());
    EXPECT_EQ((*found)->abuse_state, state) << AbuseStateName(state);
    EXPECT_EQ((*found)->abuse_reason, reason);
    EXPECT_EQ((*found)->abuse_since, time);
    EXPECT_EQ((*found)->lifecycle, Lifecycle::kActive);  // a separate state
  }
  ASSERT_TRUE(accounts().SetAbuseState(nas.id, AbuseState::kFrozen, "flux", 1700000100));
  auto listed = accounts().ListHosts(alice.id);
  ASSERT_TRUE(listed);
  for (const auto& host : *listed) {
    EXPECT_EQ(host.abuse_state, host.id == nas.id ? AbuseState::kFrozen : AbuseState::kNone);
  }
  // An unknown host: nothing changes, no error.
  EXPECT_TRUE(accounts().SetAbuseState(nas.id + 100, AbuseState::kFrozen, "x", 1));
}

TEST_P(AccountStoreTest, SetAbuseStatesEnforcesManyHostsWithActionAndOrder) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo nas = AddHost(alice, "nas.dyn.example.");
  HostInfo cam = AddHost(alice, "cam.dyn.example.");
  ASSERT_TRUE(accounts().SetAbuseStates(
      {{home.id, AbuseState::kEnforced, EnforceAction::kSinkhole, 7, "order 7: c2", 1700000300},
       {nas.id, AbuseState::kEnforced, EnforceAction::kDelegated, 7, "order 7: c2", 1700000300},
       {cam.id + 100, AbuseState::kEnforced, EnforceAction::kNodata, 7, "unknown host", 1700000300}}));
  Reopen();
  auto found = accounts().GetHost(nas.fqdn);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->abuse_state, AbuseState::kEnforced);
  EXPECT_EQ((*found)->abuse_action, EnforceAction::kDelegated);
  EXPECT_EQ((*found)->abuse_order, 7);
  EXPECT_EQ((*found)->abuse_reason, "order 7: c2");
  found = accounts().GetHost(cam.fqdn);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->abuse_state, AbuseState::kNone);
  // Back to none: the order goes with the state.
  ASSERT_TRUE(accounts().SetAbuseState(home.id, AbuseState::kNone, "order 7 restored", 1700000400));
  found = accounts().GetHost(home.fqdn);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->abuse_state, AbuseState::kNone);
  EXPECT_EQ((*found)->abuse_order, 0);
}

TEST_P(AccountStoreTest, TakedownsAreStoredUpdatedAndListedNewestFirst) {
  TakedownStore& takedowns = store_->takedowns();
  Takedown preview;
  preview.created = 1700000000;
  preview.author = "desk";
  preview.action = EnforceAction::kDelegated;
  preview.ns = {"ns1.partner.example.", "ns2.partner.example."};
  preview.reason = "botnet\tC2, 'quoted'";
  preview.reference = "case 42";
  preview.expires = 1800000000;
  preview.forced = true;
  preview.names = {"bad1.dyn.example.", "*.dyn.example."};
  preview.report = "line 1\nline 2\n";
  auto stored = takedowns.CreateTakedown(preview);
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_GT(stored->id, 0);
  Takedown order = *stored;
  order.status = TakedownStatus::kApplying;
  order.preview_id = stored->id;
  order.report.clear();
  auto created = takedowns.CreateTakedown(order);
  ASSERT_TRUE(created);
  EXPECT_NE(created->id, stored->id);  // one id sequence for both
  order = *created;
  order.status = TakedownStatus::kApplied;
  order.approver = "desk2";
  order.snapshot = ";owner bad1.dyn.example.\nbad1.dyn.example.\t60\tIN\tA\t192.0.2.1\n";
  order.serials = "dyn.example. 4 5\n";
  order.applied = 1700000060;
  ASSERT_TRUE(takedowns.UpdateTakedown(order));
  ASSERT_TRUE(takedowns.SetTakedownSnapshot(order.id, order.snapshot));
  order.status = TakedownStatus::kRestoring;
  ASSERT_TRUE(takedowns.UpdateTakedown(order));  // leaves the snapshot as it is
  Reopen();
  auto read = store_->takedowns().GetTakedown(order.id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ(**read, order);
  read = store_->takedowns().GetTakedown(preview.id + 1000);
  ASSERT_TRUE(read);
  EXPECT_FALSE(read->has_value());
  auto list = store_->takedowns().ListTakedowns();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, order.id);
  EXPECT_EQ((*list)[0].snapshot, "");  // the list leaves the large fields out
  EXPECT_EQ((*list)[1].names, preview.names);
  Takedown missing = order;
  missing.id = order.id + 1000;
  EXPECT_FALSE(store_->takedowns().UpdateTakedown(missing));
  EXPECT_FALSE(store_->takedowns().SetTakedownSnapshot(missing.id, "x"));
}

TEST_P(AccountStoreTest, ExpiredTakedownsAreTheAppliedOrdersPastTheirExpiry) {
  TakedownStore& takedowns = store_->takedowns();
  auto add = [&](TakedownStatus status, int64_t expires) {
    Takedown takedown;
    takedown.status = status;
    takedown.expires = expires;
    takedown.names = {"bad.dyn.example."};
    auto created = takedowns.CreateTakedown(takedown);
    EXPECT_TRUE(created);
    return created ? created->id : 0;
  };
  const int64_t due = add(TakedownStatus::kApplied, 1700000100);
  add(TakedownStatus::kApplied, 0);            // until restored by hand
  add(TakedownStatus::kApplied, 1700000900);   // not yet
  add(TakedownStatus::kRestored, 1700000100);  // restored already
  add(TakedownStatus::kPreview, 1700000100);
  const int64_t now_due = add(TakedownStatus::kApplied, 1700000200);
  auto expired = takedowns.ExpiredTakedowns(1700000200);
  ASSERT_TRUE(expired) << expired.error().message;
  ASSERT_EQ(expired->size(), 2u);
  EXPECT_EQ((*expired)[0].id, due);  // oldest first
  EXPECT_EQ((*expired)[1].id, now_due);
  EXPECT_EQ((*expired)[0].names, std::vector<std::string>{"bad.dyn.example."});
  EXPECT_EQ((*expired)[0].snapshot, "");  // as the list gives them
}

TEST_P(AccountStoreTest, AbuseStateSurvivesReopen) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  ASSERT_TRUE(accounts().SetAbuseState(home.id, AbuseState::kFrozen, "case 17", 1700000200));
  Reopen();
  auto host = accounts().GetHost(home.fqdn);
  ASSERT_TRUE(host && host->has_value());
  EXPECT_EQ((*host)->abuse_state, AbuseState::kFrozen);
  EXPECT_EQ((*host)->abuse_reason, "case 17");
  EXPECT_EQ((*host)->abuse_since, 1700000200);
}

TEST(AbuseStateTest, NamesRoundTrip) {
  for (AbuseState state : {AbuseState::kNone, AbuseState::kWatch, AbuseState::kFrozen, AbuseState::kEnforced}) {
    EXPECT_EQ(AbuseStateFromName(AbuseStateName(state)), state);
  }
  for (EnforceAction action :
       {EnforceAction::kNxdomain, EnforceAction::kNodata, EnforceAction::kSinkhole, EnforceAction::kDelegated}) {
    EXPECT_EQ(EnforceActionFromName(EnforceActionName(action)), action);
  }
  EXPECT_FALSE(AbuseStateFromName("Frozen"));
  EXPECT_FALSE(EnforceActionFromName("delegate"));
  EXPECT_TRUE(UpdatesRefused(AbuseState::kFrozen));
  EXPECT_TRUE(UpdatesRefused(AbuseState::kEnforced));
  EXPECT_FALSE(UpdatesRefused(AbuseState::kWatch));
  EXPECT_FALSE(UpdatesRefused(AbuseState::kNone));
}

TEST_P(AccountStoreTest, DeleteHostRemovesItsCredentialsAndHistory) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo nas = AddHost(alice, "nas.dyn.example.");
  AddCredential(home, "home-key");
  AddCredential(nas, "nas-key");
  AddToken(alice, "aaaa");
  accounts().AppendHistory(Entry(home, 1700000500, "good"));
  accounts().AppendHistory(Entry(nas, 1700000500, "good"));
  ASSERT_EQ(History(home).size(), 1u);

  auto deleted = accounts().DeleteHost(home.id);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_TRUE(*deleted);
  deleted = accounts().DeleteHost(home.id);
  ASSERT_TRUE(deleted);
  EXPECT_FALSE(*deleted);

  auto found = accounts().GetHost(home.fqdn);
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
  auto credential = accounts().FindHostCredential("home-key");
  ASSERT_TRUE(credential);
  EXPECT_FALSE(credential->has_value());
  EXPECT_TRUE(History(home).empty());
  EXPECT_EQ(
      Sql("SELECT count(*) FROM history WHERE host_id = " + std::to_string(home.id)),
      0);

  // The user, their token and their other host stay.
  EXPECT_TRUE(accounts().GetUser(alice.id).value_or(std::nullopt).has_value());
  EXPECT_TRUE(accounts().FindToken("aaaa").value_or(std::nullopt).has_value());
  EXPECT_EQ(accounts().CountHosts(alice.id).value_or(99), 1u);
  EXPECT_TRUE(accounts().FindHostCredential("nas-key").value_or(std::nullopt).has_value());
  EXPECT_EQ(History(nas).size(), 1u);
}

// SQLite gave the next host a removed newest host's id (max(id) + 1), and with it the history
// entries still queued for that id: another user's sources and agents in its history.
TEST_P(AccountStoreTest, RemovedHostsIdIsNeverReusedNorItsQueuedHistory) {
  UserInfo alice = AddUser("alice");
  UserInfo bob = AddUser("bob");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo nas = AddHost(alice, "nas.dyn.example.");  // the newest host
  accounts().AppendHistory(Entry(nas, 1700000500, "good"));  // queued, not yet flushed
  auto deleted = accounts().DeleteHost(nas.id);
  ASSERT_TRUE(deleted && *deleted);

  HostInfo next = AddHost(bob, "next.dyn.example.");
  EXPECT_GT(next.id, nas.id);
  EXPECT_TRUE(History(next).empty());
  EXPECT_EQ(Sql("SELECT count(*) FROM history"), 0);

  // Also across a restart, and after the newest host of all is gone again.
  ASSERT_TRUE(accounts().DeleteHost(next.id).value_or(false));
  Reopen();
  HostInfo later = AddHost(bob, "later.dyn.example.");
  EXPECT_GT(later.id, next.id);
  EXPECT_GT(later.id, home.id);
}

// The same for accounts, tokens and host credentials. An account removed and made again
// under its name must not take the old id: a cached proof of the old password names the
// account by id and credential version (Authenticator), and both would have matched.
TEST_P(AccountStoreTest, RemovedAccountsIdsAreNeverReused) {
  UserInfo alice = AddUser("alice");  // the newest account
  HostInfo home = AddHost(alice, "home.dyn.example.");
  TokenInfo token = AddToken(alice, "aaaa");
  HostCredentialInfo key = AddCredential(home, "home-key");
  ASSERT_TRUE(accounts().DeleteUser(alice.id).value_or(false));
  Reopen();

  UserInfo again = AddUser("alice");
  EXPECT_GT(again.id, alice.id);
  HostInfo home_again = AddHost(again, "home.dyn.example.");
  EXPECT_GT(home_again.id, home.id);
  EXPECT_GT(AddToken(again, "bbbb").id, token.id);
  EXPECT_GT(AddCredential(home_again, "home-key").id, key.id);
}

// ---- tokens ----

TEST_P(AccountStoreTest, TokenIsFoundByDigestWithItsLists) {
  UserInfo alice = AddUser("alice");
  TokenInfo token;
  token.user_id = alice.id;
  token.digest = std::string(64, 'a');
  token.hosts = {N("home.dyn.example."), N("nas.dyn.example.")};
  token.types = {dns::RrType::kA, dns::RrType::kAaaa, dns::RrType::kTxt};
  token.networks = {"192.0.2.0/24", "2001:db8::/32"};
  token.expires = 1800000000;
  token.created = 1700000200;
  auto created = accounts().CreateToken(token);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(created->id, 0);
  EXPECT_FALSE(created->revoked);

  auto found = accounts().FindToken(std::string(64, 'a'));
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  const TokenInfo& stored = **found;
  EXPECT_EQ(stored.id, created->id);
  EXPECT_EQ(stored.user_id, alice.id);
  EXPECT_EQ(stored.digest, token.digest);
  EXPECT_EQ(stored.hosts, token.hosts);
  EXPECT_EQ(stored.types, token.types);
  EXPECT_EQ(stored.networks, token.networks);
  EXPECT_EQ(stored.expires, 1800000000);
  EXPECT_EQ(stored.created, 1700000200);
  EXPECT_FALSE(stored.revoked);
}

TEST_P(AccountStoreTest, TokenWithEmptyListsKeepsThemEmpty) {
  UserInfo alice = AddUser("alice");
  AddToken(alice, "bbbb");
  auto found = accounts().FindToken("bbbb");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_TRUE((*found)->hosts.empty());
  EXPECT_TRUE((*found)->types.empty());
  EXPECT_TRUE((*found)->networks.empty());
  EXPECT_EQ((*found)->expires, 0);
}

TEST_P(AccountStoreTest, UnknownTokenDigestIsNotFound) {
  UserInfo alice = AddUser("alice");
  AddToken(alice, "aaaa");
  auto found = accounts().FindToken("AAAA");
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
}

TEST_P(AccountStoreTest, DuplicateTokenDigestFailsWithAlreadyExists) {
  UserInfo alice = AddUser("alice");
  UserInfo bob = AddUser("bob");
  AddToken(alice, "aaaa");
  TokenInfo again;
  again.user_id = bob.id;
  again.digest = "aaaa";
  auto created = accounts().CreateToken(again);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kAlreadyExists) << created.error().message;
}

TEST_P(AccountStoreTest, ListTokensPerUserAndAll) {
  UserInfo alice = AddUser("alice");
  UserInfo bob = AddUser("bob");
  AddToken(alice, "a1");
  AddToken(alice, "a2");
  AddToken(bob, "b1");
  auto of_alice = accounts().ListTokens(alice.id);
  ASSERT_TRUE(of_alice) << of_alice.error().message;
  ASSERT_EQ(of_alice->size(), 2u);
  for (const auto& token : *of_alice) EXPECT_EQ(token.user_id, alice.id);
  auto all = accounts().ListTokens(std::nullopt);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
}

TEST_P(AccountStoreTest, RevokeTokenMarksItRevokedAndBumpsOwnersVersion) {
  UserInfo alice = AddUser("alice");
  UserInfo bob = AddUser("bob");
  TokenInfo token = AddToken(alice, "aaaa");
  TokenInfo other = AddToken(alice, "a2");

  auto revoked = accounts().RevokeToken(token.id);
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_TRUE(*revoked);

  auto found = accounts().FindToken("aaaa");
  ASSERT_TRUE(found && found->has_value());
  EXPECT_TRUE((*found)->revoked);
  auto untouched = accounts().FindToken("a2");
  ASSERT_TRUE(untouched && untouched->has_value());
  EXPECT_EQ((*untouched)->id, other.id);
  EXPECT_FALSE((*untouched)->revoked);
  EXPECT_EQ(VersionOf(alice), alice.credential_version + 1);
  EXPECT_EQ(VersionOf(bob), bob.credential_version);
}

TEST_P(AccountStoreTest, RevokeUnknownTokenReturnsFalseAndBumpsNothing) {
  UserInfo alice = AddUser("alice");
  TokenInfo token = AddToken(alice, "aaaa");
  auto revoked = accounts().RevokeToken(token.id + 100);
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_FALSE(*revoked);
  EXPECT_EQ(VersionOf(alice), alice.credential_version);
}

// ---- host credentials ----

TEST_P(AccountStoreTest, HostCredentialIsFoundByUsernameAndListed) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo nas = AddHost(alice, "nas.dyn.example.");
  HostCredentialInfo created = AddCredential(home, "home-key");
  AddCredential(nas, "nas-key");
  EXPECT_GT(created.id, 0);

  auto found = accounts().FindHostCredential("home-key");
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, created.id);
  EXPECT_EQ((*found)->host_id, home.id);
  EXPECT_EQ((*found)->username, "home-key");
  EXPECT_EQ((*found)->digest, "digest-of-home-key");
  EXPECT_EQ((*found)->created, 1700000300);

  auto missing = accounts().FindHostCredential("other-key");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());

  auto listed = accounts().ListHostCredentials();
  ASSERT_TRUE(listed) << listed.error().message;
  std::vector<std::string> usernames;
  for (const auto& credential : *listed) usernames.push_back(credential.username);
  std::sort(usernames.begin(), usernames.end());
  EXPECT_EQ(usernames, (std::vector<std::string>{"home-key", "nas-key"}));
}

TEST_P(AccountStoreTest, DuplicateCredentialUsernameFailsWithAlreadyExists) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  AddCredential(home, "home-key");
  auto created = accounts().CreateHostCredential({0, home.id, "home-key", "other", 1});
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kAlreadyExists) << created.error().message;
}

// ---- history ----

TEST_P(AccountStoreTest, ReadHistorySeesWhatWasAppendedBeforeIt) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  accounts().AppendHistory(Entry(home, 1700000500, "nochg"));
  auto history = History(home);
  ASSERT_EQ(history.size(), 1u);
  const HistoryEntry& entry = history.front();
  EXPECT_GT(entry.id, 0);
  EXPECT_EQ(entry.host_id, home.id);
  EXPECT_EQ(entry.time, 1700000500);
  EXPECT_EQ(entry.source, "192.0.2.1");
  EXPECT_EQ(entry.user_agent, "ddclient/3.10");
  EXPECT_EQ(entry.credential, "token:1");
  EXPECT_EQ(entry.old_value, "A 192.0.2.7");
  EXPECT_EQ(entry.new_value, "A 192.0.2.8");
  EXPECT_EQ(entry.result, "nochg");
}

TEST_P(AccountStoreTest, ReadHistoryIsNewestFirstAndLimited) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo nas = AddHost(alice, "nas.dyn.example.");
  // The most recently appended first, whatever their times (a clock set back).
  accounts().AppendHistory(Entry(home, 1700000200, "good"));
  accounts().AppendHistory(Entry(home, 1700000400, "nochg"));
  accounts().AppendHistory(Entry(nas, 1700000900, "good"));
  accounts().AppendHistory(Entry(home, 1700000100, "badauth"));
  accounts().AppendHistory(Entry(home, 1700000400, "abuse"));

  auto all = History(home);
  ASSERT_EQ(all.size(), 4u);
  std::vector<std::string> results;
  for (const auto& entry : all) results.push_back(entry.result);
  EXPECT_EQ(results, (std::vector<std::string>{"abuse", "badauth", "nochg", "good"}));

  auto newest = History(home, 2);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].result, "abuse");
  EXPECT_EQ(newest[1].result, "badauth");
  EXPECT_TRUE(History(home, 0).empty());
}

TEST_P(AccountStoreTest, GoodEntrySetsLastUpdate) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  // The stored last_update after `entry` (each entry is flushed by the History read).
  auto after = [&](const HistoryEntry& entry, size_t entries) -> int64_t {
    accounts().AppendHistory(entry);
    EXPECT_EQ(History(home).size(), entries);
    auto found = accounts().GetHost(home.fqdn);
    EXPECT_TRUE(found && found->has_value());
    return found && found->has_value() ? (*found)->last_update : -1;
  };
  EXPECT_EQ(after(Entry(home, 1700000500, "good"), 1), 1700000500);
  EXPECT_EQ(after(Entry(home, 1700000600, "nochg"), 2), 1700000500);
  EXPECT_EQ(after(Entry(home, 1700000700, "badauth"), 3), 1700000500);
  // An older success, reported late, does not move it back.
  EXPECT_EQ(after(Entry(home, 1700000400, "good"), 4), 1700000500);
  // Kept to the minute: a success within 60 s of the stored time is not written, one a
  // minute later is.
  EXPECT_EQ(after(Entry(home, 1700000559, "good"), 5), 1700000500);
  EXPECT_EQ(after(Entry(home, 1700000560, "good"), 6), 1700000560);
  // The caller knows it does not move (Directory::TouchHost): the row is left alone.
  HistoryEntry unmoved = Entry(home, 1700000700, "good");
  unmoved.touches_host = false;
  EXPECT_EQ(after(unmoved, 7), 1700000560);
}

// An entry for a host deleted after it was made is dropped; the others of its batch stay.
TEST_P(AccountStoreTest, HistoryOfDeletedHostIsDropped) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo gone = AddHost(alice, "gone.dyn.example.");
  ASSERT_TRUE(accounts().DeleteHost(gone.id));
  accounts().AppendHistory(Entry(gone, 1700000100, "good"));
  accounts().AppendHistory(Entry(home, 1700000100, "good"));
  accounts().AppendHistory(Entry(gone, 1700000200, "nochg"));
  EXPECT_EQ(History(home).size(), 1u);
  EXPECT_TRUE(History(gone).empty());
}

// A host whose entries were flushed before (SQLite keeps its newest entry in memory) and
// that is removed with entries still queued: those entries are dropped, whether the host
// goes alone or with its account.
TEST_P(AccountStoreTest, QueuedHistoryOfAHostRemovedAfterAFlushIsDropped) {
  UserInfo alice = AddUser("alice");
  UserInfo bob = AddUser("bob");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo gone = AddHost(alice, "gone.dyn.example.");
  HostInfo bobs = AddHost(bob, "bob.dyn.example.");
  for (const HostInfo* host : {&home, &gone, &bobs}) {
    accounts().AppendHistory(Entry(*host, 1700000000, "good"));
  }
  ASSERT_EQ(History(gone).size(), 1u);  // the read flushes
  accounts().AppendHistory(Entry(gone, 1700000100, "good"));
  accounts().AppendHistory(Entry(bobs, 1700000100, "good"));
  ASSERT_TRUE(accounts().DeleteHost(gone.id));
  ASSERT_TRUE(accounts().DeleteUser(bob.id).value_or(false));
  accounts().AppendHistory(Entry(gone, 1700000200, "nochg"));
  accounts().AppendHistory(Entry(home, 1700000200, "nochg"));
  EXPECT_TRUE(History(gone).empty());
  EXPECT_TRUE(History(bobs).empty());
  auto kept = History(home);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].time, 1700000200);
  EXPECT_EQ(kept[1].time, 1700000000);
}

// Retention over many entries with gaps in the ids (a deleted host's entries, an earlier
// trim): each cutoff removes exactly the entries older than it.
// Entries of several hosts, interleaved, over two flushes: each host reads back its own,
// newest first (SQLite: each chain runs through the others').
TEST_P(AccountStoreTest, InterleavedHostsReadBackTheirOwnEntries) {
  UserInfo alice = AddUser("alice");
  std::vector<HostInfo> hosts = {AddHost(alice, "a.dyn.example."), AddHost(alice, "b.dyn.example."),
                                 AddHost(alice, "c.dyn.example.")};
  auto append = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      accounts().AppendHistory(Entry(hosts[i % 3], 1700000000 + static_cast<int64_t>(i), "nochg"));
    }
  };
  append(0, 100);
  ASSERT_EQ(History(hosts[0], 1000).size(), 34u);  // the read flushes
  append(100, 171);
  for (size_t h = 0; h < hosts.size(); ++h) {
    auto history = History(hosts[h], 1000);
    ASSERT_EQ(history.size(), 57u) << h;
    for (size_t k = 0; k < history.size(); ++k) {
      EXPECT_EQ(history[k].host_id, hosts[h].id);
      EXPECT_EQ(history[k].time, 1700000168 + int64_t(h) - 3 * int64_t(k)) << h << " " << k;  // newest: 168 + h
    }
  }
}

// More hosts and entries in one flush than one statement inserts (SQLite: kRowsPerInsert),
// the flush's last statement a short one: every host's chain is whole and its own.
TEST_P(AccountStoreTest, OneFlushOfManyHostsChainsEachHost) {
  UserInfo alice = AddUser("alice");
  std::vector<HostInfo> hosts;
  for (int i = 0; i < 45; ++i) {
    hosts.push_back(AddHost(alice, "h" + std::to_string(i) + ".dyn.example."));
  }
  for (int round = 0; round < 3; ++round) {
    for (size_t h = 0; h < hosts.size(); ++h) {
      accounts().AppendHistory(Entry(hosts[h], 1700000000 + round, "nochg"));
    }
  }
  for (size_t h = 0; h < hosts.size(); ++h) {
    auto history = History(hosts[h], 10);
    ASSERT_EQ(history.size(), 3u) << h;
    for (size_t k = 0; k < history.size(); ++k) {
      EXPECT_EQ(history[k].host_id, hosts[h].id);
      EXPECT_EQ(history[k].time, 1700000002 - int64_t(k)) << h << " " << k;
    }
  }
  // A second flush chains onto the first one's heads.
  accounts().AppendHistory(Entry(hosts[44], 1700000009, "good"));
  auto history = History(hosts[44], 10);
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[0].time, 1700000009);
  EXPECT_EQ(history[1].time, 1700000002);
}

TEST_P(AccountStoreTest, TrimHistoryFindsTheCutoffAmongManyEntries) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo gone = AddHost(alice, "gone.dyn.example.");
  // 300 entries, three per second from 1700000000 on, every fourth one of `gone`.
  for (int i = 0; i < 300; ++i) {
    accounts().AppendHistory(Entry(i % 4 == 3 ? gone : home, 1700000000 + i / 3, "nochg"));
  }
  ASSERT_EQ(History(home, 1000).size(), 225u);
  ASSERT_TRUE(accounts().DeleteHost(gone.id));  // gaps in the ids
  auto left = [&] { return History(home, 1000).size(); };

  auto trimmed = accounts().TrimHistory(1700000000, {});  // nothing is older
  ASSERT_TRUE(trimmed) << trimmed.error().message;
  EXPECT_EQ(*trimmed, 0u);
  EXPECT_EQ(left(), 225u);

  // Older than 1700000010: the first 30 entries, 23 of them home's (i % 4 != 3 for i < 30).
  trimmed = accounts().TrimHistory(1700000010, {});
  ASSERT_TRUE(trimmed);
  EXPECT_EQ(*trimmed, 23u);
  EXPECT_EQ(left(), 202u);
  EXPECT_EQ(History(home, 1000).back().time, 1700000010);

  trimmed = accounts().TrimHistory(1700000010, {});  // again: nothing more
  ASSERT_TRUE(trimmed);
  EXPECT_EQ(*trimmed, 0u);

  // Older than 1700000077: the first 231 entries, 174 of them home's.
  trimmed = accounts().TrimHistory(1700000077, {});
  ASSERT_TRUE(trimmed);
  EXPECT_EQ(*trimmed, 174u - 23u);
  EXPECT_EQ(left(), 51u);
  EXPECT_EQ(History(home, 1000).back().time, 1700000077);

  trimmed = accounts().TrimHistory(1800000000, {});  // everything
  ASSERT_TRUE(trimmed);
  EXPECT_EQ(*trimmed, 51u);
  EXPECT_EQ(left(), 0u);
  trimmed = accounts().TrimHistory(1800000000, {});  // an empty history
  ASSERT_TRUE(trimmed);
  EXPECT_EQ(*trimmed, 0u);
}

TEST_P(AccountStoreTest, TrimHistoryKeepsRecentEntriesAndKeptHosts) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo nas = AddHost(alice, "nas.dyn.example.");
  HostInfo held = AddHost(alice, "held.dyn.example.");
  // Appended in time order, as entries are made (the SQLite store finds old ones by id).
  for (int64_t time : {1700000100, 1700000200, 1700000300}) {
    for (const HostInfo* host : {&home, &nas, &held}) {
      accounts().AppendHistory(Entry(*host, time, time == 1700000100 ? "good" : "nochg"));
    }
  }
  ASSERT_EQ(History(home).size(), 3u);

  // Strictly older than `before` goes.
  auto trimmed = accounts().TrimHistory(1700000300, {held.id});
  ASSERT_TRUE(trimmed) << trimmed.error().message;
  EXPECT_EQ(*trimmed, 4u);
  ASSERT_EQ(History(home).size(), 1u);
  EXPECT_EQ(History(home).front().time, 1700000300);
  EXPECT_EQ(History(nas).size(), 1u);
  EXPECT_EQ(History(held).size(), 3u);

  // Several kept hosts (and one that does not exist).
  trimmed = accounts().TrimHistory(1800000000, {nas.id, held.id, 999999});
  ASSERT_TRUE(trimmed);
  EXPECT_EQ(*trimmed, 1u);
  EXPECT_TRUE(History(home).empty());
  EXPECT_EQ(History(nas).size(), 1u);
  EXPECT_EQ(History(held).size(), 3u);

  trimmed = accounts().TrimHistory(1800000000, {});
  ASSERT_TRUE(trimmed);
  EXPECT_EQ(*trimmed, 4u);
  EXPECT_TRUE(History(held).empty());
}

// ---- durability and zones ----

TEST_P(AccountStoreTest, AccountsSurviveReopen) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  ASSERT_TRUE(accounts().SetLifecycle(home.id, Lifecycle::kOffline));
  TokenInfo token = AddToken(alice, "aaaa");
  ASSERT_TRUE(accounts().RevokeToken(token.id).value_or(false));
  AddCredential(home, "home-key");
  // Not read back before closing: still buffered, the close writes it.
  accounts().AppendHistory(Entry(home, 1700000500, "good"));

  Reopen();

  auto user = accounts().GetUserByName("alice");
  ASSERT_TRUE(user && user->has_value());
  EXPECT_EQ((*user)->id, alice.id);
  EXPECT_EQ((*user)->credential_version, alice.credential_version + 1);
  auto host = accounts().GetHost(N("home.dyn.example."));
  ASSERT_TRUE(host && host->has_value());
  EXPECT_EQ((*host)->id, home.id);
  EXPECT_EQ((*host)->lifecycle, Lifecycle::kOffline);
  EXPECT_EQ((*host)->last_update, 1700000500);
  auto found_token = accounts().FindToken("aaaa");
  ASSERT_TRUE(found_token && found_token->has_value());
  EXPECT_TRUE((*found_token)->revoked);
  auto credential = accounts().FindHostCredential("home-key");
  ASSERT_TRUE(credential && credential->has_value());
  EXPECT_EQ((*credential)->host_id, home.id);
  auto history = History(home);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history.front().result, "good");
}

TEST_P(AccountStoreTest, DeleteZoneRemovesItsHosts) {
  ZoneInfo other = Create("other.example.", 1, 0);
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo away = AddHost(alice, "away.other.example.", other.id);
  AddCredential(home, "home-key");
  accounts().AppendHistory(Entry(home, 1700000500, "good"));
  ASSERT_EQ(History(home).size(), 1u);

  auto deleted = store_->DeleteZone(N("dyn.example."));
  ASSERT_TRUE(deleted) << deleted.error().message;
  ASSERT_TRUE(*deleted);

  auto found = accounts().GetHost(home.fqdn);
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
  auto credential = accounts().FindHostCredential("home-key");
  ASSERT_TRUE(credential);
  EXPECT_FALSE(credential->has_value());
  EXPECT_TRUE(History(home).empty());
  auto hosts = accounts().ListHosts(alice.id);
  ASSERT_TRUE(hosts);
  ASSERT_EQ(hosts->size(), 1u);
  EXPECT_EQ(hosts->front().id, away.id);
  EXPECT_TRUE(accounts().GetUser(alice.id).value_or(std::nullopt).has_value());
}

// ---- SQLite schema versions 11 and 12: host states and snapshots in tables of their own ----

using SqliteAbuseMigrationTest = AccountStoreTest;

TEST_P(SqliteAbuseMigrationTest, Version10ColumnsMoveToHostAbuseAndTakedownSnapshots) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo nas = AddHost(alice, "nas.dyn.example.");
  HostInfo cam = AddHost(alice, "cam.dyn.example.");
  Takedown order;
  order.status = TakedownStatus::kApplied;
  order.names = {"home.dyn.example."};
  auto created = store_->takedowns().CreateTakedown(order);
  ASSERT_TRUE(created);
  order = *created;
  order.snapshot = ";owner home.dyn.example.\nhome.dyn.example.\t60\tIN\tA\t192.0.2.1\n";
  store_.reset();
  // The file as version 10 wrote it: the state in columns of hosts, no host_abuse; the
  // snapshot a column of takedowns.
  ExecSql(path(),
          "DROP TABLE host_abuse; DROP TABLE takedown_snapshots;"
          "ALTER TABLE takedowns ADD COLUMN snapshot TEXT NOT NULL DEFAULT '';"
          "UPDATE takedowns SET snapshot = '" + order.snapshot + "' WHERE id = " + std::to_string(order.id) + ";" +
          "ALTER TABLE hosts ADD COLUMN abuse_state TEXT NOT NULL DEFAULT 'none';"
          "ALTER TABLE hosts ADD COLUMN abuse_reason TEXT NOT NULL DEFAULT '';"
          "ALTER TABLE hosts ADD COLUMN abuse_since INTEGER NOT NULL DEFAULT 0;"
          "ALTER TABLE hosts ADD COLUMN abuse_action TEXT NOT NULL DEFAULT '';"
          "ALTER TABLE hosts ADD COLUMN abuse_order INTEGER NOT NULL DEFAULT 0;"
          "UPDATE hosts SET abuse_state = 'enforced', abuse_reason = 'order 3: c2', abuse_since = 1700000500, "
          "abuse_action = 'sinkhole', abuse_order = 3 WHERE id = " + std::to_string(home.id) + ";" +
          "UPDATE hosts SET abuse_reason = 'unfrozen', abuse_since = 1700000600 WHERE id = " +
          std::to_string(nas.id) + ";" + "UPDATE meta SET value = 10 WHERE key = 'schema_version';");
  Reopen();
  EXPECT_EQ(QueryInt(path(), "SELECT value FROM meta WHERE key = 'schema_version'"), sqlite::LatestSchemaVersion());
  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM pragma_table_info('hosts') WHERE name LIKE 'abuse%'"), 0);
  // A row for each host that ever had a state, none for the others.
  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM host_abuse"), 2);
  auto found = accounts().GetHost(home.fqdn);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->abuse_state, AbuseState::kEnforced);
  EXPECT_EQ((*found)->abuse_action, EnforceAction::kSinkhole);
  EXPECT_EQ((*found)->abuse_order, 3);
  EXPECT_EQ((*found)->abuse_reason, "order 3: c2");
  EXPECT_EQ((*found)->abuse_since, 1700000500);
  found = accounts().GetHost(nas.fqdn);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->abuse_state, AbuseState::kNone);
  EXPECT_EQ((*found)->abuse_reason, "unfrozen");
  found = accounts().GetHost(cam.fqdn);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->abuse_state, AbuseState::kNone);
  EXPECT_EQ((*found)->abuse_since, 0);
  // Deleting a host takes its row along.
  ASSERT_TRUE(accounts().DeleteHost(home.id));
  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM host_abuse"), 1);

  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM pragma_table_info('takedowns') WHERE name = 'snapshot'"), 0);
  auto read = store_->takedowns().GetTakedown(order.id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ(**read, order);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteAbuseMigrationTest, ::testing::Values(Backend::kSqlite));

// The SQLite store keeps each host's history as a chain (schema version 14): each entry
// names the host's previous one, history_heads the newest.
using SqliteHistoryChainTest = AccountStoreTest;

std::vector<std::string> Results(const std::vector<HistoryEntry>& entries) {
  std::vector<std::string> results;
  for (const auto& entry : entries) results.push_back(entry.result);
  return results;
}

TEST_P(SqliteHistoryChainTest, Version13HistoryIsChainedPerHost) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo nas = AddHost(alice, "nas.dyn.example.");
  HostInfo idle = AddHost(alice, "idle.dyn.example.");
  accounts().AppendHistory(Entry(home, 1700000100, "h1"));
  accounts().AppendHistory(Entry(nas, 1700000100, "n1"));
  accounts().AppendHistory(Entry(home, 1700000200, "h2"));
  accounts().AppendHistory(Entry(home, 1700000300, "h3"));
  accounts().AppendHistory(Entry(nas, 1700000300, "n2"));
  ASSERT_EQ(History(home).size(), 3u);  // written
  store_.reset();
  // The file as version 13 kept history: one table with a foreign key and an index per host.
  ExecSql(path(),
          "DROP TRIGGER history_of_removed_host; DROP TABLE history_heads; DROP TABLE history_purge;"
          "CREATE TABLE old_history (id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL REFERENCES hosts(id) "
          "ON DELETE CASCADE, time INTEGER NOT NULL, source TEXT NOT NULL, user_agent TEXT NOT NULL, "
          "credential TEXT NOT NULL, old_value TEXT NOT NULL, new_value TEXT NOT NULL, result TEXT NOT NULL) STRICT;"
          "INSERT INTO old_history SELECT id, host_id, time, source, user_agent, credential, old_value, new_value, "
          "result FROM history;"
          "DROP TABLE history; ALTER TABLE old_history RENAME TO history;"
          "CREATE INDEX history_by_host ON history(host_id, time);"
          "UPDATE meta SET value = 13 WHERE key = 'schema_version';");
  Reopen();
  EXPECT_EQ(QueryInt(path(), "SELECT value FROM meta WHERE key = 'schema_version'"), sqlite::LatestSchemaVersion());
  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM sqlite_schema WHERE name = 'history_by_host'"), 0);
  EXPECT_EQ(Results(History(home)), (std::vector<std::string>{"h3", "h2", "h1"}));
  EXPECT_EQ(Results(History(nas)), (std::vector<std::string>{"n2", "n1"}));
  EXPECT_TRUE(History(idle).empty());
  // New entries continue the migrated chains.
  accounts().AppendHistory(Entry(home, 1700000400, "h4"));
  accounts().AppendHistory(Entry(idle, 1700000400, "i1"));
  EXPECT_EQ(Results(History(home)), (std::vector<std::string>{"h4", "h3", "h2", "h1"}));
  EXPECT_EQ(Results(History(idle)), (std::vector<std::string>{"i1"}));
  // And removing a host still removes its history, the migrated part too.
  ASSERT_TRUE(accounts().DeleteHost(home.id));
  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM history WHERE host_id = " + std::to_string(home.id)), 0);
  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM history"), 3);
}

TEST_P(SqliteHistoryChainTest, RemovingTheZoneRemovesItsHostsHistory) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  for (int i = 0; i < 5; ++i) accounts().AppendHistory(Entry(home, 1700000100 + i, "good"));
  ASSERT_EQ(History(home).size(), 5u);
  auto deleted = store_->DeleteZone(N("dyn.example."));
  ASSERT_TRUE(deleted && *deleted);
  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM history"), 0);
  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM history_heads"), 0);
  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM history_purge"), 0);
}

TEST_P(SqliteHistoryChainTest, ChainsEndWhereRetentionCutThem) {
  UserInfo alice = AddUser("alice");
  HostInfo home = AddHost(alice, "home.dyn.example.");
  HostInfo nas = AddHost(alice, "nas.dyn.example.");
  for (int64_t time : {1700000100, 1700000200, 1700000300}) {
    accounts().AppendHistory(Entry(home, time, "home " + std::to_string(time)));
    accounts().AppendHistory(Entry(nas, time, "nas " + std::to_string(time)));
  }
  ASSERT_EQ(History(home).size(), 3u);  // written
  ASSERT_TRUE(accounts().TrimHistory(1700000200, {}));
  EXPECT_EQ(Results(History(home)), (std::vector<std::string>{"home 1700000300", "home 1700000200"}));
  // Everything goes: the table is empty and the next entries may take the ids of the old
  // ones, which the heads still name. One host's history never shows another's entries.
  ASSERT_TRUE(accounts().TrimHistory(1800000000, {}));
  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM history"), 0);
  for (int i = 0; i < 6; ++i) accounts().AppendHistory(Entry(nas, 1700000400 + i, "nas again"));
  EXPECT_TRUE(History(home).empty());
  EXPECT_EQ(History(nas).size(), 6u);
  EXPECT_EQ(QueryInt(path(), "SELECT min(id) FROM history"), 1);  // ids used again
  accounts().AppendHistory(Entry(home, 1700000500, "home again"));
  EXPECT_EQ(Results(History(home)), (std::vector<std::string>{"home again"}));
  // Removing the host removes only its own entries, even where its chain names another's.
  ASSERT_TRUE(accounts().DeleteHost(home.id));
  EXPECT_EQ(History(nas).size(), 6u);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteHistoryChainTest, ::testing::Values(Backend::kSqlite));

}  // namespace
}  // namespace tether::store::testing
