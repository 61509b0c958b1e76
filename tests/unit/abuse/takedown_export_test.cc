// The legal-hold export (abuse/takedown_export.h) on a real SQLite store and update service:
// an order of hosts of two accounts, while other hosts of the same and other accounts have
// records, journal changes, update history and audit entries; the bundle checks against its
// manifest, holds the listed names' history and nothing of any other host.
#include "abuse/takedown_export.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "abuse/takedown.h"
#include "dns/rdata.h"
#include "update/function_request.h"

namespace tether::abuse {
namespace {

namespace fs = std::filesystem;
using dns::RrType;
using store::EnforceAction;

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

zone::Rrset A(const std::string& address) {
  return {RrType::kA, 60, {*dns::RdataFromString(RrType::kA, address, dns::Name())}};
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TakedownExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tether-export-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store::SqliteOptions options;
    options.path = (dir_ / "tether.db").string();
    store_ = std::move(*store::OpenSqliteStore(options));
    updates_ = std::make_unique<update::UpdateService>(*store_, update::UpdateServiceOptions{});
    updates_->Start();
    std::vector<zone::NameUpdate> names = {
        {N("dyn.example."),
         {{RrType::kSoa,
           3600,
           {*dns::RdataFromString(RrType::kSoa,
                                  "ns1.dyn.example. h.dyn.example. 10 3600 900 604800 60",
                                  dns::Name())}},
          {RrType::kNs,
           3600,
           {*dns::RdataFromString(RrType::kNs, "ns1.dyn.example.", dns::Name())}}}},
        {N("ns1.dyn.example."), {A("192.0.2.250")}},
        {N("static.dyn.example."), {A("192.0.2.251")}},
    };
    auto info = store_->CreateZone(N("dyn.example."), store::SerialPolicy::kIncrement, names,
                                   nullptr, store::ZoneKind::kService);
    ASSERT_TRUE(info) << info.error().message;
    zone_ = std::make_shared<zone::Zone>(N("dyn.example."));
    ASSERT_TRUE(zone_->Apply(names));
    updates_->AddZone(info->id, zone_, info->journal_seq);
    zone_id_ = info->id;
    const int64_t alice = AddUser("alice");
    const int64_t bob = AddUser("bob");
    const int64_t carol = AddUser("carol");
    // Listed: bad1 (alice), bad2 (bob). Not listed: innocent1 (alice), innocent2 (bob),
    // bystander (carol). Every host has its own addresses, sources and user agents.
    AddHost(alice, "bad1", "198.51.100.1", "203.0.113.1", "BadAgent/1");
    AddHost(bob, "bad2", "198.51.100.2", "203.0.113.2", "BadAgent/2");
    AddHost(alice, "innocent1", "198.51.100.11", "203.0.113.11", "QuietRouter/11");
    AddHost(bob, "innocent2", "198.51.100.12", "203.0.113.12", "QuietRouter/12");
    AddHost(carol, "bystander", "198.51.100.13", "203.0.113.13", "QuietRouter/13");
    // One update changing a listed and an unlisted name together: one journal entry.
    SetMany({{N("bad1.dyn.example."), {A("198.51.100.21")}},
             {N("innocent1.dyn.example."), {A("198.51.100.31")}}});
    Set("_acme-challenge.bad1.dyn.example.",
        {{RrType::kTxt, 60, {*dns::RdataFromString(RrType::kTxt, "\"acme-bad1\"", dns::Name())}}});
    AuditState("bad1.dyn.example.", "watch: reported");
    AuditState("innocent1.dyn.example.", "watch: mistaken report about innocent1");
    ASSERT_TRUE(directory_.Load(store_->accounts()));
    settings_.sinkhole = {"192.0.2.53"};
    engine_ = std::make_unique<TakedownEngine>(*store_, *updates_, directory_, settings_,
                                               [this] { return now_; });
  }
  void TearDown() override {
    engine_.reset();
    updates_->Stop();
    updates_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  int64_t AddUser(const std::string& name) {
    store::UserInfo user;
    user.name = name;
    user.password_hash = "$argon2id$secret-of-" + name;
    user.created = now_ - 86400;
    return store_->accounts().CreateUser(user)->id;
  }
  void AddHost(int64_t user, const std::string& label, const std::string& address,
               const std::string& source, const std::string& agent) {
    store::HostInfo host;
    host.fqdn = N(label + ".dyn.example.");
    host.user_id = user;
    host.zone_id = zone_id_;
    auto created = store_->accounts().CreateHost(host);
    ASSERT_TRUE(created);
    Set(host.fqdn.ToText(), {A(address)});
    store::HistoryEntry entry;
    entry.host_id = created->id;
    entry.time = now_ - 600;
    entry.source = source;
    entry.user_agent = agent;
    entry.credential = "password:" + label + "-owner";
    entry.new_value = "A " + address;
    entry.result = "good";
    store_->accounts().AppendHistory(entry);
  }
  void Set(const std::string& name, std::vector<zone::Rrset> rrsets) {
    SetMany({{N(name), std::move(rrsets)}});
  }
  // Writes names through the update path in one update, as any update would.
  void SetMany(const std::vector<zone::NameUpdate>& names) {
    std::promise<update::UpdateOutcome> done;
    auto future = done.get_future();
    ASSERT_TRUE(updates_->Submit(N("dyn.example."), std::make_unique<update::FunctionRequest>(
                                                        [&](update::ZoneView& view) {
                                                          for (const auto& update : names)
                                                            view.Set(update.name, update.rrsets);
                                                          return dns::Rcode::kNoError;
                                                        },
                                                        [&](const update::UpdateOutcome& outcome) {
                                                          done.set_value(outcome);
                                                        })));
    ASSERT_EQ(future.get().rcode, dns::Rcode::kNoError);
  }
  void AuditState(const std::string& name, const std::string& reason) {
    store::AuditEntry entry;
    entry.time = now_;
    entry.actor = "admin";
    entry.action = "host.state";
    entry.reason = reason;
    entry.names = {name};
    ASSERT_TRUE(store_->audit().AppendAudit(entry));
  }
  int64_t ApplyOrder(const std::vector<std::string>& names, bool force = false) {
    PreviewRequest request;
    request.names = names;
    request.force = force;
    request.action = EnforceAction::kSinkhole;
    request.reason = "botnet C2";
    request.reference = "case 42";
    request.author = "desk";
    auto preview = engine_->Preview(request);
    EXPECT_TRUE(preview) << preview.error().message;
    auto order = engine_->Apply(preview->id, "desk", false);
    EXPECT_TRUE(order) << order.error().message;
    return order->id;
  }

  // Every regular file below `root`, relative path -> bytes.
  static std::map<std::string, std::string> Files(const fs::path& root) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file())
        files[fs::relative(entry.path(), root).string()] = ReadAll(entry.path());
    }
    return files;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<update::UpdateService> updates_;
  std::shared_ptr<zone::Zone> zone_;
  int64_t zone_id_ = 0;
  accounts::Directory directory_;
  TakedownSettings settings_;
  int64_t now_ = 1800000000;
  std::unique_ptr<TakedownEngine> engine_;
};

TEST_F(TakedownExportTest, ManifestListsEveryFileWithItsSha256) {
  const int64_t order = ApplyOrder({"bad1.dyn.example.", "bad2.dyn.example."});
  auto summary = ExportTakedown(*store_, *updates_, order, dir_ / "bundle", now_);
  ASSERT_TRUE(summary) << summary.error().message;
  auto files = Files(dir_ / "bundle");
  ASSERT_EQ(files.count("MANIFEST.sha256"), 1u);
  EXPECT_EQ(summary->manifest_sha256, Sha256Hex(files["MANIFEST.sha256"]));
  std::istringstream manifest(files["MANIFEST.sha256"]);
  std::set<std::string> listed;
  for (std::string line; std::getline(manifest, line);) {
    if (line.empty() || line[0] == '#') continue;
    ASSERT_GT(line.size(), 66u) << line;
    const std::string path = line.substr(66);
    ASSERT_EQ(line.substr(64, 2), "  ") << line;
    ASSERT_EQ(files.count(path), 1u) << path;
    EXPECT_EQ(line.substr(0, 64), Sha256Hex(files[path])) << path;
    listed.insert(path);
  }
  files.erase("MANIFEST.sha256");
  EXPECT_EQ(listed.size(), files.size());
  EXPECT_EQ(summary->files.size(), files.size());
  for (const char* path :
       {"order.json", "hosts.tsv", "accounts.tsv", "audit.tsv",
        "names/bad1.dyn.example/records.txt", "names/bad1.dyn.example/updates.tsv",
        "names/bad2.dyn.example/records.txt", "names/bad2.dyn.example/updates.tsv"}) {
    EXPECT_EQ(listed.count(path), 1u) << path;
  }
}

TEST_F(TakedownExportTest, HoldsTheListedNamesHistory) {
  const int64_t order = ApplyOrder({"bad1.dyn.example.", "bad2.dyn.example."});
  ASSERT_TRUE(ExportTakedown(*store_, *updates_, order, dir_ / "bundle", now_));
  auto files = Files(dir_ / "bundle");
  const std::string& records = files["names/bad1.dyn.example/records.txt"];
  EXPECT_NE(records.find("bad1.dyn.example.\t60\tIN\tA\t198.51.100.1\n"), std::string::npos)
      << records;  // journal
  EXPECT_NE(records.find("bad1.dyn.example.\t60\tIN\tA\t198.51.100.21\n"),
            std::string::npos);  // snapshot
  EXPECT_NE(records.find("bad1.dyn.example.\t60\tIN\tA\t192.0.2.53\n"), std::string::npos);  // now
  EXPECT_NE(records.find("_acme-challenge.bad1.dyn.example.\t60\tIN\tTXT\t\"acme-bad1\""),
            std::string::npos);
  EXPECT_NE(records.find("every change since the zone was created"), std::string::npos);
  const std::string& updates = files["names/bad1.dyn.example/updates.tsv"];
  EXPECT_NE(
      updates.find("\t203.0.113.1\tBadAgent/1\tpassword:bad1-owner\t\tA 198.51.100.1\tgood\n"),
      std::string::npos)
      << updates;
  EXPECT_NE(files["names/bad2.dyn.example/updates.tsv"].find("BadAgent/2"), std::string::npos);
  EXPECT_NE(files["accounts.tsv"].find("\talice\tuser\t"), std::string::npos)
      << files["accounts.tsv"];
  EXPECT_NE(files["accounts.tsv"].find("\tbob\tuser\t"), std::string::npos);
  EXPECT_NE(files["hosts.tsv"].find("bad2.dyn.example.\t"), std::string::npos);

  // The order's apply entry and bad1's host.state entry, with the hashes the log holds.
  auto log = store_->audit().ReadAudit(0, 100);
  ASSERT_TRUE(log);
  const std::string& audit = files["audit.tsv"];
  size_t rows = 0;
  for (const store::AuditEntry& entry : *log) {
    const bool expected = entry.action == "takedown.apply" ||
                          entry.names == std::vector<std::string>{"bad1.dyn.example."};
    EXPECT_EQ(audit.find("\t" + entry.hash + "\n") != std::string::npos, expected) << entry.action;
    rows += expected ? 1 : 0;
  }
  EXPECT_EQ(rows, 2u);
  EXPECT_NE(files["order.json"].find("\"reference\": \"case 42\""), std::string::npos);
}

TEST_F(TakedownExportTest, NoOtherHostsNameOrDataAppears) {
  const int64_t order = ApplyOrder({"bad1.dyn.example.", "bad2.dyn.example."});
  ApplyOrder({"innocent2.dyn.example."});  // another order: its entries are not this one's
  ASSERT_TRUE(engine_->Restore(order, "desk", "appeal granted"));
  ASSERT_TRUE(ExportTakedown(*store_, *updates_, order, dir_ / "bundle", now_));
  const auto files = Files(dir_ / "bundle");
  for (const auto& [path, bytes] : files) {
    for (const char* secret :
         {"innocent", "bystander", "carol", "198.51.100.11", "198.51.100.12", "198.51.100.13",
          "198.51.100.31", "203.0.113.11", "203.0.113.12", "203.0.113.13", "QuietRouter",
          "argon2id", "secret-of", "ns1.dyn.example", "192.0.2.250"}) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " in " << path << ":\n"
                                                       << bytes;
    }
  }
  EXPECT_NE(files.at("audit.tsv").find("takedown.restore"), std::string::npos);
}

TEST_F(TakedownExportTest, RefusesANonEmptyDirectoryAndAPreview) {
  const int64_t order = ApplyOrder({"bad1.dyn.example."});
  fs::create_directories(dir_ / "used");
  std::ofstream(dir_ / "used" / "x") << "x";
  auto used = ExportTakedown(*store_, *updates_, order, dir_ / "used", now_);
  ASSERT_FALSE(used);
  EXPECT_EQ(used.error().code, ErrorCode::kFailedPrecondition);
  auto preview =
      ExportTakedown(*store_, *updates_, order - 1, dir_ / "fresh", now_);  // the order's preview
  ASSERT_FALSE(preview);
  EXPECT_EQ(preview.error().code, ErrorCode::kNotFound);
  fs::create_directories(dir_ / "empty");
  EXPECT_TRUE(ExportTakedown(*store_, *updates_, order, dir_ / "empty", now_));
  EXPECT_EQ(fs::status(dir_ / "empty").permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST_F(TakedownExportTest, AForcedNameThatIsNoHostHasRecordsButNoUpdateLog) {
  const int64_t order = ApplyOrder({"static.dyn.example."}, true);
  ASSERT_TRUE(ExportTakedown(*store_, *updates_, order, dir_ / "bundle", now_));
  const auto files = Files(dir_ / "bundle");
  EXPECT_NE(files.at("names/static.dyn.example/records.txt").find("static.dyn.example.\t60\tIN\tA\t192.0.2.251\n"),
            std::string::npos);
  EXPECT_EQ(files.at("names/static.dyn.example/updates.tsv"),
            "time\tsource\tuser_agent\tcredential\told_value\tnew_value\tresult\n");
  EXPECT_EQ(files.at("hosts.tsv").find("static"), std::string::npos);
  EXPECT_EQ(files.at("accounts.tsv"), "id\tname\trole\tcreated\n");
}

TEST(TakedownExportTextTest, Sha256OfAbcIsTheFips180Vector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TakedownExportTextTest, NameDirectoryIsOnePathComponent) {
  EXPECT_EQ(NameDirectory(N("bad1.dyn.example.")), "bad1.dyn.example");
  EXPECT_EQ(NameDirectory(N("*.x.dyn.example.")), "*.x.dyn.example");
  const std::string odd = NameDirectory(*dns::Name::FromText("a\\/b\\..dyn.example."));
  EXPECT_EQ(odd.find('/'), std::string::npos) << odd;
  EXPECT_EQ(TsvField("a\tb\nc\\"), "a\\tb\\nc\\\\");
}

}  // namespace
}  // namespace tether::abuse
