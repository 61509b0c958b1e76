// DnsServer: the DNS front end — for each configured endpoint, UDP workers (one socket and
// thread each) and a TCP listener on the same port, all answering from one ZoneRegistry;
// plus the maintenance thread that frees memory retired by zone writers.
//
// Thread-safety: Start/Stop from the controlling thread; the registry may be changed from
// any thread while the server runs.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "base/result.h"
#include "server/endpoint.h"
#include "server/query.h"
#include "server/tcp_server.h"
#include "server/udp_worker.h"
#include "zone/zone_set.h"

namespace tether::server {

struct DnsServerOptions {
  std::vector<Endpoint> endpoints;
  int udp_workers_per_endpoint = 1;
  int tcp_threads = 1;
  QueryOptions query;
  TcpOptions tcp;
  UpdateDispatcher* updates = nullptr;  // UPDATE messages go here (null: NOTIMP)
  TransferDispatcher* transfers = nullptr;  // AXFR/IXFR go here (null: REFUSED)
};

class DnsServer {
 public:
  DnsServer(DnsServerOptions options, zone::ZoneRegistry& zones);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // Opens every endpoint (logging "listening dns ADDR:PORT" for each) and starts serving.
  // Fails without serving anything if an endpoint cannot be opened.
  Status Start();
  void Stop();

  // The endpoints with their actual ports (after Start).
  const std::vector<Endpoint>& bound() const { return bound_; }

 private:
  struct Loop;

  DnsServerOptions options_;
  zone::ZoneRegistry& zones_;
  std::vector<Endpoint> bound_;
  std::vector<std::unique_ptr<UdpWorker>> udp_workers_;
  std::unique_ptr<Loop> loop_;
  std::atomic<bool> stopping_{false};
  std::thread maintenance_;
};

}  // namespace tether::server
