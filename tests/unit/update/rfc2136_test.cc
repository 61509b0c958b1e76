// RFC 2136 UPDATE through the real update path (SQLite store in a temporary directory).
#include "update/rfc2136.h"

#include <gtest/gtest.h>

#include "update_test_util.h"

namespace tether::update {
namespace {

using dns::Rcode;
using dns::RrType;
using namespace testing;  // NOLINT: test helpers

class Rfc2136Test : public UpdateFixture {
 protected:
  void SetUp() override {
    UpdateFixture::SetUp();
    SetAccess({store::KeyGrant{N("example."), store::GrantScope::kZone, dns::Name(), {}}}, {"127.0.0.0/8"});
  }
  // An unsigned update from an allowed address.
  Rcode Update(const std::vector<Rr>& prereqs, const std::vector<Rr>& updates) {
    return RcodeOf(Send(BuildUpdate("example.", prereqs, updates)));
  }
};

TEST_F(Rfc2136Test, AddsARecordAndBumpsTheSerial) {
  uint32_t before = Serial();
  EXPECT_EQ(Update({}, {Add("new.example.", RrType::kA, "192.0.2.7")}), Rcode::kNoError);
  ASSERT_NE(Find("new.example.", RrType::kA), nullptr);
  EXPECT_EQ(Serial(), before + 1);
}

TEST_F(Rfc2136Test, ResponseEchoesIdOpcodeAndZone) {
  auto response = Send(BuildUpdate("example.", {}, {Add("x.example.", RrType::kA, "192.0.2.9")}));
  EXPECT_EQ(response.header.id, 0x4242);
  EXPECT_TRUE(response.header.qr());
  EXPECT_EQ(response.header.opcode(), dns::Opcode::kUpdate);
  ASSERT_EQ(response.questions.size(), 1u);
  EXPECT_EQ(response.questions[0].name, N("example."));
}

TEST_F(Rfc2136Test, NoChangeKeepsTheSerial) {
  uint32_t before = Serial();
  EXPECT_EQ(Update({}, {Add("host.example.", RrType::kA, "192.0.2.1")}), Rcode::kNoError);
  EXPECT_EQ(Serial(), before);
}

TEST_F(Rfc2136Test, ReplaceIsDeleteRrsetThenAdd) {
  EXPECT_EQ(Update({}, {DeleteRrset("host.example.", RrType::kA), Add("host.example.", RrType::kA, "192.0.2.99")}),
            Rcode::kNoError);
  const zone::Rrset* a = Find("host.example.", RrType::kA);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->rdatas, std::vector<std::vector<uint8_t>>{Rdata(RrType::kA, "192.0.2.99")});
}

TEST_F(Rfc2136Test, DeletesOneRecord) {
  ASSERT_EQ(Update({}, {Add("host.example.", RrType::kA, "192.0.2.2")}), Rcode::kNoError);
  EXPECT_EQ(Update({}, {DeleteRr("host.example.", RrType::kA, "192.0.2.1")}), Rcode::kNoError);
  EXPECT_EQ(Find("host.example.", RrType::kA)->rdatas,
            std::vector<std::vector<uint8_t>>{Rdata(RrType::kA, "192.0.2.2")});
}

TEST_F(Rfc2136Test, DeletesAllRrsetsOfAName) {
  ASSERT_EQ(Update({}, {Add("host.example.", RrType::kTxt, "\"t\"")}), Rcode::kNoError);
  EXPECT_EQ(Update({}, {DeleteName("host.example.")}), Rcode::kNoError);
  EXPECT_TRUE(Content("host.example.").empty());
}

TEST_F(Rfc2136Test, AddingToAnRrsetTakesTheNewTtl) {
  EXPECT_EQ(Update({}, {Add("host.example.", RrType::kA, "192.0.2.2", 300)}), Rcode::kNoError);
  const zone::Rrset* a = Find("host.example.", RrType::kA);
  EXPECT_EQ(a->ttl, 300u);
  EXPECT_EQ(a->rdatas.size(), 2u);
}

TEST_F(Rfc2136Test, ApexSoaAndNsAreNeverDeleted) {
  EXPECT_EQ(Update({}, {DeleteRrset("example.", RrType::kSoa), DeleteRrset("example.", RrType::kNs),
                        DeleteName("example.")}),
            Rcode::kNoError);
  EXPECT_NE(Find("example.", RrType::kSoa), nullptr);
  EXPECT_NE(Find("example.", RrType::kNs), nullptr);
}

TEST_F(Rfc2136Test, LastApexNsIsKept) {
  EXPECT_EQ(Update({}, {DeleteRr("example.", RrType::kNs, "ns1.example.")}), Rcode::kNoError);
  EXPECT_NE(Find("example.", RrType::kNs), nullptr);
}

TEST_F(Rfc2136Test, CnameNextToOtherDataIsIgnored) {
  EXPECT_EQ(Update({}, {Add("host.example.", RrType::kCname, "other.example.")}), Rcode::kNoError);
  EXPECT_EQ(Find("host.example.", RrType::kCname), nullptr);
  ASSERT_EQ(Update({}, {Add("alias.example.", RrType::kCname, "host.example.")}), Rcode::kNoError);
  EXPECT_EQ(Update({}, {Add("alias.example.", RrType::kA, "192.0.2.5")}), Rcode::kNoError);
  EXPECT_EQ(Find("alias.example.", RrType::kA), nullptr);
}

TEST_F(Rfc2136Test, SoaSerialOnlyMovesForward) {
  uint32_t before = Serial();
  EXPECT_EQ(Update({}, {Add("example.", RrType::kSoa, "ns1.example. h.example. 5 3600 900 604800 60")}),
            Rcode::kNoError);
  EXPECT_EQ(Serial(), before);
  EXPECT_EQ(Update({}, {Add("example.", RrType::kSoa, "ns1.example. h.example. 500 3600 900 604800 60")}),
            Rcode::kNoError);
  EXPECT_EQ(Serial(), 500u);
}

TEST_F(Rfc2136Test, PrerequisiteNameInUse) {
  EXPECT_EQ(Update({NameInUse("nobody.example.")}, {Add("a.example.", RrType::kA, "192.0.2.1")}), Rcode::kNxDomain);
  EXPECT_EQ(Update({NameInUse("host.example.")}, {Add("a.example.", RrType::kA, "192.0.2.1")}), Rcode::kNoError);
}

TEST_F(Rfc2136Test, PrerequisiteNameNotInUse) {
  EXPECT_EQ(Update({NameAbsent("host.example.")}, {Add("b.example.", RrType::kA, "192.0.2.1")}), Rcode::kYxDomain);
  EXPECT_EQ(Update({NameAbsent("nobody.example.")}, {Add("b.example.", RrType::kA, "192.0.2.1")}), Rcode::kNoError);
}

TEST_F(Rfc2136Test, PrerequisiteRrsetExists) {
  EXPECT_EQ(Update({RrsetExists("host.example.", RrType::kAaaa)}, {}), Rcode::kNxRrset);
  EXPECT_EQ(Update({RrsetExists("host.example.", RrType::kA)}, {}), Rcode::kNoError);
}

TEST_F(Rfc2136Test, PrerequisiteRrsetDoesNotExist) {
  EXPECT_EQ(Update({RrsetAbsent("host.example.", RrType::kA)}, {}), Rcode::kYxRrset);
  EXPECT_EQ(Update({RrsetAbsent("host.example.", RrType::kAaaa)}, {}), Rcode::kNoError);
}

TEST_F(Rfc2136Test, PrerequisiteRrsetExistsWithValue) {
  EXPECT_EQ(Update({RrsetExistsValue("host.example.", RrType::kA, "192.0.2.99")}, {}), Rcode::kNxRrset);
  EXPECT_EQ(Update({RrsetExistsValue("host.example.", RrType::kA, "192.0.2.1")}, {}), Rcode::kNoError);
}

TEST_F(Rfc2136Test, FailedPrerequisiteAppliesNothing) {
  uint32_t before = Serial();
  EXPECT_EQ(Update({NameInUse("nobody.example.")}, {Add("c.example.", RrType::kA, "192.0.2.1")}), Rcode::kNxDomain);
  EXPECT_TRUE(Content("c.example.").empty());
  EXPECT_EQ(Serial(), before);
}

TEST_F(Rfc2136Test, PrerequisiteWithTtlIsFormErr) {
  Rr bad = NameInUse("host.example.");
  bad.ttl = 5;
  EXPECT_EQ(Update({bad}, {}), Rcode::kFormErr);
}

TEST_F(Rfc2136Test, UpdateOutsideTheZoneIsNotZoneAndAppliesNothing) {
  EXPECT_EQ(Update({}, {Add("d.example.", RrType::kA, "192.0.2.1"), Add("d.example.org.", RrType::kA, "192.0.2.1")}),
            Rcode::kNotZone);
  EXPECT_TRUE(Content("d.example.").empty());
}

TEST_F(Rfc2136Test, PrescanRejectsAddOfTypeAny) {
  Rr bad{"e.example.", 1, RrType::kAny, 60, ""};
  EXPECT_EQ(Update({}, {bad}), Rcode::kFormErr);
}

TEST_F(Rfc2136Test, PrescanRejectsDeleteWithTtl) {
  Rr bad = DeleteRrset("host.example.", RrType::kA);
  bad.ttl = 60;
  EXPECT_EQ(Update({}, {bad}), Rcode::kFormErr);
}

TEST_F(Rfc2136Test, UnknownZoneIsNotAuth) {
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.org.", {}, {Add("a.example.org.", RrType::kA, "192.0.2.1")}))),
            Rcode::kNotAuth);
}

TEST_F(Rfc2136Test, StaticZoneIsRefused) {
  registry_.Put(std::make_shared<zone::Zone>(N("static.example.")));
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("static.example.", {}, {Add("a.static.example.", RrType::kA, "192.0.2.1")}))),
            Rcode::kRefused);
}

TEST_F(Rfc2136Test, UnsignedFromAnotherAddressIsRefused) {
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("f.example.", RrType::kA, "192.0.2.1")}), "192.0.2.200")),
            Rcode::kRefused);
  EXPECT_TRUE(Content("f.example.").empty());
}

TEST_F(Rfc2136Test, SignedUpdateIsAppliedAndTheResponseSigned) {
  auto response = Send(BuildUpdate("example.", {}, {Add("g.example.", RrType::kA, "192.0.2.1")}, &key_, kNow),
                       "192.0.2.200");
  EXPECT_EQ(RcodeOf(response), Rcode::kNoError);
  EXPECT_NE(response.tsig_offset, 0u);
  EXPECT_NE(Find("g.example.", RrType::kA), nullptr);
}

TEST_F(Rfc2136Test, WrongSecretIsNotAuth) {
  dns::TsigKey wrong = key_;
  wrong.secret[0] ^= 1;
  auto response = Send(BuildUpdate("example.", {}, {Add("h.example.", RrType::kA, "192.0.2.1")}, &wrong, kNow));
  EXPECT_EQ(RcodeOf(response), Rcode::kNotAuth);
  EXPECT_TRUE(Content("h.example.").empty());
}

TEST_F(Rfc2136Test, UnknownKeyIsNotAuth) {
  dns::TsigKey other = key_;
  other.name = N("other.example.");
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("i.example.", RrType::kA, "192.0.2.1")}, &other, kNow))),
            Rcode::kNotAuth);
}

TEST_F(Rfc2136Test, StaleSignatureIsNotAuth) {
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("j.example.", RrType::kA, "192.0.2.1")}, &key_,
                                     kNow - 3600))),
            Rcode::kNotAuth);
}

TEST_F(Rfc2136Test, ZoneGrantCannotChangeApexNs) {
  auto response = Send(BuildUpdate("example.", {}, {Add("example.", RrType::kNs, "ns2.example.")}, &key_, kNow),
                       "192.0.2.200");
  EXPECT_EQ(RcodeOf(response), Rcode::kRefused);
}

TEST_F(Rfc2136Test, NameGrantCoversOnlyThatName) {
  SetAccess({store::KeyGrant{N("example."), store::GrantScope::kName, N("home.example."), {}}});
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("home.example.", RrType::kA, "192.0.2.1")}, &key_, kNow),
                         "192.0.2.200")),
            Rcode::kNoError);
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("x.home.example.", RrType::kA, "192.0.2.1")}, &key_, kNow),
                         "192.0.2.200")),
            Rcode::kRefused);
}

TEST_F(Rfc2136Test, SubtreeGrantCoversNamesBelow) {
  SetAccess({store::KeyGrant{N("example."), store::GrantScope::kSubtree, N("home.example."), {}}});
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("x.home.example.", RrType::kA, "192.0.2.1")}, &key_, kNow),
                         "192.0.2.200")),
            Rcode::kNoError);
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("other.example.", RrType::kA, "192.0.2.1")}, &key_, kNow),
                         "192.0.2.200")),
            Rcode::kRefused);
}

TEST_F(Rfc2136Test, AcmeGrantCoversOnlyTheChallengeTxt) {
  SetAccess({store::KeyGrant{N("example."), store::GrantScope::kAcme, N("home.example."), {}}});
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("_acme-challenge.home.example.", RrType::kTxt, "\"tok\"")},
                                     &key_, kNow),
                         "192.0.2.200")),
            Rcode::kNoError);
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("_acme-challenge.home.example.", RrType::kA, "192.0.2.1")},
                                     &key_, kNow),
                         "192.0.2.200")),
            Rcode::kRefused);
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("home.example.", RrType::kTxt, "\"tok\"")}, &key_, kNow),
                         "192.0.2.200")),
            Rcode::kRefused);
}

TEST_F(Rfc2136Test, TypeRestrictedGrant) {
  SetAccess({store::KeyGrant{N("example."), store::GrantScope::kZone, dns::Name(), {RrType::kA, RrType::kAaaa}}});
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("k.example.", RrType::kAaaa, "2001:db8::1")}, &key_, kNow),
                         "192.0.2.200")),
            Rcode::kNoError);
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("k.example.", RrType::kTxt, "\"x\"")}, &key_, kNow),
                         "192.0.2.200")),
            Rcode::kRefused);
  // Deleting every RRset of a name needs a grant without a type restriction.
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {DeleteName("k.example.")}, &key_, kNow), "192.0.2.200")),
            Rcode::kRefused);
}

TEST_F(Rfc2136Test, KeyWithoutAGrantForTheZoneIsRefused) {
  SetAccess({});
  EXPECT_EQ(RcodeOf(Send(BuildUpdate("example.", {}, {Add("l.example.", RrType::kA, "192.0.2.1")}, &key_, kNow),
                         "192.0.2.200")),
            Rcode::kRefused);
}

TEST_F(Rfc2136Test, JournalRecordsTheDiffWithSoas) {
  ASSERT_EQ(Update({}, {DeleteRrset("host.example.", RrType::kA), Add("host.example.", RrType::kA, "192.0.2.50")}),
            Rcode::kNoError);
  auto journal = store_->ReadJournal(1, 0);
  ASSERT_TRUE(journal);
  ASSERT_FALSE(journal->empty());
  const auto& entry = journal->back();
  EXPECT_EQ(entry.serial_to, Serial());
  ASSERT_EQ(entry.removed.size(), 2u);  // old SOA, old A
  ASSERT_EQ(entry.added.size(), 2u);    // new SOA, new A
  EXPECT_EQ(entry.removed[0].type, RrType::kSoa);
  EXPECT_EQ(entry.added[1].rdata, Rdata(RrType::kA, "192.0.2.50"));
}

TEST_F(Rfc2136Test, MalformedMessageIsFormErr) {
  auto message = BuildUpdate("example.", {}, {Add("m.example.", RrType::kA, "192.0.2.1")});
  message.resize(message.size() - 2);
  EXPECT_EQ(RcodeOf(Send(message)), Rcode::kFormErr);
}

}  // namespace
}  // namespace tether::update
