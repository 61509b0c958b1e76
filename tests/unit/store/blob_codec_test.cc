#include "store/blob_codec.h"

#include <random>

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace tether::store {
namespace {

using testing::A;
using testing::N;

std::vector<zone::Rrset> SampleRrsets() {
  return {zone::Rrset{dns::RrType::kA, 60, {A(10, 0, 0, 1), A(10, 0, 0, 2)}},
          zone::Rrset{dns::RrType::kTxt, 300, {{3, 'a', 'b', 'c'}, {}}},
          zone::Rrset{dns::RrType::kAaaa, 60, {std::vector<uint8_t>(16, 1)}}};
}

TEST(BlobCodecTest, RrsetsRoundTrip) {
  auto rrsets = SampleRrsets();
  ASSERT_TRUE(NormalizeForStore(N("x.example."), &rrsets));
  std::vector<uint8_t> blob;
  EncodeRrsets(rrsets, &blob);
  auto decoded = DecodeRrsets(blob);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, rrsets);
}

TEST(BlobCodecTest, TruncatedRrsetsFailAtEveryLength) {
  auto rrsets = SampleRrsets();
  ASSERT_TRUE(NormalizeForStore(N("x.example."), &rrsets));
  std::vector<uint8_t> blob;
  EncodeRrsets(rrsets, &blob);
  for (size_t size = 0; size < blob.size(); ++size) {
    std::span<const uint8_t> cut(blob.data(), size);
    auto decoded = DecodeRrsets(cut);
    // A cut exactly between two RRsets is a shorter valid blob; anything else is damage.
    if (decoded) {
      EXPECT_LT(decoded->size(), rrsets.size()) << size;
    }
  }
}

TEST(BlobCodecTest, RandomBytesNeverCrash) {
  std::mt19937 random(7);
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> blob(random() % 64);
    for (auto& byte : blob) byte = static_cast<uint8_t>(random());
    if (!blob.empty() && i % 2 == 0) blob[0] = 1;  // get past the format byte
    (void)DecodeRrsets(blob);
    (void)DecodeJournalRrs(blob);
    (void)NameFromOwnerKey(blob, N("example."));
  }
}

TEST(BlobCodecTest, HugeCountIsDamage) {
  std::vector<uint8_t> blob = {1, 0, 1, 0, 0, 0, 60, 0xff, 0xff, 0, 4, 10, 0, 0, 1};
  EXPECT_FALSE(DecodeRrsets(blob));
}

TEST(BlobCodecTest, UnsortedTypesAreDamage) {
  std::vector<uint8_t> blob;
  EncodeRrsets(
      {zone::Rrset{dns::RrType::kTxt, 1, {{0}}}, zone::Rrset{dns::RrType::kA, 1, {A(1, 2, 3, 4)}}},
      &blob);
  EXPECT_FALSE(DecodeRrsets(blob));
}

TEST(BlobCodecTest, JournalRrsRoundTrip) {
  std::vector<JournalRr> rrs = {
      {N("a.example."), dns::RrType::kA, 60, A(1, 2, 3, 4)},
      {N("example."), dns::RrType::kSoa, 3600, testing::SoaRdata("example.", 9)},
      {N("b.example."), dns::RrType::kTxt, 0, {}}};
  std::vector<uint8_t> blob;
  EncodeJournalRrs(rrs, &blob);
  auto decoded = DecodeJournalRrs(blob);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, rrs);
  for (size_t size = 1; size < blob.size(); ++size) {
    auto cut = DecodeJournalRrs(std::span<const uint8_t>(blob.data(), size));
    if (cut) {
      EXPECT_LT(cut->size(), rrs.size()) << size;
    }
  }
}

TEST(BlobCodecTest, OwnerKeyRoundTrip) {
  const dns::Name origin = N("example.");
  for (const char* text : {"example.", "www.example.", "a.b.c.example."}) {
    dns::Name name = N(text);
    auto key = OwnerKey(name, origin);
    auto back = NameFromOwnerKey(key, origin);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, name);
  }
  EXPECT_TRUE(OwnerKey(origin, origin).empty());
}

TEST(BlobCodecTest, BadOwnerKeysAreDamage) {
  const dns::Name origin = N("example.");
  EXPECT_FALSE(NameFromOwnerKey(std::vector<uint8_t>{3, 'a', 'b'}, origin));  // short label
  EXPECT_FALSE(NameFromOwnerKey(std::vector<uint8_t>{0}, origin));            // root label
  EXPECT_FALSE(NameFromOwnerKey(std::vector<uint8_t>{64}, origin));           // too long
  std::vector<uint8_t> long_key;
  for (int i = 0; i < 5; ++i) {
    long_key.push_back(60);
    long_key.insert(long_key.end(), 60, 'a');
  }
  EXPECT_FALSE(NameFromOwnerKey(long_key, origin));  // over 255 bytes with the origin
}

TEST(BlobCodecTest, OversizedRrsetIsRefused) {
  std::vector<zone::Rrset> rrsets = {zone::Rrset{
      dns::RrType::kTxt, 1, {std::vector<uint8_t>(40000, 'a'), std::vector<uint8_t>(40000, 'b')}}};
  EXPECT_FALSE(NormalizeForStore(N("x.example."), &rrsets));
  std::vector<zone::Rrset> empty = {zone::Rrset{dns::RrType::kTxt, 1, {}}};
  EXPECT_FALSE(NormalizeForStore(N("x.example."), &empty));
}

}  // namespace
}  // namespace tether::store
