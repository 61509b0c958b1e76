// The audit log's chain check (abuse/audit.h) and its hash encoding (store/audit.h).
#include "abuse/audit.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tether::abuse {
namespace {

using store::AuditEntry;

// A chain of `count` entries as the store would build it.
std::vector<AuditEntry> Chain(int count) {
  std::vector<AuditEntry> entries;
  std::string prev = store::kAuditGenesisHash;
  for (int i = 1; i <= count; ++i) {
    AuditEntry entry;
    entry.seq = static_cast<uint64_t>(i);
    entry.time = 1700000000 + i;
    entry.actor = "admin";
    entry.action = "host.remove";
    entry.reason = "reason " + std::to_string(i);
    entry.reference = "case-" + std::to_string(i);
    entry.names = {"h" + std::to_string(i) + ".dyn.example.", "x.dyn.example."};
    entry.serial_before = static_cast<uint32_t>(10 + i);
    entry.serial_after = static_cast<uint32_t>(11 + i);
    entry.prev_hash = prev;
    entry.hash = store::AuditHash(entry);
    prev = entry.hash;
    entries.push_back(entry);
  }
  return entries;
}

TEST(AuditHashTest, EncodingIsNetstringsInFixedOrder) {
  AuditEntry entry;
  entry.seq = 1;
  entry.time = 5;
  entry.actor = "admin";
  entry.action = "a";
  entry.names = {"x.example."};
  entry.prev_hash = "ab";
  EXPECT_EQ(store::AuditEncoding(entry),
            "2:ab,1:1,1:5,5:admin,1:a,0:,0:,1:1,10:x.example.,1:0,1:0,");
}

TEST(AuditHashTest, HashIsSha256HexOfTheEncoding) {
  AuditEntry entry;
  // sha256("0:,1:0,1:0,0:,0:,0:,0:,1:0,1:0,1:0,") computed independently (python hashlib).
  EXPECT_EQ(store::AuditEncoding(entry), "0:,1:0,1:0,0:,0:,0:,0:,1:0,1:0,1:0,");
  EXPECT_EQ(store::AuditHash(entry),
            "b84e46f2be7a25d903848617dcc7706bf1d98c4b5830f999e7d403929b6b0d69");
  AuditEntry other = entry;
  other.reason = "r";
  EXPECT_NE(store::AuditHash(other), store::AuditHash(entry));
}

TEST(AuditHashTest, FieldBoundariesAreUnambiguous) {
  AuditEntry a;
  a.reason = "ab";
  a.reference = "c";
  AuditEntry b;
  b.reason = "a";
  b.reference = "bc";
  EXPECT_NE(store::AuditHash(a), store::AuditHash(b));
  AuditEntry c;
  c.names = {"a.b."};
  AuditEntry d;
  d.names = {"a.", "b."};
  EXPECT_NE(store::AuditHash(c), store::AuditHash(d));
}

TEST(AuditVerifyTest, EmptyLogIsOk) {
  const AuditVerdict verdict = VerifyAudit({});
  EXPECT_TRUE(verdict.ok);
  EXPECT_EQ(verdict.entries, 0u);
}

TEST(AuditVerifyTest, IntactChainIsOk) {
  const AuditVerdict verdict = VerifyAudit(Chain(5));
  EXPECT_TRUE(verdict.ok) << verdict.why;
  EXPECT_EQ(verdict.entries, 5u);
}

TEST(AuditVerifyTest, ChangedReasonBreaksAtThatEntry) {
  auto entries = Chain(5);
  entries[2].reason = "x";
  const AuditVerdict verdict = VerifyAudit(entries);
  EXPECT_FALSE(verdict.ok);
  EXPECT_EQ(verdict.broken_at, 3u);
  EXPECT_EQ(verdict.entries, 2u);
  EXPECT_NE(verdict.why.find("hash"), std::string::npos);
}

TEST(AuditVerifyTest, ChangedNameBreaksAtThatEntry) {
  auto entries = Chain(5);
  entries[3].names[1] = "y.dyn.example.";
  const AuditVerdict verdict = VerifyAudit(entries);
  EXPECT_FALSE(verdict.ok);
  EXPECT_EQ(verdict.broken_at, 4u);
}

TEST(AuditVerifyTest, RehashedEntryBreaksAtTheNext) {
  // A tamperer who recomputes the changed entry's hash still breaks the next link.
  auto entries = Chain(5);
  entries[1].reason = "x";
  entries[1].hash = store::AuditHash(entries[1]);
  const AuditVerdict verdict = VerifyAudit(entries);
  EXPECT_FALSE(verdict.ok);
  EXPECT_EQ(verdict.broken_at, 3u);
  EXPECT_NE(verdict.why.find("prev_hash"), std::string::npos);
}

TEST(AuditVerifyTest, DeletedEntryBreaksWhereItWas) {
  auto entries = Chain(5);
  entries.erase(entries.begin() + 2);
  const AuditVerdict verdict = VerifyAudit(entries);
  EXPECT_FALSE(verdict.ok);
  EXPECT_EQ(verdict.broken_at, 3u);
  EXPECT_NE(verdict.why.find("seq is 4"), std::string::npos) << verdict.why;
}

TEST(AuditVerifyTest, DeletedFirstEntryBreaksAtOne) {
  auto entries = Chain(3);
  entries.erase(entries.begin());
  const AuditVerdict verdict = VerifyAudit(entries);
  EXPECT_FALSE(verdict.ok);
  EXPECT_EQ(verdict.broken_at, 1u);
}

TEST(AuditVerifyTest, ReorderedEntriesBreak) {
  auto entries = Chain(5);
  std::swap(entries[1], entries[2]);
  const AuditVerdict verdict = VerifyAudit(entries);
  EXPECT_FALSE(verdict.ok);
  EXPECT_EQ(verdict.broken_at, 2u);
}

TEST(AuditVerifyTest, RenumberedReorderBreaksOnPrevHash) {
  auto entries = Chain(5);
  std::swap(entries[1], entries[2]);
  entries[1].seq = 2;
  entries[2].seq = 3;
  const AuditVerdict verdict = VerifyAudit(entries);
  EXPECT_FALSE(verdict.ok);
  EXPECT_EQ(verdict.broken_at, 2u);
}

TEST(AuditVerifyTest, FirstEntryMustChainFromZeros) {
  auto entries = Chain(2);
  entries[0].prev_hash = std::string(64, 'f');
  entries[0].hash = store::AuditHash(entries[0]);
  const AuditVerdict verdict = VerifyAudit(entries);
  EXPECT_FALSE(verdict.ok);
  EXPECT_EQ(verdict.broken_at, 1u);
}

TEST(AuditVerifyTest, VerifierLatchesTheFirstFailure) {
  auto entries = Chain(4);
  entries[1].actor = "mallory";
  AuditVerifier verifier;
  EXPECT_TRUE(verifier.Add(entries[0]));
  EXPECT_FALSE(verifier.Add(entries[1]));
  EXPECT_FALSE(verifier.Add(entries[2]));
  EXPECT_EQ(verifier.verdict().broken_at, 2u);
}

}  // namespace
}  // namespace tether::abuse
