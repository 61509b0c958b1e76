// One HTTP connection of the server (api/http_server.h) and the event-loop worker it lives
// on. Internal: included by http_server.cc only, which is the one translation unit that
// compiles Asio and its SSL layer (the slowest headers of the project to compile).
//
// A connection reads into its ReadBuffer, parses with its RequestParser, hands complete
// requests to the handler, and writes the answers in request order, coalescing those that
// are ready into one write. All of its state is touched on its worker's loop thread only;
// the Respond callbacks reach it from other threads through Worker::Post.
#pragma once

#include <sys/socket.h>
#include <time.h>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "api/client_address.h"
#include "api/http_message.h"
#include "api/http_options.h"
#include "api/request_parser.h"
#include "api/response_writer.h"
#include "base/log.h"
#include "base/mutex.h"

namespace tether::api::http_internal {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;
// Concrete executor types: the default any_io_executor adds type erasure to every operation.
using Executor = asio::io_context::executor_type;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Timer = asio::basic_waitable_timer<Clock, asio::wait_traits<Clock>, Executor>;
using TlsStream = ssl::stream<Socket>;

// The time deadlines are set from: CLOCK_MONOTONIC (steady_clock's clock) as of the last
// tick, a few milliseconds old, which needs no clock read (a deadline is set per request).
// Deadlines are seconds long: one may fire a tick early.
inline Clock::time_point CoarseNow() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return Clock::time_point(std::chrono::seconds(now.tv_sec) +
                           std::chrono::nanoseconds(now.tv_nsec));
}

// Pipelined requests handled at once per connection; reading pauses beyond it so one
// client cannot queue unbounded work.
constexpr uint64_t kMaxInFlight = 16;
// The read buffer starts at 2 KiB (a router's request is a few hundred bytes) and each read
// offers at least 1 KiB: 10,000 idle connections cost ~20 MB.
constexpr size_t kInitialBuffer = 2048;
constexpr size_t kMinReadSpace = 1024;
// Lingering close (as nginx's lingering_close): after the last response, read and discard
// what the client still sends for up to this long / this much, so that closing with unread
// data does not reset the connection before the client has read the response.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = size_t{256} * 1024;

struct Shared {
  Shared(HttpOptions options_in, HttpHandler& handler_in)
      : options(std::move(options_in)), handler(handler_in) {}
  const HttpOptions options;
  HttpHandler& handler;
  std::atomic<int> connections{0};
  std::atomic<bool> stopping{false};
};

class ConnectionBase;

// One event loop. Connections keep their worker alive (a Respond may outlive the server).
struct Worker {
  asio::io_context io{1};
  Mutex mu;
  bool stopped GUARDED_BY(mu) = false;
  ConnectionBase* connections = nullptr;  // intrusive list of open ones; loop thread only

  // Runs `fn` on the loop; from any thread. Refused once Stop began, so that nothing is
  // queued on a loop that has finished running (it would never run, nor be freed).
  template <class Fn>
  bool Post(Fn&& fn) {
    MutexLock lock(mu);
    if (stopped) return false;
    asio::post(io, std::forward<Fn>(fn));
    return true;
  }

  // Hands an answer made on another thread (the update path's, after its commit) to the
  // loop. Answers come in bursts — a batch of updates answers all its requests at once —
  // and a burst costs one post: the loop delivers whatever is queued when it gets to it.
  // Dropped once Stop began, as Post refuses.
  void Answer(std::shared_ptr<ConnectionBase> connection, uint64_t seq, HttpResponse response);
  void DeliverAnswers();

  // Work a connection leaves to the end of the loop's turn (its write and its next read):
  // one post per turn runs it for every connection that asked, after the handlers already
  // queued (the reads that completed together): first every write, then every read, so
  // that a client answered early in the turn has had the time to send its next request
  // when its read starts. Loop thread only.
  void Later(std::shared_ptr<ConnectionBase> connection);
  void RunLater();
  std::vector<std::shared_ptr<ConnectionBase>> later;
  std::vector<std::shared_ptr<ConnectionBase>> later_running;  // RunLater's, kept for its capacity
  bool later_posted = false;

  struct Answered {
    std::shared_ptr<ConnectionBase> connection;
    uint64_t seq = 0;
    HttpResponse response;
  };
  std::vector<Answered> answers GUARDED_BY(mu);
  bool answers_posted GUARDED_BY(mu) = false;  // a DeliverAnswers is queued
};

class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  explicit ConnectionBase(std::shared_ptr<Worker> worker) : worker_(std::move(worker)) {}
  virtual ~ConnectionBase() = default;
  // All five on the loop thread.
  virtual void Start() = 0;
  virtual void Close() = 0;
  virtual void Deliver(uint64_t seq, HttpResponse response) = 0;
  // What the connection left to the end of the turn (Worker::Later): its write, its read.
  virtual void WriteLater() = 0;
  virtual void ReadLater() = 0;

  Worker& worker() { return *worker_; }

 protected:
  void Link() {
    next_ = worker_->connections;
    if (next_ != nullptr) next_->prev_ = this;
    worker_->connections = this;
    linked_ = true;
  }
  void Unlink() {
    if (!linked_) return;
    if (prev_ != nullptr) prev_->next_ = next_;
    if (next_ != nullptr) next_->prev_ = prev_;
    if (worker_->connections == this) worker_->connections = next_;
    prev_ = next_ = nullptr;
    linked_ = false;
  }

  std::shared_ptr<Worker> worker_;  // first member: destroyed last, after the sockets

 private:
  ConnectionBase* prev_ = nullptr;
  ConnectionBase* next_ = nullptr;
  bool linked_ = false;
};

HttpResponse PlainResponse(unsigned status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// Behind one request's Respond (shared by its copies): delivers one response, and a 500 if
// the last copy goes away unanswered, so a handler bug cannot leave a client hanging.
class ResponseToken final : public Respond::Target {
 public:
  ResponseToken(std::shared_ptr<ConnectionBase> connection, uint64_t seq)
      : connection_(std::move(connection)), seq_(seq) {}
  ~ResponseToken() {
    if (!answered_.exchange(true)) Send(PlainResponse(500, "the request was not answered\n"));
  }
  ResponseToken(const ResponseToken&) = delete;
  ResponseToken& operator=(const ResponseToken&) = delete;

  void Answer(HttpResponse response) override {
    if (answered_.exchange(true)) return;  // a second answer is a handler bug: ignore it
    Send(std::move(response));
  }

 private:
  void Send(HttpResponse response) {
    // Answered within Handle (the common case): no hop through the queue.
    if (connection_->worker().io.get_executor().running_in_this_thread()) {
      connection_->Deliver(seq_, std::move(response));
      return;
    }
    connection_->worker().Answer(connection_, seq_, std::move(response));
  }

  std::shared_ptr<ConnectionBase> connection_;
  const uint64_t seq_;
  std::atomic<bool> answered_{false};
};

inline void Worker::Answer(std::shared_ptr<ConnectionBase> connection, uint64_t seq, HttpResponse response) {
  MutexLock lock(mu);
  if (stopped) return;
  answers.push_back({std::move(connection), seq, std::move(response)});
  if (answers_posted) return;
  answers_posted = true;
  // The worker outlives its loop's handlers: a handler left queued is destroyed unrun.
  asio::post(io, [this] { DeliverAnswers(); });
}

inline void Worker::DeliverAnswers() {
  std::vector<Answered> batch;
  {
    MutexLock lock(mu);
    batch.swap(answers);
    answers.reserve(batch.size());  // the next burst is likely as large
    answers_posted = false;
  }
  for (Answered& answer : batch) answer.connection->Deliver(answer.seq, std::move(answer.response));
}

inline void Worker::Later(std::shared_ptr<ConnectionBase> connection) {
  later.push_back(std::move(connection));
  if (later_posted) return;
  later_posted = true;
  asio::post(io, [this] { RunLater(); });
}

inline void Worker::RunLater() {
  later_posted = false;
  later_running.swap(later);
  for (std::shared_ptr<ConnectionBase>& connection : later_running) connection->WriteLater();
  for (std::shared_ptr<ConnectionBase>& connection : later_running) connection->ReadLater();
  later_running.clear();
}

template <bool kTls>
class Connection final : public ConnectionBase {
 public:
  using Stream = std::conditional_t<kTls, TlsStream, Socket>;

  Connection(Stream stream, std::shared_ptr<Worker> worker, std::shared_ptr<Shared> shared,
             const sockaddr_storage& peer, std::shared_ptr<ssl::context> tls)
      : ConnectionBase(std::move(worker)),
        shared_(std::move(shared)),
        tls_(std::move(tls)),
        stream_(std::move(stream)),
        timer_(worker_->io),
        peer_(peer),
        peer_text_(AddressText(peer)),
        peer_trusted_(IsTrusted(peer, shared_->options.trusted_proxies)),
        buffer_(kInitialBuffer),
        parser_(shared_->options.header_limit, shared_->options.body_limit) {}

  ~Connection() override { shared_->connections.fetch_sub(1); }

  void Start() override {
    Link();
    if (shared_->stopping.load()) return Close();
    if constexpr (!kTls) {
      // StartWrite writes at once and must not block when the send buffer is full.
      error_code error;
      stream_.non_blocking(true, error);
      if (error) return Close();
    }
    SetDeadline(CoarseNow() + shared_->options.read_timeout);
    if constexpr (kTls) {
      stream_.async_handshake(ssl::stream_base::server, [self = Self()](const error_code& error) {
        if (self->closed_) return;
        if (error) {
          spdlog::debug("https handshake from {} failed: {}", self->peer_text_, error.message());
          return self->Close();
        }
        self->ReadMore();
      });
    } else {
      ReadMore();
    }
  }

  void Close() override {
    if (closed_) return;
    closed_ = true;
    Unlink();
    timer_.cancel();
    error_code ignored;
    stream_.lowest_layer().close(ignored);
  }

  void Deliver(uint64_t seq, HttpResponse response) override {
    if (closed_ || seq < head_seq_ || seq >= next_seq_) return;  // closed, or dropped below
    Slot& slot = slots_[seq % kMaxInFlight];
    const ResponseContext context{slot.version, slot.head, slot.keep_alive};
    if (seq != head_seq_) {
      // An earlier request is still being handled: keep this answer until it is.
      slot.bytes.clear();
      slot.keep_alive = AppendResponse(response, context, slot.bytes);
      slot.ready = true;
      return;
    }
    bool keep_alive = AppendResponse(response, context, out_pending_);
    ++head_seq_;
    while (keep_alive && head_seq_ < next_seq_ && slots_[head_seq_ % kMaxInFlight].ready) {
      Slot& next = slots_[head_seq_ % kMaxInFlight];
      out_pending_.append(next.bytes);
      keep_alive = next.keep_alive;
      next.ready = false;
      if (next.bytes.capacity() > size_t{64} * 1024) std::string().swap(next.bytes);
      ++head_seq_;
    }
    if (!keep_alive) {
      // The client will not read past this response: answers to requests after it are
      // dropped (RFC 9112 9.6; the client retries them on a new connection).
      close_after_write_ = true;
      no_more_requests_ = true;
      head_seq_ = next_seq_;
    } else if (peer_closed_ && head_seq_ == next_seq_) {
      close_after_write_ = true;
    }
    StartWrite();
    if (!close_after_write_) ParseRequests();  // reading may have paused at kMaxInFlight
  }

 private:
  struct Slot {
    std::string bytes;  // the serialized response, once ready
    bool ready = false;
    bool keep_alive = true;
    bool head = false;
    unsigned version = 11;
  };

  std::shared_ptr<Connection> Self() {
    return std::static_pointer_cast<Connection>(shared_from_this());
  }
  uint64_t InFlight() const { return next_seq_ - head_seq_; }

  // The only place reads start. Never while one is pending, and the buffer is never
  // changed while one is (the read writes into its free space).
  void ReadMore() {
    if (reading_ || closed_ || no_more_requests_ || InFlight() >= kMaxInFlight) return;
    std::span<char> space = buffer_.Prepare(kMinReadSpace);
    reading_ = true;
    stream_.async_read_some(
        asio::buffer(space.data(), space.size()),
        [self = Self()](const error_code& error, size_t size) { self->OnRead(error, size); });
  }

  void OnRead(const error_code& error, size_t size) {
    reading_ = false;
    if (closed_) return;
    if (lingering_) return OnLingerRead(error, size);
    if (error) {
      const bool closed_by_peer =
          error == asio::error::eof || error == ssl::error::stream_truncated;
      if (!closed_by_peer) return Close();
      // A client may half-close after its last request: still answer what it asked.
      peer_closed_ = true;
      no_more_requests_ = true;
      if (InFlight() == 0) {
        close_after_write_ = true;
        StartWrite();
      }
      return;
    }
    buffer_.Commit(size);
    ParseRequests();
  }

  // Parses and dispatches what the buffer holds, then reads on. Re-entered from Deliver
  // when a handler answers inside Handle: the guard makes the outer loop do the work.
  void ParseRequests() {
    if (parsing_ || reading_ || closed_) return;
    parsing_ = true;
    while (!no_more_requests_ && InFlight() < kMaxInFlight) {
      const ParseState state = parser_.Parse(buffer_);
      if (state == ParseState::kComplete) {
        Dispatch();
        continue;
      }
      if (state == ParseState::kNeedMore) {
        // RFC 9110 10.1.1: the client waits for this before sending the body. Only when
        // every earlier answer is out (interim responses keep the order too) and the body
        // has not started arriving anyway.
        if (parser_.header_done() && parser_.expects_continue() && !continue_sent_ &&
            InFlight() == 0 && buffer_.empty()) {
          continue_sent_ = true;
          out_pending_.append(kContinueResponse);
          StartWrite();
        }
        break;
      }
      Fail(state == ParseState::kHeaderTooLarge ? 431u
           : state == ParseState::kBodyTooLarge ? 413u
                                                : 400u);
      break;
    }
    parsing_ = false;
    // A written last answer may have ended the connection already: Finish owns the deadline.
    if (closed_ || finishing_) return;
    if (parser_.in_request() || !buffer_.empty()) {
      // Slow-loris: the whole request must arrive within read_timeout of its first bytes.
      if (!request_deadline_set_) {
        request_deadline_set_ = true;
        SetDeadline(CoarseNow() + shared_->options.read_timeout);
      }
    } else if (!writing_ && !lingering_) {
      SetDeadline(CoarseNow() + shared_->options.idle_timeout);  // else Written sets it
    }
    if (parser_.in_request() || !buffer_.empty()) {
      ReadMore();  // the rest of a request is on its way
    } else if (InFlight() == 0) {
      ReadSoon();
    }
    // Else every request read so far awaits its answer (an update on its way through the
    // update path): the client sends nothing before it sees one (unless it pipelines, and
    // then its requests wait in the socket), so a read now would find nothing and cost a
    // failed recv. Deliver reads on once the answers are out.
  }

  // Between requests the next read starts at the end of the loop's turn (Worker::Later,
  // after this turn's answers are written). Started at once, it would find nothing — the
  // client has not seen the answer yet — and Asio's first recv would fail with EAGAIN, a
  // syscall per request; by then a busy client's next request has usually arrived, and an
  // idle one's read waits as before. Readiness seen while no read is pending is not lost: Asio's read
  // starts with a recv.
  void ReadSoon() {
    read_later_ = true;
    QueueLater();
  }

  void QueueLater() {
    if (later_queued_) return;
    later_queued_ = true;
    worker_->Later(shared_from_this());
  }

  void WriteLater() override {
    later_queued_ = false;
    if (write_later_) {
      write_later_ = false;
      WriteOut();
    }
  }

  void ReadLater() override {
    if (read_later_) {
      read_later_ = false;
      ReadMore();
    }
  }

  void Dispatch() {
    const unsigned max_requests = shared_->options.max_requests_per_connection;
    ++requests_;
    const bool keep_alive = parser_.keep_alive() &&
                            (max_requests == 0 || requests_ < max_requests) &&
                            !shared_->stopping.load(std::memory_order_relaxed);
    const uint64_t seq = next_seq_++;
    Slot& slot = slots_[seq % kMaxInFlight];
    slot.ready = false;
    slot.keep_alive = keep_alive;
    slot.head = parser_.is_head();
    slot.version = parser_.version();
    if (!keep_alive) no_more_requests_ = true;
    continue_sent_ = false;
    request_deadline_set_ = false;

    HttpRequest request = parser_.TakeRequest();
    request.tls = kTls;
    request.peer = peer_;
    request.client_address =
        peer_trusted_ ? ClientAddress(peer_, request.headers, shared_->options.trusted_proxies)
                      : peer_text_;
    try {
      shared_->handler.Handle(std::move(request),
                              Respond(std::make_shared<ResponseToken>(shared_from_this(), seq)));
    } catch (const std::exception& e) {
      // The token answers 500 once the handler dropped its Respond.
      spdlog::error("http handler threw: {}", e.what());
    }
  }

  // Answers a request that cannot be parsed and closes after it.
  void Fail(unsigned status) {
    failed_ = true;
    no_more_requests_ = true;
    const uint64_t seq = next_seq_++;
    Slot& slot = slots_[seq % kMaxInFlight];
    slot.ready = false;
    slot.keep_alive = false;
    slot.head = false;
    slot.version = parser_.version();
    Deliver(seq, PlainResponse(status, std::string(ReasonPhrase(status)) + "\n"));
  }

  // Coalesces: whatever is ready while a write is in flight goes out in the next one.
  // On a plain connection the write waits for the end of the loop's turn (Worker::Later):
  // the answers of one turn then leave together, so the client, woken once, finds them all
  // and its next requests arrive together too, instead of a wake-up on both sides per
  // answer (nochg +2.3%, bench/README.md).
  void StartWrite() {
    if (writing_ || closed_) return;
    if (out_pending_.empty()) {
      if (close_after_write_) Finish();
      return;
    }
    if constexpr (kTls) {
      WriteOut();
    } else {
      write_later_ = true;
      QueueLater();
    }
  }

  void WriteOut() {
    if (writing_ || closed_ || out_pending_.empty()) return;
    if constexpr (!kTls) {
      // An answer usually fits the socket's send buffer: sent here (the socket does not
      // block), it costs no write operation and no completion's turn through the loop.
      // Only what does not fit goes through async_write.
      error_code error;
      const size_t written = stream_.write_some(asio::buffer(out_pending_), error);
      if (error && error != asio::error::would_block) return Close();
      out_pending_.erase(0, written);
      if (out_pending_.empty()) return Written();
    }
    out_flight_.swap(out_pending_);
    writing_ = true;
    asio::async_write(stream_, asio::buffer(out_flight_),
                      [self = Self()](const error_code& error, size_t) { self->OnWritten(error); });
  }

  void OnWritten(const error_code& error) {
    writing_ = false;
    out_flight_.clear();
    if (closed_) return;
    if (error) return Close();
    Written();
  }

  // Everything handed to StartWrite so far is sent.
  void Written() {
    if (!out_pending_.empty()) return StartWrite();
    if (close_after_write_) return Finish();
    // While parsing, ParseRequests sets the deadline on its way out.
    if (!parsing_ && !parser_.in_request() && buffer_.empty()) {
      SetDeadline(CoarseNow() + shared_->options.idle_timeout);
    }
  }

  // Everything is written and the connection ends.
  void Finish() {
    if (finishing_) return;
    finishing_ = true;
    SetDeadline(CoarseNow() + kLingerTime);
    if constexpr (kTls) {
      // A read still pending (a deferred answer that closes) would race the shutdown's own
      // read of the client's close_notify: skip the courtesy and close.
      if (reading_) return Close();
      // close_notify, then wait (bounded by the deadline) for the client's.
      stream_.async_shutdown([self = Self()](const error_code&) { self->Close(); });
    } else {
      error_code ignored;
      stream_.shutdown(tcp::socket::shutdown_send, ignored);
      // Linger only when the client may still be sending: a refused or unread request.
      if (buffer_.empty() && !parser_.in_request() && !failed_ && !reading_) return Close();
      lingering_ = true;
      buffer_.Consume(buffer_.size());
      if (!reading_) LingerRead();
    }
  }

  void LingerRead() {
    std::span<char> space = buffer_.Prepare(kMinReadSpace);
    reading_ = true;
    stream_.async_read_some(
        asio::buffer(space.data(), space.size()),
        [self = Self()](const error_code& error, size_t size) { self->OnRead(error, size); });
  }

  void OnLingerRead(const error_code& error, size_t size) {
    lingered_ += size;
    if (error || lingered_ > kLingerBytes) return Close();
    buffer_.Commit(size);
    buffer_.Consume(buffer_.size());
    LingerRead();
  }

  // Deadlines are lazy: the timer fires at the earliest deadline it was armed for and
  // re-arms if the deadline moved later since. Moving it later, once per request, is a
  // store, not a timer operation.
  void SetDeadline(Clock::time_point deadline) {
    deadline_ = deadline;
    if (deadline < timer_expiry_) Arm(deadline);
  }

  void Arm(Clock::time_point at) {
    timer_expiry_ = at;
    timer_.expires_at(at);  // cancels a pending wait, which then returns on operation_aborted
    timer_.async_wait([self = Self()](const error_code& error) {
      if (error == asio::error::operation_aborted || self->closed_) return;
      if (Clock::now() >= self->deadline_) return self->Close();
      self->Arm(self->deadline_);
    });
  }

  const std::shared_ptr<Shared> shared_;
  const std::shared_ptr<ssl::context> tls_;  // outlives the stream's SSL object
  Stream stream_;
  Timer timer_;
  const sockaddr_storage peer_;
  const std::string peer_text_;
  const bool peer_trusted_;
  ReadBuffer buffer_;
  RequestParser parser_;
  std::array<Slot, kMaxInFlight> slots_;
  uint64_t next_seq_ = 0;    // of the next request dispatched
  uint64_t head_seq_ = 0;    // of the oldest request not answered (or dropped) yet
  std::string out_pending_;  // ready to send
  std::string out_flight_;   // being sent
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point timer_expiry_ = Clock::time_point::max();
  unsigned requests_ = 0;
  size_t lingered_ = 0;
  bool reading_ = false;
  bool later_queued_ = false;  // on the worker's Later list
  bool read_later_ = false;    // for ReadLater: ReadMore
  bool write_later_ = false;   // for WriteLater: WriteOut
  bool writing_ = false;
  bool parsing_ = false;
  bool closed_ = false;
  bool no_more_requests_ = false;   // parse no further requests
  bool close_after_write_ = false;  // close once out_pending_ is written
  bool peer_closed_ = false;
  bool continue_sent_ = false;
  bool request_deadline_set_ = false;
  bool failed_ = false;
  bool finishing_ = false;
  bool lingering_ = false;
};

}  // namespace tether::api::http_internal
