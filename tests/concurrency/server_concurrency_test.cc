// The real server (UDP workers, TCP loop, maintenance thread) on loopback, answering while a
// writer changes the zone and replaces it in the registry. Under ThreadSanitizer this covers
// every thread of the DNS front end.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "dns/rdata.h"
#include "server/dns_server.h"
#include "zone/zone.h"
#include "zone/zone_set.h"

namespace tether {
namespace {

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

zone::Rrset A(uint32_t value) {
  return zone::Rrset{dns::RrType::kA, 60,
                     {{static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
                       static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)}}};
}

std::shared_ptr<zone::Zone> NewZone() {
  auto zone = std::make_shared<zone::Zone>(N("example."));
  zone::Rrset soa{dns::RrType::kSoa, 60,
                  {*dns::RdataFromString(dns::RrType::kSoa, "ns.example. h.example. 1 60 60 60 60", dns::Name())}};
  EXPECT_TRUE(zone->Apply({{N("example."), {soa}}, {N("www.example."), {A(1)}}}));
  return zone;
}

std::vector<uint8_t> Query(uint16_t id) {
  std::vector<uint8_t> q = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  dns::Name name = N("www.example.");
  q.insert(q.end(), name.wire().begin(), name.wire().end());
  q.insert(q.end(), {0, 1, 0, 1});
  return q;
}

int Connect(const server::Endpoint& endpoint, int type) {
  int fd = socket(AF_INET, type, 0);
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  EXPECT_EQ(connect(fd, reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.length), 0);
  return fd;
}

TEST(ServerConcurrencyTest, AnswersUdpAndTcpWhileZonesChange) {
  zone::ZoneRegistry registry;
  auto zone = NewZone();
  registry.Put(zone);
  server::DnsServerOptions options;
  options.endpoints.push_back(*server::Endpoint::Parse("127.0.0.1:0"));
  options.udp_workers_per_endpoint = 2;
  server::DnsServer dns(options, registry);
  ASSERT_TRUE(dns.Start());
  const server::Endpoint endpoint = dns.bound().front();

  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (uint32_t i = 2; !done.load() && i < 100000; ++i) {
      EXPECT_TRUE(zone->Apply({{N("www.example."), {A(i)}}, {N("h" + std::to_string(i % 50) + ".example."), {A(i)}}}));
      if (i % 200 == 0) registry.Put(zone = NewZone());
      std::this_thread::yield();
    }
  });

  int udp_answers = 0;
  std::thread udp_client([&] {
    int fd = Connect(endpoint, SOCK_DGRAM);
    uint8_t buffer[512];
    for (uint16_t id = 1; id <= 1000; ++id) {
      auto query = Query(id);
      send(fd, query.data(), query.size(), 0);
      ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
      if (n > 12 && buffer[0] == (id >> 8) && buffer[1] == (id & 0xFF) && (buffer[3] & 0xF) == 0) ++udp_answers;
    }
    close(fd);
  });
  int tcp_answers = 0;
  std::thread tcp_client([&] {
    int fd = Connect(endpoint, SOCK_STREAM);
    for (uint16_t id = 1; id <= 300; ++id) {
      auto query = Query(id);
      query.insert(query.begin(), {0, static_cast<uint8_t>(query.size())});  // one write
      send(fd, query.data(), query.size(), 0);
      uint8_t header[2];
      if (recv(fd, header, 2, MSG_WAITALL) != 2) break;
      std::vector<uint8_t> response(size_t{header[0]} << 8 | header[1]);
      if (recv(fd, response.data(), response.size(), MSG_WAITALL) != static_cast<ssize_t>(response.size())) break;
      if (response[1] == (id & 0xFF) && (response[3] & 0xF) == 0) ++tcp_answers;
    }
    close(fd);
  });
  udp_client.join();
  tcp_client.join();
  done.store(true);
  writer.join();
  dns.Stop();
  EXPECT_GE(udp_answers, 990);  // loopback UDP: essentially nothing is lost
  EXPECT_EQ(tcp_answers, 300);
}

}  // namespace
}  // namespace tether
