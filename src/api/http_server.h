// HttpServer: the HTTP/1.0 and 1.1 transport, over TCP and TLS, that the update API sits
// on. It parses requests (api/request_parser.h), hands each to the HttpHandler and writes
// the responses (api/response_writer.h). Boost.Asio, Beast and OpenSSL stay in the .cc.
//
// Protocol: keep-alive (HTTP/1.1 by default, HTTP/1.0 with "Connection: keep-alive", which
// is echoed); pipelined requests are answered in order, up to 16 handled at once per
// connection (those read together: while every request read from a connection awaits its
// answer, nothing more is read from it); "Expect: 100-continue" gets "100 Continue" before
// the body is read (or a 413 when the declared body is too large); bodies by Content-Length
// or chunked. Over a limit of HttpOptions the answer is 431 (header) or 413 (body), malformed
// input gets 400, then the connection closes. Connections over the cap are accepted and
// closed at once; slow ones are closed by the read timeout, idle ones by the idle timeout.
// TLS is 1.2 or newer; a failed handshake only ends its own connection.
//
// Threads: Start(n) runs n event loops ("tether-http"), each with its own connections; the
// handler is called on them. Listen* and Start on one controlling thread before serving;
// Stop from that thread (the destructor calls it). Responses given after Stop are dropped.
//
// Ownership: the handler must outlive Stop(). Respond callbacks may outlive the server.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/http_message.h"
#include "api/http_options.h"
#include "base/result.h"
#include "server/endpoint.h"

namespace tether::api {

class HttpServer {
 public:
  HttpServer(HttpOptions options, HttpHandler& handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Bind an endpoint now (port 0 picks a free port, see bound()); serving starts in Start.
  Status ListenHttp(const server::Endpoint& endpoint);
  // `cert_file`: PEM certificate chain, the server's certificate first; `key_file`: its PEM
  // private key. Fails if they cannot be read or do not match.
  Status ListenHttps(const server::Endpoint& endpoint, const std::string& cert_file,
                     const std::string& key_file);

  // Starts `threads` (>= 1) event loops and logs "listening http ADDR:PORT" or
  // "listening https ADDR:PORT" for each endpoint. Call once.
  Status Start(int threads);
  // Closes the listeners and every connection, and joins the threads. Idempotent.
  void Stop();

  // The endpoints bound so far, in the order of the Listen* calls, with actual ports.
  const std::vector<server::Endpoint>& bound() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tether::api
