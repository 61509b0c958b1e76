#include "server/dns_server.h"

#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "base/log.h"
#include "base/qsbr.h"
#include "server/listeners.h"

namespace tether::server {

struct DnsServer::Loop {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard{io.get_executor()};
  std::unique_ptr<TcpServer> tcp;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::condition_variable wake;
};

DnsServer::DnsServer(DnsServerOptions options, zone::ZoneRegistry& zones)
    : options_(std::move(options)), zones_(zones), loop_(std::make_unique<Loop>()) {}

DnsServer::~DnsServer() { Stop(); }

Status DnsServer::Start() {
  loop_->tcp = std::make_unique<TcpServer>(loop_->io, zones_, options_.query, options_.tcp, options_.updates,
                                           options_.transfers);
  std::vector<EndpointSockets> opened;
  for (const Endpoint& endpoint : options_.endpoints) {
    auto sockets = OpenEndpoint(endpoint, options_.udp_workers_per_endpoint, options_.updates != nullptr);
    if (!sockets) {
      for (auto& done : opened) {
        for (int fd : done.udp) close(fd);
        if (done.update_udp >= 0) close(done.update_udp);
        close(done.tcp);
      }
      return tl::unexpected(sockets.error());
    }
    opened.push_back(std::move(*sockets));
  }
  for (auto& sockets : opened) {
    for (int fd : sockets.udp) {
      udp_workers_.push_back(std::make_unique<UdpWorker>(fd, sockets.wildcard, zones_, options_.query,
                                                               options_.updates));
    }
    if (sockets.update_udp >= 0) {
      // UPDATE messages are steered here (see listeners.h): the query threads never see them.
      udp_workers_.push_back(std::make_unique<UdpWorker>(sockets.update_udp, sockets.wildcard, zones_,
                                                         options_.query, options_.updates, "tether-udp-upd"));
    }
    loop_->tcp->AddListener(sockets.tcp, sockets.bound.family());
    bound_.push_back(sockets.bound);
  }
  for (auto& worker : udp_workers_) {
    worker->set_transfers(options_.transfers);
    worker->Start();
  }
  loop_->tcp->Start();
  for (int i = 0; i < options_.tcp_threads; ++i) {
    loop_->threads.emplace_back([this] {
      pthread_setname_np(pthread_self(), "tether-tcp");
      loop_->io.run();
    });
  }
  maintenance_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "tether-maint");
    std::unique_lock<std::mutex> lock(loop_->mu);
    while (!stopping_.load()) {
      loop_->wake.wait_for(lock, std::chrono::milliseconds(100));
      Qsbr::Global().Collect();
      for (const auto& zone : zones_.All()) zone->Maintain();
    }
  });
  for (const Endpoint& endpoint : bound_) spdlog::info("listening dns {}", endpoint.ToString());
  return Ok();
}

void DnsServer::Stop() {
  if (stopping_.exchange(true)) return;
  for (auto& worker : udp_workers_) worker->Stop();
  for (auto& worker : udp_workers_) worker->Join();
  if (loop_->tcp) loop_->tcp->Stop();
  loop_->guard.reset();
  loop_->io.stop();
  for (auto& thread : loop_->threads) thread.join();
  {
    std::lock_guard<std::mutex> lock(loop_->mu);
    loop_->wake.notify_all();
  }
  if (maintenance_.joinable()) maintenance_.join();
}

}  // namespace tether::server
