// ApplyTransfer: a transfer into a secondary zone on a real SQLite store — committed with
// the primary's serials and an exact journal, published as one version, or not at all.
#include "xfr/transfer_apply.h"

#include <gtest/gtest.h>

#include <map>

#include "store/serial.h"
#include "transfer_test_util.h"
#include "xfr/transfer_content.h"

namespace tether::xfr::testing {
namespace {

using Content = std::map<std::string, std::vector<zone::Rrset>>;
const char* kOrigin = "example.com.";

class TransferApplyTest : public store::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    info_ = Create(kOrigin, 5, 3);  // host0..host2: 10.0.0.0..2
    zone_ = std::make_shared<zone::Zone>(N(kOrigin));
    std::vector<zone::NameUpdate> names;
    ASSERT_TRUE(store_->LoadZone(info_.id, [&](zone::NameUpdate&& u) { names.push_back(std::move(u)); }));
    ASSERT_TRUE(zone_->Apply(std::move(names)));
  }

  static Content Of(zone::Zone& zone) {
    Content content;
    zone.ForEachName([&](const dns::Name& name, const std::vector<zone::Rrset>& rrsets) {
      content[name.ToText()] = rrsets;
    });
    return content;
  }
  Content Stored() {
    Content content;
    EXPECT_TRUE(store_->LoadZone(info_.id, [&](zone::NameUpdate&& u) { content[u.name.ToText()] = u.rrsets; }));
    return content;
  }
  uint32_t StoredSerial() { return (*store_->GetZone(N(kOrigin)))->serial; }

  Transfer ReadOrDie(const Exchange& exchange) {
    auto transfer = Read(exchange);
    EXPECT_TRUE(transfer) << transfer.error().message;
    return transfer ? std::move(*transfer) : Transfer{};
  }

  store::ZoneInfo info_;
  std::shared_ptr<zone::Zone> zone_;
};

TEST_F(TransferApplyTest, FullTransferReplacesTheContentInOneCommit) {
  RecordList records;
  AddSoa(records, kOrigin, 9);
  AddNs(records, kOrigin);
  records.Add(N("host1.example.com."), dns::RrType::kA, 60, A(10, 0, 0, 1));  // kept
  AddA(records, "www.example.com.", 1);                                      // new
  AddSoa(records, kOrigin, 9);
  Transfer transfer = ReadOrDie(MakeExchange(kOrigin, dns::RrType::kAxfr, records));
  auto applied = ApplyTransfer(*store_, info_.id, *zone_, transfer);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(applied->serial, 9u);
  EXPECT_EQ(applied->commits, 1u);

  Content expected = {
      {"example.com.", {store::testing::NsRrset(kOrigin), store::testing::SoaRrset(kOrigin, 9)}},
      {"host1.example.com.", {store::testing::ARrset(A(10, 0, 0, 1))}},
      {"www.example.com.", {store::testing::ARrset(A(192, 0, 2, 1))}}};
  EXPECT_EQ(Of(*zone_), expected);
  EXPECT_EQ(Stored(), expected);
  EXPECT_EQ(StoredSerial(), 9u);
  // The journal holds the exact difference, so a secondary of ours gets an IXFR.
  auto journal = store_->ReadJournal(info_.id, 0);
  ASSERT_TRUE(journal && journal->size() == 1);
  EXPECT_EQ(journal->front().serial_from, 5u);
  EXPECT_EQ(journal->front().serial_to, 9u);
  EXPECT_EQ(journal->front().removed.size(), 3u);  // old SOA, host0, host2
  EXPECT_EQ(journal->front().added.size(), 2u);    // new SOA, www
}

TEST_F(TransferApplyTest, IncrementalTransferJournalsEachChangeWithItsSerials) {
  RecordList records;
  AddSoa(records, kOrigin, 7);
  AddSoa(records, kOrigin, 5);
  records.Add(N("host0.example.com."), dns::RrType::kA, 60, A(10, 0, 0, 0));
  AddSoa(records, kOrigin, 6);
  AddSoa(records, kOrigin, 6);
  AddSoa(records, kOrigin, 7);
  AddA(records, "www.example.com.", 1, 300);
  AddSoa(records, kOrigin, 7);
  Transfer transfer = ReadOrDie(MakeExchange(kOrigin, dns::RrType::kIxfr, records, 5));
  auto applied = ApplyTransfer(*store_, info_.id, *zone_, transfer);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(applied->serial, 7u);
  EXPECT_EQ(applied->commits, 2u);
  Content content = Of(*zone_);
  EXPECT_EQ(content.count("host0.example.com."), 0u);
  EXPECT_EQ(content["www.example.com."], std::vector<zone::Rrset>{store::testing::ARrset(A(192, 0, 2, 1), 300)});
  EXPECT_EQ(Stored(), content);
  auto journal = store_->ReadJournal(info_.id, 0);
  ASSERT_TRUE(journal && journal->size() == 2);
  EXPECT_EQ((*journal)[0].serial_from, 5u);
  EXPECT_EQ((*journal)[0].serial_to, 6u);
  EXPECT_EQ((*journal)[1].serial_from, 6u);
  EXPECT_EQ((*journal)[1].serial_to, 7u);
}

TEST_F(TransferApplyTest, CondensedIncrementalTransferAppliesAsOneChange) {
  // A primary's journal from serial 5 to 9, served condensed (IxfrRecords): host0 deleted,
  // www made and moved, host1's TTL raised, host2 removed and made again as it was.
  auto a = [](const std::string& host, std::vector<uint8_t> address, uint32_t ttl = 60) {
    return store::JournalRr{N(host + ".example.com."), dns::RrType::kA, ttl, std::move(address)};
  };
  auto entry = [](uint32_t from, std::vector<store::JournalRr> removed,
                  std::vector<store::JournalRr> added) {
    store::JournalEntry e;
    e.seq = from;
    e.serial_from = from;
    e.serial_to = from + 1;
    const auto soa = [](uint32_t serial) {
      return store::JournalRr{N(kOrigin), dns::RrType::kSoa, 3600, SoaRdata(kOrigin, serial)};
    };
    e.removed.push_back(soa(from));
    e.removed.insert(e.removed.end(), removed.begin(), removed.end());
    e.added.push_back(soa(from + 1));
    e.added.insert(e.added.end(), added.begin(), added.end());
    return e;
  };
  const std::vector<store::JournalEntry> journal = {
      entry(5, {a("host0", A(10, 0, 0, 0))}, {a("www", A(192, 0, 2, 1))}),
      entry(6, {a("www", A(192, 0, 2, 1))}, {a("www", A(192, 0, 2, 2))}),
      entry(7, {a("host1", A(10, 0, 0, 1))}, {a("host1", A(10, 0, 0, 1), 300)}),
      entry(8, {a("host2", A(10, 0, 0, 2))}, {a("host2", A(10, 0, 0, 2))})};
  std::optional<RecordList> records = IxfrRecords(N(kOrigin), journal, 5);
  ASSERT_TRUE(records);
  EXPECT_EQ(records->count(), 4u + 2u + 2u);  // 4 SOAs; host0, host1 removed; www, host1 added
  Transfer transfer = ReadOrDie(MakeExchange(kOrigin, dns::RrType::kIxfr, *records, 5));
  auto applied = ApplyTransfer(*store_, info_.id, *zone_, transfer);
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(applied->serial, 9u);
  EXPECT_EQ(applied->commits, 1u);
  Content expected = {
      {"example.com.", {store::testing::NsRrset(kOrigin), store::testing::SoaRrset(kOrigin, 9)}},
      {"host1.example.com.", {store::testing::ARrset(A(10, 0, 0, 1), 300)}},
      {"host2.example.com.", {store::testing::ARrset(A(10, 0, 0, 2))}},
      {"www.example.com.", {store::testing::ARrset(A(192, 0, 2, 2))}}};
  EXPECT_EQ(Of(*zone_), expected);
  EXPECT_EQ(Stored(), expected);
}

TEST_F(TransferApplyTest, ChangeThatDoesNotApplyLeavesTheZoneUnchanged) {
  const Content before = Of(*zone_);
  RecordList records;
  AddSoa(records, kOrigin, 7);
  AddSoa(records, kOrigin, 5);
  AddSoa(records, kOrigin, 6);
  AddA(records, "www.example.com.", 1);
  AddSoa(records, kOrigin, 6);
  AddA(records, "nothere.example.com.", 9);  // removes what we do not have
  AddSoa(records, kOrigin, 7);
  AddSoa(records, kOrigin, 7);
  Transfer transfer = ReadOrDie(MakeExchange(kOrigin, dns::RrType::kIxfr, records, 5));
  auto applied = ApplyTransfer(*store_, info_.id, *zone_, transfer);
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, ErrorCode::kFailedPrecondition);  // the caller tries AXFR
  EXPECT_EQ(Of(*zone_), before);
  EXPECT_EQ(StoredSerial(), 5u);
  EXPECT_TRUE(store_->ReadJournal(info_.id, 0)->empty());
}

TEST_F(TransferApplyTest, IncrementalFromAnotherSerialIsRefused) {
  RecordList records;
  AddSoa(records, kOrigin, 7);
  AddSoa(records, kOrigin, 4);
  AddSoa(records, kOrigin, 7);
  AddSoa(records, kOrigin, 7);
  Transfer transfer = ReadOrDie(MakeExchange(kOrigin, dns::RrType::kIxfr, records, 4));
  EXPECT_FALSE(ApplyTransfer(*store_, info_.id, *zone_, transfer));
  EXPECT_EQ(StoredSerial(), 5u);
}

TEST_F(TransferApplyTest, FullTransferNotNewerIsRefused) {
  RecordList records;
  AddSoa(records, kOrigin, 5);
  AddNs(records, kOrigin);
  AddSoa(records, kOrigin, 5);
  Transfer transfer = ReadOrDie(MakeExchange(kOrigin, dns::RrType::kAxfr, records));
  EXPECT_FALSE(ApplyTransfer(*store_, info_.id, *zone_, transfer));
}

TEST_F(TransferApplyTest, FullContentWithoutApexNsIsRefused) {
  RecordList records;
  AddSoa(records, kOrigin, 9);
  AddA(records, "www.example.com.", 1);
  AddSoa(records, kOrigin, 9);
  Transfer transfer = ReadOrDie(MakeExchange(kOrigin, dns::RrType::kAxfr, records));
  EXPECT_FALSE(FullContent(N(kOrigin), transfer));
}

}  // namespace
}  // namespace tether::xfr::testing
