#include "server/udp_worker.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "base/log.h"
#include "base/qsbr.h"

namespace tether::server {

namespace {

constexpr unsigned kBatch = 64;
constexpr size_t kMaxRequest = 16384;   // larger datagrams are truncated and dropped
constexpr size_t kMaxResponse = 65535;  // we never send more than options.max_udp_payload
constexpr size_t kControlSize = 64;

struct Buffers {
  mmsghdr in_msgs[kBatch];
  iovec in_iov[kBatch];
  sockaddr_storage peers[kBatch];
  alignas(cmsghdr) uint8_t in_control[kBatch][kControlSize];
  uint8_t in[kBatch][kMaxRequest];

  mmsghdr out_msgs[kBatch];
  iovec out_iov[kBatch];
  alignas(cmsghdr) uint8_t out_control[kBatch][kControlSize];
  uint8_t* out[kBatch];
};

// Copies the destination address of a received datagram into the control data of its
// reply, so that the reply leaves from the address the client sent to.
size_t ReplySource(const msghdr& in, uint8_t* control) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&in); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&in), c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      in_pktinfo reply{};
      reply.ipi_spec_dst = info.ipi_addr;
      reply.ipi_ifindex = info.ipi_ifindex;
      auto* out = reinterpret_cast<cmsghdr*>(control);
      out->cmsg_level = IPPROTO_IP;
      out->cmsg_type = IP_PKTINFO;
      out->cmsg_len = CMSG_LEN(sizeof(reply));
      std::memcpy(CMSG_DATA(out), &reply, sizeof(reply));
      return CMSG_SPACE(sizeof(reply));
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof(info));
      auto* out = reinterpret_cast<cmsghdr*>(control);
      out->cmsg_level = IPPROTO_IPV6;
      out->cmsg_type = IPV6_PKTINFO;
      out->cmsg_len = CMSG_LEN(sizeof(info));
      std::memcpy(CMSG_DATA(out), &info, sizeof(info));
      return CMSG_SPACE(sizeof(info));
    }
  }
  return 0;
}

}  // namespace

UdpWorker::UdpWorker(int fd, bool reply_from_destination, const zone::ZoneRegistry& zones,
                     QueryOptions options, UpdateDispatcher* updates, const char* thread_name)
    : fd_(fd),
      reply_from_destination_(reply_from_destination),
      zones_(zones),
      options_(options),
      updates_(updates),
      thread_name_(thread_name) {}

UdpWorker::~UdpWorker() {
  Stop();
  Join();
  close(fd_);
}

void UdpWorker::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), thread_name_);  // for per-thread CPU accounting
    Run();
  });
}

void UdpWorker::Stop() {
  if (stop_.exchange(true)) return;
  // Wakes a thread blocked in recvmmsg (Linux wakes readers even on unconnected UDP).
  shutdown(fd_, SHUT_RDWR);
}

void UdpWorker::Join() {
  if (thread_.joinable()) thread_.join();
}

void UdpWorker::QueueUpdate(const uint8_t* message, size_t size, const sockaddr_storage& peer,
                            socklen_t peer_length) {
  // The reply comes later from the update path, through this socket (the socket outlives the
  // update path: it is closed only when the worker is destroyed).
  InboundUpdate update;
  update.message.assign(message, message + size);
  update.peer = peer;
  update.reply = [fd = fd_, peer, peer_length](std::vector<uint8_t> response) {
    if (response.empty()) return;
    sendto(fd, response.data(), response.size(), 0, reinterpret_cast<const sockaddr*>(&peer), peer_length);
  };
  pending_updates_.push_back(std::move(update));
}

void UdpWorker::Run() {
  auto buffers = std::make_unique<Buffers>();
  Buffers& b = *buffers;
  // Responses live in one block sized for the configured payload, not 64 KiB each.
  const size_t response_capacity = std::min<size_t>(kMaxResponse, options_.max_udp_payload);
  std::unique_ptr<uint8_t[]> out_block(new uint8_t[kBatch * response_capacity]);
  for (unsigned i = 0; i < kBatch; ++i) b.out[i] = out_block.get() + i * response_capacity;

  ReaderSlot* slot = Qsbr::Global().RegisterReader();
  while (!stop_.load(std::memory_order_relaxed)) {
    for (unsigned i = 0; i < kBatch; ++i) {
      b.in_iov[i] = {b.in[i], kMaxRequest};
      msghdr& h = b.in_msgs[i].msg_hdr;
      h.msg_name = &b.peers[i];
      h.msg_namelen = sizeof(b.peers[i]);
      h.msg_iov = &b.in_iov[i];
      h.msg_iovlen = 1;
      h.msg_control = reply_from_destination_ ? b.in_control[i] : nullptr;
      h.msg_controllen = reply_from_destination_ ? kControlSize : 0;
      h.msg_flags = 0;
    }
    int received = recvmmsg(fd_, b.in_msgs, kBatch, MSG_WAITFORONE, nullptr);
    if (received <= 0) {
      if (received < 0 && errno != EINTR && errno != EAGAIN && !stop_.load()) {
        spdlog::warn("udp receive failed: {}", std::strerror(errno));
      }
      continue;
    }
    unsigned replies = 0;
    slot->Enter();
    const zone::ZoneSet* zones = zones_.Current();
    for (int i = 0; i < received; ++i) {
      const msghdr& in = b.in_msgs[i].msg_hdr;
      if ((in.msg_flags & MSG_TRUNC) != 0) continue;
      if (updates_ != nullptr && IsUpdateRequest(b.in[i], b.in_msgs[i].msg_len)) {
        QueueUpdate(b.in[i], b.in_msgs[i].msg_len, b.peers[i], in.msg_namelen);
        continue;
      }
      if (transfers_ != nullptr && IsTransferRequest(b.in[i], b.in_msgs[i].msg_len)) {
        InboundTransfer transfer;
        transfer.message.assign(b.in[i], b.in[i] + b.in_msgs[i].msg_len);
        transfer.peer = b.peers[i];
        transfer.send = [fd = fd_, peer = b.peers[i], length = in.msg_namelen](
                            std::vector<uint8_t> response, bool) {
          if (response.empty()) return;
          sendto(fd, response.data(), response.size(), 0, reinterpret_cast<const sockaddr*>(&peer),
                 length);
        };
        transfers_->Dispatch(std::move(transfer));
        continue;
      }
      bool watched = false;
      size_t size = HandleQuery(*zones, {b.in[i], b.in_msgs[i].msg_len}, Transport::kUdp, options_,
                                b.out[replies], response_capacity, &watched);
      if (watched) {
        watch_log_.Log({b.in[i], b.in_msgs[i].msg_len}, reinterpret_cast<const sockaddr*>(&b.peers[i]),
                       in.msg_namelen);
      }
      if (size == 0) continue;
      b.out_iov[replies] = {b.out[replies], size};
      msghdr& out = b.out_msgs[replies].msg_hdr;
      out.msg_name = &b.peers[i];
      out.msg_namelen = in.msg_namelen;
      out.msg_iov = &b.out_iov[replies];
      out.msg_iovlen = 1;
      out.msg_controllen = reply_from_destination_ ? ReplySource(in, b.out_control[replies]) : 0;
      out.msg_control = out.msg_controllen > 0 ? b.out_control[replies] : nullptr;
      out.msg_flags = 0;
      ++replies;
    }
    slot->Exit();
    if (!pending_updates_.empty()) {
      updates_->Dispatch(std::move(pending_updates_));
      pending_updates_.clear();
    }
    unsigned sent = 0;
    while (sent < replies) {
      int n = sendmmsg(fd_, b.out_msgs + sent, replies - sent, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        ++sent;  // drop the datagram that failed (e.g. an unreachable peer) and go on
        continue;
      }
      sent += static_cast<unsigned>(n);
    }
  }
  Qsbr::Global().UnregisterReader(slot);
}

}  // namespace tether::server
