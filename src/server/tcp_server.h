// TcpServer: DNS over TCP per RFC 7766 on listening sockets opened elsewhere. Messages are
// length-prefixed; a connection may carry many queries, read while earlier answers are
// still being written (pipelining; answers go out in order). Idle connections are closed
// after `idle_timeout_ms`; at most `max_connections` are open at once (more are closed on
// accept). Runs on the Asio event loop thread(s) that the caller drives.
//
// Thread-safety: construct, AddListener and Start on one thread before the loop runs;
// Stop may be called from any thread.
#pragma once

#include <memory>

#include "server/query.h"
#include "server/transfer_dispatcher.h"
#include "server/update_dispatcher.h"
#include "zone/zone_set.h"

namespace boost::asio {
class io_context;
}

namespace tether::server {

struct TcpOptions {
  int idle_timeout_ms = 10000;
  int max_connections = 1000;
  int max_pending_answers = 32;  // per connection; reading pauses beyond it
};

class TcpServer {
 public:
  // `updates` may be null (UPDATE then gets NOTIMP), and `transfers` (AXFR/IXFR: REFUSED).
  TcpServer(boost::asio::io_context& io, const zone::ZoneRegistry& zones, QueryOptions query_options,
            TcpOptions tcp_options, UpdateDispatcher* updates,
            TransferDispatcher* transfers = nullptr);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  // Takes ownership of a listening socket.
  void AddListener(int fd, int family);
  void Start();
  void Stop();

  class Impl;  // public so that connections (in the .cc) can refer to it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace tether::server
