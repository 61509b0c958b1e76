// NOTIFY (xfr/notifier.h) against a fake secondary on a loopback socket: the message,
// retries, coalescing of serials published while one is in flight, and TSIG.
#include "xfr/notifier.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "dns/wire/message.h"
#include "store/serial.h"

namespace tether::xfr {
namespace {

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

zone::Rrset Soa(uint32_t serial) {
  std::vector<uint8_t> rdata;
  for (const char* name : {"ns1.example.", "h.example."}) {
    const dns::Name owner = N(name);
    rdata.insert(rdata.end(), owner.wire().begin(), owner.wire().end());
  }
  for (uint32_t field : {serial, 3600u, 900u, 1209600u, 60u}) {
    for (int shift = 24; shift >= 0; shift -= 8) rdata.push_back(static_cast<uint8_t>(field >> shift));
  }
  return zone::Rrset{dns::RrType::kSoa, 3600, {rdata}};
}

class NotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  void TearDown() override {
    notifier_.reset();
    close(fd_);
  }

  void Start(std::optional<dns::Name> key_name, NotifierOptions options) {
    auto policies = std::make_shared<TransferPolicies>();
    ZonePolicy policy;
    policy.secondaries.push_back({*ParsePeerAddress("127.0.0.1:" + std::to_string(port_)), key_name});
    policies->Set(N("example."), policy);
    std::shared_ptr<const TransferPolicies> shared = policies;
    notifier_ = std::make_unique<Notifier>(
        [shared] { return shared; },
        [this](const dns::Name& name) -> std::optional<dns::TsigKey> {
          if (name == key_.name) return key_;
          return std::nullopt;
        },
        options);
    ASSERT_TRUE(notifier_->Start());
  }

  // The next NOTIFY received within `ms`; its sender in *from.
  std::optional<std::vector<uint8_t>> Receive(int ms, sockaddr_storage* from = nullptr) {
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, ms) <= 0) return std::nullopt;
    std::vector<uint8_t> buffer(4096);
    sockaddr_storage sender{};
    socklen_t length = sizeof(sender);
    ssize_t size = recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&sender), &length);
    if (size <= 0) return std::nullopt;
    buffer.resize(static_cast<size_t>(size));
    if (from != nullptr) *from = sender;
    return buffer;
  }

  void Answer(const std::vector<uint8_t>& request, const sockaddr_storage& to) {
    std::vector<uint8_t> reply(request.begin(), request.begin() + 12);
    reply[2] |= 0x80;  // QR
    reply[6] = reply[7] = reply[8] = reply[9] = reply[10] = reply[11] = 0;
    sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof(sockaddr_in));
  }

  static uint32_t SerialOf(const std::vector<uint8_t>& message) {
    auto parsed = dns::ParseMessage(message);
    EXPECT_TRUE(parsed);
    if (!parsed || parsed->answers.empty()) return 0;
    return *store::SoaSerial(parsed->answers[0].rdata);
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  dns::TsigKey key_{N("xfr.key."), dns::TsigAlgorithm::kHmacSha256, {4, 5, 6}};
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(NotifierTest, SendsNotifyWithTheSoa) {
  Start(std::nullopt, {});
  notifier_->Notify(N("example."), Soa(7));
  auto message = Receive(2000);
  ASSERT_TRUE(message);
  auto parsed = dns::ParseMessage(*message);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->header.opcode(), dns::Opcode::kNotify);
  EXPECT_NE(parsed->header.flags & dns::kFlagAa, 0);
  ASSERT_EQ(parsed->questions.size(), 1u);
  EXPECT_EQ(parsed->questions[0].name, N("example."));
  EXPECT_EQ(parsed->questions[0].type, dns::RrType::kSoa);
  EXPECT_EQ(SerialOf(*message), 7u);
  EXPECT_EQ(parsed->tsig_offset, 0u);
}

TEST_F(NotifierTest, RetriesUntilAnsweredThenStops) {
  Start(std::nullopt, {.tries = 5, .first_timeout = std::chrono::milliseconds(50)});
  notifier_->Notify(N("example."), Soa(7));
  sockaddr_storage from{};
  ASSERT_TRUE(Receive(2000));
  auto retry = Receive(2000, &from);  // unanswered: sent again
  ASSERT_TRUE(retry);
  EXPECT_EQ(SerialOf(*retry), 7u);
  Answer(*retry, from);
  EXPECT_FALSE(Receive(400));  // answered: no more
  EXPECT_EQ(notifier_->Stats().answered, 1u);
}

TEST_F(NotifierTest, GivesUpAfterTheTries) {
  Start(std::nullopt, {.tries = 3, .first_timeout = std::chrono::milliseconds(20)});
  notifier_->Notify(N("example."), Soa(7));
  int received = 0;
  while (Receive(500)) ++received;
  EXPECT_EQ(received, 3);
  EXPECT_EQ(notifier_->Stats().failed, 1u);
}

TEST_F(NotifierTest, SerialsWhileInFlightBecomeOneNotifyForTheLatest) {
  Start(std::nullopt, {.tries = 5, .first_timeout = std::chrono::milliseconds(5000)});
  notifier_->Notify(N("example."), Soa(1));
  sockaddr_storage from{};
  auto first = Receive(2000, &from);
  ASSERT_TRUE(first);
  for (uint32_t serial = 2; serial <= 10; ++serial) notifier_->Notify(N("example."), Soa(serial));
  EXPECT_FALSE(Receive(200));  // one in flight: the others wait
  Answer(*first, from);
  auto next = Receive(2000);
  ASSERT_TRUE(next);
  EXPECT_EQ(SerialOf(*next), 10u);
}

TEST_F(NotifierTest, SignsWithTheSecondarysKey) {
  Start(N("xfr.key."), {});
  notifier_->Notify(N("example."), Soa(3));
  auto message = Receive(2000);
  ASSERT_TRUE(message);
  dns::TsigVerification verification =
      dns::VerifyRequest(*message, [this](const dns::Name&) { return &key_; },
                         static_cast<uint64_t>(time(nullptr)));
  EXPECT_EQ(verification.status, dns::TsigStatus::kOk);
}

}  // namespace
}  // namespace tether::xfr
