#include "server/tcp_server.h"

#include <atomic>
#include <cstring>
#include <deque>
#include <vector>

#include <boost/asio.hpp>

#include "base/log.h"
#include "base/qsbr.h"
#include "server/query_watch_log.h"

namespace tether::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// One QSBR reader slot per event-loop thread.
ReaderSlot* ThreadSlot() {
  struct Holder {
    ReaderSlot* slot = Qsbr::Global().RegisterReader();
    ~Holder() { Qsbr::Global().UnregisterReader(slot); }
  };
  thread_local Holder holder;
  return holder.slot;
}

}  // namespace

class TcpServer::Impl : public std::enable_shared_from_this<TcpServer::Impl> {
 public:
  Impl(asio::io_context& io, const zone::ZoneRegistry& zones, QueryOptions query_options,
       TcpOptions tcp_options, UpdateDispatcher* updates, TransferDispatcher* transfers)
      : io_(io),
        zones_(zones),
        query_options_(query_options),
        tcp_options_(tcp_options),
        updates_(updates),
        transfers_(transfers) {}

  void AddListener(int fd, int family) {
    auto acceptor = std::make_unique<tcp::acceptor>(io_);
    acceptor->assign(family == AF_INET6 ? tcp::v6() : tcp::v4(), fd);
    acceptors_.push_back(std::move(acceptor));
  }

  void Start() {
    for (auto& acceptor : acceptors_) Accept(*acceptor);
  }

  void Stop() {
    asio::post(io_, [self = shared_from_this()] {
      for (auto& acceptor : self->acceptors_) {
        boost::system::error_code ignored;
        acceptor->close(ignored);
      }
    });
  }

  // Answers one request from `peer`; runs on the event loop thread.
  std::vector<uint8_t> Answer(const std::vector<uint8_t>& request, const tcp::endpoint& peer) {
    std::vector<uint8_t> response(2 + 65535);
    ReaderSlot* slot = ThreadSlot();
    slot->Enter();
    bool watched = false;
    size_t size = HandleQuery(*zones_.Current(), request, Transport::kTcp, query_options_,
                              response.data() + 2, 65535, &watched);
    slot->Exit();
    if (watched) {
      thread_local QueryWatchLog watch_log;  // one per event loop thread, as per UDP worker
      watch_log.Log(request, peer.data(), static_cast<socklen_t>(peer.size()));
    }
    if (size == 0) return {};
    response[0] = static_cast<uint8_t>(size >> 8);
    response[1] = static_cast<uint8_t>(size);
    response.resize(size + 2);
    return response;
  }

  std::atomic<int> connections{0};
  const TcpOptions& tcp_options() const { return tcp_options_; }
  UpdateDispatcher* updates() const { return updates_; }
  TransferDispatcher* transfers() const { return transfers_; }

 private:
  void Accept(tcp::acceptor& acceptor);

  asio::io_context& io_;
  const zone::ZoneRegistry& zones_;
  QueryOptions query_options_;
  TcpOptions tcp_options_;
  UpdateDispatcher* updates_;
  TransferDispatcher* transfers_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<TcpServer::Impl> server)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), server_(std::move(server)) {}
  ~Connection() { server_->connections.fetch_sub(1); }

  void Start() {
    boost::system::error_code ignored;
    peer_ = socket_.remote_endpoint(ignored);
    ArmTimer();
    ReadLength();
  }

 private:
  void ArmTimer() {
    timer_.expires_after(std::chrono::milliseconds(server_->tcp_options().idle_timeout_ms));
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
      if (!error) self->Close();  // idle too long (RFC 7766 6.2.3)
    });
  }

  void ReadLength() {
    if (reading_ || closed_) return;
    if (pending_.size() >= static_cast<size_t>(server_->tcp_options().max_pending_answers)) return;
    reading_ = true;
    asio::async_read(socket_, asio::buffer(length_, 2),
                     [self = shared_from_this()](const boost::system::error_code& error, size_t) {
                       self->reading_ = false;
                       if (error) return self->CloseAfterWrites();
                       size_t size = (size_t{self->length_[0]} << 8) | self->length_[1];
                       if (size == 0) return self->Close();
                       self->ReadBody(size);
                     });
  }

  void ReadBody(size_t size) {
    request_.resize(size);
    reading_ = true;
    asio::async_read(socket_, asio::buffer(request_),
                     [self = shared_from_this()](const boost::system::error_code& error, size_t) {
                       self->reading_ = false;
                       if (error) return self->Close();
                       self->ArmTimer();
                       if (self->server_->updates() != nullptr &&
                           IsUpdateRequest(self->request_.data(), self->request_.size())) {
                         self->DispatchUpdate();
                         return self->ReadLength();
                       }
                       if (self->server_->transfers() != nullptr &&
                           IsTransferRequest(self->request_.data(), self->request_.size())) {
                         self->DispatchTransfer();
                         return self->ReadLength();
                       }
                       std::vector<uint8_t> response = self->server_->Answer(self->request_, self->peer_);
                       if (!response.empty()) {
                         self->pending_.push_back(std::move(response));
                         self->Write();
                       }
                       self->ReadLength();
                     });
  }

  void Write() {
    if (writing_ || pending_.empty() || closed_) return;
    writing_ = true;
    asio::async_write(socket_, asio::buffer(pending_.front()),
                      [self = shared_from_this()](const boost::system::error_code& error, size_t) {
                        self->writing_ = false;
                        if (error) return self->Close();
                        self->pending_.pop_front();
                        self->ArmTimer();  // a long transfer being written is not idle
                        if (self->close_when_written_ && self->pending_.empty() && self->outstanding_ == 0) {
                          return self->Close();
                        }
                        self->Write();
                        self->ReadLength();
                      });
  }

  // UPDATE is answered once durable, by the update path on another thread; the answer joins
  // this connection's queue (answers may leave out of order, RFC 7766 7).
  void DispatchUpdate() {
    sockaddr_storage peer{};
    boost::system::error_code error;
    tcp::endpoint remote = socket_.remote_endpoint(error);
    if (!error) std::memcpy(&peer, remote.data(), std::min<size_t>(remote.size(), sizeof(peer)));
    ++outstanding_;
    InboundUpdate update;
    update.message = request_;
    update.peer = peer;
    update.reply = [self = shared_from_this()](std::vector<uint8_t> response) {
      asio::post(self->socket_.get_executor(), [self, response = std::move(response)]() mutable {
        --self->outstanding_;
        if (!response.empty() && response.size() <= 65535) {
          std::vector<uint8_t> framed(2 + response.size());
          framed[0] = static_cast<uint8_t>(response.size() >> 8);
          framed[1] = static_cast<uint8_t>(response.size());
          std::memcpy(framed.data() + 2, response.data(), response.size());
          self->pending_.push_back(std::move(framed));
          self->Write();
        } else if (self->close_when_written_ && self->pending_.empty() && !self->writing_) {
          self->Close();
        }
      });
    };
    std::vector<InboundUpdate> updates;
    updates.push_back(std::move(update));
    server_->updates()->Dispatch(std::move(updates));
  }

  // AXFR/IXFR: answered by the transfer service on its threads, one message at a time; the
  // messages join this connection's queue in order.
  void DispatchTransfer() {
    InboundTransfer transfer;
    boost::system::error_code error;
    tcp::endpoint remote = socket_.remote_endpoint(error);
    if (!error) std::memcpy(&transfer.peer, remote.data(), std::min<size_t>(remote.size(), sizeof(transfer.peer)));
    ++outstanding_;
    transfer.message = request_;
    transfer.tcp = true;
    transfer.send = [self = shared_from_this()](std::vector<uint8_t> response, bool last) {
      asio::post(self->socket_.get_executor(), [self, response = std::move(response), last]() mutable {
        if (last) --self->outstanding_;
        if (!response.empty() && response.size() <= 65535) {
          std::vector<uint8_t> framed(2 + response.size());
          framed[0] = static_cast<uint8_t>(response.size() >> 8);
          framed[1] = static_cast<uint8_t>(response.size());
          std::memcpy(framed.data() + 2, response.data(), response.size());
          self->pending_.push_back(std::move(framed));
          self->Write();
        } else if (last && self->close_when_written_ && self->pending_.empty() && !self->writing_) {
          self->Close();
        }
      });
    };
    server_->transfers()->Dispatch(std::move(transfer));
  }

  // The client closed its side: finish sending what it asked for, then close.
  void CloseAfterWrites() {
    close_when_written_ = true;
    if (pending_.empty() && !writing_ && outstanding_ == 0) Close();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  tcp::endpoint peer_;  // for the log line of a watched host's query
  asio::steady_timer timer_;
  std::shared_ptr<TcpServer::Impl> server_;
  uint8_t length_[2] = {0, 0};
  std::vector<uint8_t> request_;
  std::deque<std::vector<uint8_t>> pending_;
  bool reading_ = false;
  bool writing_ = false;
  bool closed_ = false;
  bool close_when_written_ = false;
  int outstanding_ = 0;  // updates dispatched and not answered yet
};

}  // namespace

void TcpServer::Impl::Accept(tcp::acceptor& acceptor) {
  acceptor.async_accept([self = shared_from_this(), &acceptor](const boost::system::error_code& error,
                                                               tcp::socket socket) {
    if (error == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!error) {
      if (self->connections.fetch_add(1) >= self->tcp_options_.max_connections) {
        self->connections.fetch_sub(1);
        boost::system::error_code ignored;
        socket.close(ignored);  // over the cap: refuse by closing (RFC 7766 6.2.2)
      } else {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Connection>(std::move(socket), self)->Start();
      }
    } else {
      spdlog::warn("tcp accept failed: {}", error.message());
    }
    self->Accept(acceptor);
  });
}

TcpServer::TcpServer(asio::io_context& io, const zone::ZoneRegistry& zones, QueryOptions query_options,
                     TcpOptions tcp_options, UpdateDispatcher* updates, TransferDispatcher* transfers)
    : impl_(std::make_shared<Impl>(io, zones, query_options, tcp_options, updates, transfers)) {}

TcpServer::~TcpServer() = default;

void TcpServer::AddListener(int fd, int family) { impl_->AddListener(fd, family); }
void TcpServer::Start() { impl_->Start(); }
void TcpServer::Stop() { impl_->Stop(); }

}  // namespace tether::server
