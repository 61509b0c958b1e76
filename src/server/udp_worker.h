// UdpWorker: one thread answering DNS over one UDP socket. Each worker has its own socket
// (SO_REUSEPORT spreads queries over them), receives and sends in batches
// (recvmmsg/sendmmsg), and answers a batch inside one QSBR read section over the current
// zone snapshot, so it never waits for a writer.
//
// Thread-safety: Start/Stop/Join from one controlling thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "server/query.h"
#include "server/query_watch_log.h"
#include "server/transfer_dispatcher.h"
#include "server/update_dispatcher.h"
#include "zone/zone_set.h"

namespace tether::server {

class UdpWorker {
 public:
  // Takes ownership of `fd`, a bound UDP socket. `reply_from_destination`: the socket is
  // bound to a wildcard address, so each reply is sent from the address the query was sent
  // to (IP_PKTINFO / IPV6_RECVPKTINFO).
  // `updates` (may be null: UPDATE gets NOTIMP) takes UPDATE messages; its replies are sent
  // from this worker's socket.
  // `thread_name`: at most 15 characters.
  UdpWorker(int fd, bool reply_from_destination, const zone::ZoneRegistry& zones,
            QueryOptions options, UpdateDispatcher* updates, const char* thread_name = "tether-udp");
  ~UdpWorker();
  UdpWorker(const UdpWorker&) = delete;
  UdpWorker& operator=(const UdpWorker&) = delete;

  // Zone transfer requests (AXFR/IXFR) go to `transfers` (null: the query path refuses
  // them); its answers are sent from this worker's socket. Call before Start.
  void set_transfers(TransferDispatcher* transfers) { transfers_ = transfers; }

  void Start();
  void Stop();  // asks the thread to finish; returns at once
  void Join();

 private:
  void Run();
  void QueueUpdate(const uint8_t* message, size_t size, const sockaddr_storage& peer,
                   socklen_t peer_length);

  int fd_;
  bool reply_from_destination_;
  const zone::ZoneRegistry& zones_;
  QueryOptions options_;
  UpdateDispatcher* updates_;
  TransferDispatcher* transfers_ = nullptr;
  const char* thread_name_;
  std::vector<InboundUpdate> pending_updates_;  // of the current batch; worker thread only
  QueryWatchLog watch_log_;                     // worker thread only
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tether::server
