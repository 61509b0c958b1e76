// TransferReader: the client side's reading of AXFR and IXFR response streams, good and bad.
#include "xfr/transfer_reader.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "transfer_test_util.h"

namespace tether::xfr::testing {
namespace {

const char* kOrigin = "example.com.";

RecordList Axfr(uint32_t serial, int hosts) {
  RecordList records;
  AddSoa(records, kOrigin, serial);
  AddNs(records, kOrigin);
  for (int i = 0; i < hosts; ++i) AddA(records, "h" + std::to_string(i) + ".example.com.", static_cast<uint8_t>(i));
  AddSoa(records, kOrigin, serial);
  return records;
}

// 5 -> 6: www 192.0.2.1 becomes 192.0.2.2; 6 -> 7: mail added.
RecordList Ixfr() {
  RecordList records;
  AddSoa(records, kOrigin, 7);
  AddSoa(records, kOrigin, 5);
  AddA(records, "www.example.com.", 1);
  AddSoa(records, kOrigin, 6);
  AddA(records, "www.example.com.", 2);
  AddSoa(records, kOrigin, 6);
  AddSoa(records, kOrigin, 7);
  AddA(records, "mail.example.com.", 3);
  AddSoa(records, kOrigin, 7);
  return records;
}

TEST(TransferReaderTest, AxfrInSeveralMessagesIsFull) {
  Exchange exchange = MakeExchange(kOrigin, dns::RrType::kAxfr, Axfr(9, 40), std::nullopt, 300);
  ASSERT_GT(exchange.messages.size(), 2u);
  auto transfer = Read(exchange);
  ASSERT_TRUE(transfer) << transfer.error().message;
  EXPECT_EQ(transfer->kind, TransferKind::kFull);
  EXPECT_EQ(transfer->serial, 9u);
  EXPECT_EQ(transfer->records.count(), 41u);  // NS and 40 addresses, not the SOAs
  EXPECT_EQ(transfer->messages, exchange.messages.size());
}

TEST(TransferReaderTest, IxfrIsTheChangesInOrder) {
  auto transfer = Read(MakeExchange(kOrigin, dns::RrType::kIxfr, Ixfr(), 5));
  ASSERT_TRUE(transfer) << transfer.error().message;
  EXPECT_EQ(transfer->kind, TransferKind::kIncremental);
  EXPECT_EQ(transfer->serial, 7u);
  ASSERT_EQ(transfer->changes.size(), 2u);
  EXPECT_EQ(transfer->changes[0].serial_from, 5u);
  EXPECT_EQ(transfer->changes[0].serial_to, 6u);
  EXPECT_EQ(transfer->changes[0].removed.size(), 2u);  // the old SOA and www
  EXPECT_EQ(transfer->changes[0].added.size(), 2u);
  EXPECT_EQ(transfer->changes[1].serial_from, 6u);
  EXPECT_EQ(transfer->changes[1].serial_to, 7u);
  EXPECT_EQ(transfer->changes[1].removed.size(), 1u);
  EXPECT_EQ(transfer->changes[1].added.size(), 2u);
}

TEST(TransferReaderTest, IxfrSingleSoaIsUpToDate) {
  RecordList records;
  AddSoa(records, kOrigin, 5);
  auto transfer = Read(MakeExchange(kOrigin, dns::RrType::kIxfr, records, 5));
  ASSERT_TRUE(transfer) << transfer.error().message;
  EXPECT_EQ(transfer->kind, TransferKind::kUpToDate);
}

TEST(TransferReaderTest, IxfrAnsweredWithTheWholeZoneIsFull) {
  auto transfer = Read(MakeExchange(kOrigin, dns::RrType::kIxfr, Axfr(9, 3), 5));
  ASSERT_TRUE(transfer) << transfer.error().message;
  EXPECT_EQ(transfer->kind, TransferKind::kFull);
  EXPECT_EQ(transfer->records.count(), 4u);
}

TEST(TransferReaderTest, FirstRecordNotTheSoaFails) {
  RecordList records;
  AddNs(records, kOrigin);
  AddSoa(records, kOrigin, 5);
  EXPECT_FALSE(Read(MakeExchange(kOrigin, dns::RrType::kAxfr, records)));
}

TEST(TransferReaderTest, AxfrClosedByAnotherSoaFails) {
  RecordList wrong;
  AddSoa(wrong, kOrigin, 9);
  AddNs(wrong, kOrigin);
  AddSoa(wrong, kOrigin, 10);
  auto transfer = Read(MakeExchange(kOrigin, dns::RrType::kAxfr, wrong));
  ASSERT_FALSE(transfer);
  EXPECT_NE(transfer.error().message.find("two different SOAs"), std::string::npos);
}

TEST(TransferReaderTest, SoaOfAnotherZoneFirstFails) {
  RecordList records;
  AddSoa(records, "other.com.", 5);
  EXPECT_FALSE(Read(MakeExchange(kOrigin, dns::RrType::kAxfr, records)));
}

TEST(TransferReaderTest, IxfrChangeNotFollowingOnFails) {
  RecordList records;
  AddSoa(records, kOrigin, 8);
  AddSoa(records, kOrigin, 5);
  AddSoa(records, kOrigin, 6);
  AddSoa(records, kOrigin, 7);  // should start at 6
  AddSoa(records, kOrigin, 8);
  AddSoa(records, kOrigin, 8);
  EXPECT_FALSE(Read(MakeExchange(kOrigin, dns::RrType::kIxfr, records, 5)));
}

TEST(TransferReaderTest, IxfrChangeGoingBackFails) {
  RecordList records;
  AddSoa(records, kOrigin, 8);
  AddSoa(records, kOrigin, 5);
  AddSoa(records, kOrigin, 4);
  AddSoa(records, kOrigin, 8);
  EXPECT_FALSE(Read(MakeExchange(kOrigin, dns::RrType::kIxfr, records, 5)));
}

TEST(TransferReaderTest, RecordsAfterTheLastSoaFail) {
  RecordList records = Axfr(9, 1);
  AddA(records, "late.example.com.", 9);
  EXPECT_FALSE(Read(MakeExchange(kOrigin, dns::RrType::kAxfr, records)));
}

TEST(TransferReaderTest, MessageAfterTheEndFails) {
  Exchange exchange = MakeExchange(kOrigin, dns::RrType::kAxfr, Axfr(9, 1));
  exchange.messages.push_back(exchange.messages.back());
  EXPECT_FALSE(Read(exchange));
}

TEST(TransferReaderTest, StreamCutShortIsNotDone) {
  Exchange exchange = MakeExchange(kOrigin, dns::RrType::kAxfr, Axfr(9, 40), std::nullopt, 300);
  TransferReader reader(exchange.info);
  for (size_t i = 0; i + 1 < exchange.messages.size(); ++i) {
    ASSERT_TRUE(reader.Add(exchange.messages[i], kNow));
  }
  EXPECT_FALSE(reader.done());
}

TEST(TransferReaderTest, TruncatedMessageFails) {
  Exchange exchange = MakeExchange(kOrigin, dns::RrType::kAxfr, Axfr(9, 3));
  exchange.messages.front().resize(exchange.messages.front().size() - 3);
  EXPECT_FALSE(Read(exchange));
}

TEST(TransferReaderTest, AnswerWithAnotherIdFails) {
  Exchange exchange = MakeExchange(kOrigin, dns::RrType::kAxfr, Axfr(9, 1));
  exchange.info.id = kId + 1;
  EXPECT_FALSE(Read(exchange));
}

TEST(TransferReaderTest, AnswerToAnotherQuestionFails) {
  Exchange exchange = MakeExchange(kOrigin, dns::RrType::kAxfr, Axfr(9, 1));
  exchange.info.origin = N("example.net.");
  EXPECT_FALSE(Read(exchange));
}

TEST(TransferReaderTest, ErrorRcodeIsUnavailable) {
  ResponseHeader header{kId, false, {}};
  Exchange exchange;
  exchange.info.origin = N(kOrigin);
  exchange.info.id = kId;
  exchange.messages.push_back(ErrorResponse(header, dns::Rcode::kNotImp, nullptr, kNow));
  auto transfer = Read(exchange);
  ASSERT_FALSE(transfer);
  EXPECT_EQ(transfer.error().code, ErrorCode::kUnavailable);
}

TEST(TransferReaderTest, RecordsOutsideTheZoneAreSkipped) {
  RecordList records;
  AddSoa(records, kOrigin, 9);
  AddNs(records, kOrigin);
  AddA(records, "glue.example.net.", 1);
  AddSoa(records, kOrigin, 9);
  auto transfer = Read(MakeExchange(kOrigin, dns::RrType::kAxfr, records));
  ASSERT_TRUE(transfer) << transfer.error().message;
  EXPECT_EQ(transfer->records.count(), 1u);
  EXPECT_EQ(transfer->skipped, 1u);
}

TEST(TransferReaderTest, SignedStreamVerifiesEveryMessage) {
  Exchange exchange =
      MakeExchange(kOrigin, dns::RrType::kIxfr, Ixfr(), 5, 600, Key());
  ASSERT_GT(exchange.messages.size(), 1u);
  auto transfer = Read(exchange);
  ASSERT_TRUE(transfer) << transfer.error().message;
  EXPECT_EQ(transfer->changes.size(), 2u);
}

TEST(TransferReaderTest, StreamSignedWithAnotherSecretFails) {
  auto transfer = Read(MakeExchange(kOrigin, dns::RrType::kAxfr, Axfr(9, 3), std::nullopt,
                                    kMaxTcpMessage, Key(7), Key(8)));
  ASSERT_FALSE(transfer);
  EXPECT_EQ(transfer.error().code, ErrorCode::kPermissionDenied);
}

TEST(TransferReaderTest, UnsignedStreamWhenSignedExpectedFails) {
  auto transfer = Read(MakeExchange(kOrigin, dns::RrType::kAxfr, Axfr(9, 3), std::nullopt,
                                    kMaxTcpMessage, std::nullopt, Key()));
  ASSERT_FALSE(transfer);
  EXPECT_EQ(transfer.error().code, ErrorCode::kPermissionDenied);
}

TEST(TransferReaderTest, TamperedSignedMessageFails) {
  Exchange exchange = MakeExchange(kOrigin, dns::RrType::kAxfr, Axfr(9, 40), std::nullopt, 700, Key());
  ASSERT_GT(exchange.messages.size(), 2u);
  // An address in the second message changed in flight.
  std::vector<uint8_t>& second = exchange.messages[1];
  const uint8_t pattern[] = {192, 0, 2};
  auto at = std::search(second.begin(), second.end(), std::begin(pattern), std::end(pattern));
  ASSERT_NE(at, second.end());
  at[3] ^= 1;
  auto transfer = Read(exchange);
  ASSERT_FALSE(transfer);
  EXPECT_EQ(transfer.error().code, ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace tether::xfr::testing
