// The HTTP messages API handlers see and the handler interface. The transport
// (api/http_server.h) parses requests into HttpRequest, calls HttpHandler::Handle, and
// frames the HttpResponse it is given: it always sets Content-Length (never chunked), so
// responses are valid for HTTP/1.0 clients too.
//
// Values; a request belongs to the handler it is given to.
#pragma once

#include <sys/socket.h>

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tether::api {

struct HttpRequest {
  std::string method;  // as sent ("GET", "POST", ...); methods are case-sensitive (RFC 9110 9.1)
  std::string target;  // the request-target as sent: "/nic/update?hostname=h&myip=192.0.2.1"
  std::string path;    // the target's path, percent-decoded, without the query: "/nic/update"
  std::string query;   // the raw query after '?', not decoded: "hostname=h&myip=192.0.2.1"
  // In the order received; names lower-case, values as sent without surrounding blanks.
  // Trailer fields after a chunked body are dropped (see chunked_body.h).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;         // with any chunked transfer coding removed
  unsigned version = 11;    // 10 (HTTP/1.0) or 11 (HTTP/1.1)
  bool tls = false;         // received over HTTPS
  sockaddr_storage peer{};  // the TCP peer
  // The client's address as text ("192.0.2.1", "2001:db8::1"): the TCP peer's, or when the
  // peer is a trusted proxy (HttpOptions::trusted_proxies), the one it forwarded.
  std::string client_address;

  // The first header named `lower_name` (which must be lower-case), or null.
  const std::string* Header(std::string_view lower_name) const;
};

struct HttpResponse {
  unsigned status = 200;                    // 200..599; anything else is answered as 500
  std::string content_type = "text/plain";  // empty: no Content-Type header
  // Extra headers. The transport owns the framing: Content-Length, Transfer-Encoding,
  // Connection, Server and Content-Type (use content_type) given here are ignored, except
  // that "Connection: close" closes the connection after this response. Headers with bad names or
  // CR/LF in values are dropped (a value from user input can never split the response).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // not sent for HEAD requests, nor with 204 or 304
};

// Delivers the response to one request. Call it exactly once, from any thread, at any time
// (the update path answers after its durable commit). Further calls are ignored; if every
// copy is destroyed without a call, the client gets a 500. Responses to pipelined requests
// leave in request order whatever order they are given in.
//
// A shared handle to its Target: copies deliver to the same one. Not a std::function, which
// would wrap the transport's per-request target in a second allocation and an indirection;
// any callable taking an HttpResponse converts to one (tests, adapters).
class Respond {
 public:
  class Target {
   public:
    virtual ~Target() = default;
    virtual void Answer(HttpResponse response) = 0;
  };

  Respond() = default;  // delivers nowhere
  explicit Respond(std::shared_ptr<Target> target) : target_(std::move(target)) {}
  template <class Fn, class = std::enable_if_t<!std::is_same_v<std::decay_t<Fn>, Respond> &&
                                               std::is_invocable_v<Fn&, HttpResponse>>>
  Respond(Fn fn)  // NOLINT(google-explicit-constructor): stands in for a function
      : target_(std::make_shared<FunctionTarget<Fn>>(std::move(fn))) {}

  void operator()(HttpResponse response) const {
    if (target_ != nullptr) target_->Answer(std::move(response));
  }

 private:
  template <class Fn>
  class FunctionTarget final : public Target {
   public:
    explicit FunctionTarget(Fn fn) : fn_(std::move(fn)) {}
    void Answer(HttpResponse response) override { fn_(std::move(response)); }

   private:
    Fn fn_;
  };

  std::shared_ptr<Target> target_;
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Runs on an event-loop thread of the server: it must not block. Slow work (a commit, a
  // password hash) goes elsewhere and calls `respond` when done.
  virtual void Handle(HttpRequest request, Respond respond) = 0;
};

}  // namespace tether::api
