// The Asio side of the transport: listeners, workers, start and stop. Connections are in
// http_connection.h, compiled here too: this is the only translation unit with Asio.
//
// Shape: n workers, each an io_context run by one thread. A connection lives on one
// worker for its whole life, so its state needs no lock; listeners accept on their home
// worker and hand connections round-robin to all of them. The only cross-thread paths are
// the Respond callbacks of deferred answers and Stop, through Worker::Post.
#include "api/http_server.h"

#include <pthread.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include <openssl/ssl.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ssl/context.hpp>

#include "api/http_connection.h"
#include "api/listen_socket.h"

namespace tether::api {

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using boost::system::error_code;
using http_internal::Acceptor;
using http_internal::Connection;
using http_internal::ConnectionBase;
using http_internal::Executor;
using http_internal::Shared;
using http_internal::Socket;
using http_internal::Timer;
using http_internal::TlsStream;
using http_internal::Worker;
using tcp = asio::ip::tcp;

Result<std::shared_ptr<ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                     const std::string& key_file) {
  try {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = context->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    // No compression (CRIME) and no renegotiation (a client-driven CPU sink in TLS 1.2).
    SSL_CTX_set_options(
        native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    error_code error;
    context->use_certificate_chain_file(cert_file, error);
    if (error) return IoError("https certificate {}: {}", cert_file, error.message());
    context->use_private_key_file(key_file, ssl::context::pem, error);
    if (error) return IoError("https key {}: {}", key_file, error.message());
    if (SSL_CTX_check_private_key(native) != 1) {
      return InvalidArgument("https key {} does not match certificate {}", key_file, cert_file);
    }
    return context;
  } catch (const std::exception& e) {
    return IoError("https context: {}", e.what());
  }
}

}  // namespace

struct HttpServer::Impl {
  struct Listener {
    ListenSocket socket;
    std::shared_ptr<ssl::context> tls;  // null for plain HTTP
    std::shared_ptr<Worker> home;       // accepts on this worker's loop
    std::unique_ptr<Acceptor> acceptor;
    std::unique_ptr<Timer> retry;  // backs off after accept errors such as EMFILE
    size_t next_worker = 0;
  };

  Impl(HttpOptions options, HttpHandler& handler)
      : shared(std::make_shared<Shared>(std::move(options), handler)) {}

  ~Impl() {
    Stop();
    listeners.clear();  // before the workers' loops go
  }

  Status Listen(const server::Endpoint& endpoint, std::shared_ptr<ssl::context> tls) {
    if (started) return MakeError(ErrorCode::kFailedPrecondition, "listen after start");
    ASSIGN_OR_RETURN(ListenSocket socket, OpenListenSocket(endpoint));
    auto listener = std::make_unique<Listener>();
    listener->socket = socket;
    listener->tls = std::move(tls);
    bound.push_back(socket.bound);
    listeners.push_back(std::move(listener));
    return Ok();
  }

  Status Start(int thread_count) {
    if (started) return MakeError(ErrorCode::kFailedPrecondition, "http server already started");
    const size_t count = thread_count < 1 ? 1 : static_cast<size_t>(thread_count);
    try {
      for (size_t i = 0; i < count; ++i) {
        workers.push_back(std::make_shared<Worker>());
        guards.emplace_back(workers.back()->io.get_executor());
      }
      for (size_t i = 0; i < listeners.size(); ++i) {
        Listener& listener = *listeners[i];
        listener.home = workers[i % count];
        listener.acceptor = std::make_unique<Acceptor>(listener.home->io);
        listener.retry = std::make_unique<Timer>(listener.home->io);
        error_code error;
        listener.acceptor->assign(
            listener.socket.bound.family() == AF_INET6 ? tcp::v6() : tcp::v4(), listener.socket.fd,
            error);
        if (error) return IoError("http {}: {}", listener.socket.bound.ToString(), error.message());
        listener.socket.fd = -1;  // the acceptor owns it
      }
    } catch (const std::exception& e) {
      return IoError("http server start: {}", e.what());
    }
    started = true;
    // The loops are not running yet: starting the accepts from here is safe.
    for (auto& listener : listeners) Accept(*listener);
    // Logged before the loops start (the sockets already listen; a client waits in the
    // backlog): spdlog's registry is then set up before any loop thread logs.
    for (const auto& listener : listeners) {
      spdlog::info("listening {} {}", listener->tls ? "https" : "http",
                   listener->socket.bound.ToString());
    }
    for (auto& worker : workers) {
      threads.emplace_back([worker] {
        pthread_setname_np(pthread_self(), "tether-http");
        worker->io.run();
      });
    }
    return Ok();
  }

  void Stop() {
    if (stopped) return;
    stopped = true;
    if (!started) {
      for (auto& listener : listeners) {
        if (listener->socket.fd >= 0) close(listener->socket.fd);
        listener->socket.fd = -1;
      }
      return;
    }
    shared->stopping.store(true);
    for (auto& worker : workers) {
      MutexLock lock(worker->mu);
      worker->stopped = true;
    }
    // The loops still run (the guards hold them): close everything on its own thread, then
    // let each loop drain its cancelled operations and return.
    for (auto& worker : workers) {
      asio::post(worker->io, [this, worker] {
        for (auto& listener : listeners) {
          if (listener->home != worker) continue;
          error_code ignored;
          listener->acceptor->close(ignored);
          listener->retry->cancel();
        }
        while (worker->connections != nullptr) worker->connections->Close();
      });
    }
    for (auto& guard : guards) guard.reset();
    for (auto& thread : threads) thread.join();
  }

  void Accept(Listener& listener) {
    std::shared_ptr<Worker> target = workers[listener.next_worker++ % workers.size()];
    listener.acceptor->async_accept(target->io, [this, &listener, target](const error_code& error,
                                                                          Socket socket) {
      if (error == asio::error::operation_aborted || !listener.acceptor->is_open()) return;
      if (error) {
        spdlog::warn("http accept on {}: {}", listener.socket.bound.ToString(), error.message());
        // EMFILE and its kind persist: retrying at once would spin the loop.
        listener.retry->expires_after(std::chrono::milliseconds(100));
        listener.retry->async_wait([this, &listener](const error_code& wait_error) {
          if (!wait_error && listener.acceptor->is_open()) Accept(listener);
        });
        return;
      }
      Accepted(listener, target, std::move(socket));
      Accept(listener);
    });
  }

  void Accepted(Listener& listener, const std::shared_ptr<Worker>& target, Socket socket) {
    error_code error;
    if (shared->connections.fetch_add(1) >= shared->options.max_connections) {
      shared->connections.fetch_sub(1);
      socket.close(error);  // over the cap: closing at once is the cheapest refusal
      return;
    }
    const tcp::endpoint remote = socket.remote_endpoint(error);
    if (error) {  // already gone
      shared->connections.fetch_sub(1);
      socket.close(error);
      return;
    }
    socket.set_option(tcp::no_delay(true), error);  // responses go out whole: no Nagle wait
    sockaddr_storage peer{};
    std::memcpy(&peer, remote.data(), std::min<size_t>(remote.size(), sizeof(peer)));
    // From here the connection's destructor gives the count back.
    std::shared_ptr<ConnectionBase> connection;
    if (listener.tls) {
      connection = std::make_shared<Connection<true>>(TlsStream(std::move(socket), *listener.tls),
                                                      target, shared, peer, listener.tls);
    } else {
      connection =
          std::make_shared<Connection<false>>(std::move(socket), target, shared, peer, nullptr);
    }
    // Started on its own loop's thread; refused (and closed here) once Stop began.
    target->Post([connection] { connection->Start(); });
  }

  std::shared_ptr<Shared> shared;
  std::vector<std::shared_ptr<Worker>> workers;
  std::vector<asio::executor_work_guard<Executor>> guards;
  std::vector<std::unique_ptr<Listener>> listeners;  // stable addresses: handlers refer to them
  std::vector<server::Endpoint> bound;
  std::vector<std::thread> threads;
  bool started = false;
  bool stopped = false;
};

HttpServer::HttpServer(HttpOptions options, HttpHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::ListenHttp(const server::Endpoint& endpoint) {
  return impl_->Listen(endpoint, nullptr);
}

Status HttpServer::ListenHttps(const server::Endpoint& endpoint, const std::string& cert_file,
                               const std::string& key_file) {
  ASSIGN_OR_RETURN(std::shared_ptr<ssl::context> context, MakeTlsContext(cert_file, key_file));
  return impl_->Listen(endpoint, std::move(context));
}

Status HttpServer::Start(int threads) { return impl_->Start(threads); }

void HttpServer::Stop() { impl_->Stop(); }

const std::vector<server::Endpoint>& HttpServer::bound() const { return impl_->bound; }

}  // namespace tether::api
