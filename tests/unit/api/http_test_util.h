// Helpers for the HTTP transport tests: a recording handler, a server on 127.0.0.1:0, the
// real curl as a subprocess, and a raw-socket client for what curl will not send. Header-only
// (the unit-test target compiles only *_test.cc files).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/http_server.h"

namespace tether::api::testing {

using namespace std::chrono_literals;

// Records every request; answers "ok\n" unless `on_request` is set (before Start).
class RecordingHandler : public HttpHandler {
 public:
  std::function<void(const HttpRequest&, Respond)> on_request;

  void Handle(HttpRequest request, Respond respond) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
    }
    changed_.notify_all();
    if (on_request) {
      on_request(request, std::move(respond));
    } else {
      HttpResponse response;
      response.body = "ok\n";
      respond(std::move(response));
    }
  }

  // Waits (up to 10 s) until `count` requests arrived; returns them.
  std::vector<HttpRequest> WaitFor(size_t count) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, 10s, [&] { return requests_.size() >= count; });
    return requests_;
  }
  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<HttpRequest> requests_;
};

// Keeps Respond callbacks for the test to call later, from its own thread.
class DeferredResponses {
 public:
  void Add(Respond respond) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      pending_.push_back(std::move(respond));
    }
    changed_.notify_all();
  }
  // Waits (up to 10 s) until `count` are held, then takes them all.
  std::vector<Respond> Take(size_t count) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_for(lock, 10s, [&] { return pending_.size() >= count; });
    std::vector<Respond> taken(std::make_move_iterator(pending_.begin()),
                               std::make_move_iterator(pending_.end()));
    pending_.clear();
    return taken;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Respond> pending_;
};

inline server::Endpoint EndpointOf(const std::string& text) {
  return *server::Endpoint::Parse(text);
}

inline HttpResponse TextResponse(std::string body, unsigned status = 200) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout (and stderr when asked for)
};

// Runs a shell command and collects its standard output.
inline CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char chunk[4096];
  size_t size;
  while ((size = fread(chunk, 1, sizeof(chunk), pipe)) > 0) result.output.append(chunk, size);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// curl that ignores ~/.curlrc and proxy variables, with a bound on its run time.
inline CommandResult Curl(const std::string& arguments) {
  return RunCommand("curl -q -s -S --noproxy '*' --max-time 20 " + arguments + " 2>&1");
}

inline std::string Url(const server::Endpoint& endpoint, const std::string& path,
                       const std::string& scheme = "http") {
  return scheme + "://" + endpoint.ToString() + path;
}

// A file in a fresh temporary directory removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tether-api-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

struct RawResponse {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string raw;  // the bytes of status line and headers

  std::optional<std::string> Header(const std::string& lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return std::nullopt;
  }
};

// A blocking TCP client with deadlines, for requests curl does not send.
class RawClient {
 public:
  explicit RawClient(const server::Endpoint& endpoint) {
    fd_ = socket(endpoint.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.length) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~RawClient() {
    if (fd_ >= 0) close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  uint16_t local_port() const {
    sockaddr_storage local{};
    socklen_t length = sizeof(local);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &length);
    return ntohs(reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
  }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }
  void ShutdownWrite() { shutdown(fd_, SHUT_WR); }

  // One response: status line, headers, and a Content-Length body unless `head` or the
  // status has none. Nothing if the connection closes first or nothing comes within 10 s.
  std::optional<RawResponse> ReadResponse(bool head = false) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    RawResponse response;
    response.raw = buffer_.substr(0, end + 4);
    std::string_view text(response.raw);
    size_t line_end = text.find("\r\n");
    std::string_view status_line = text.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    response.status =
        static_cast<unsigned>(std::atoi(std::string(status_line.substr(9, 3)).c_str()));
    size_t position = line_end + 2;
    while (position < end) {
      size_t next = text.find("\r\n", position);
      std::string_view line = text.substr(position, next - position);
      size_t colon = line.find(':');
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers.emplace_back(name, std::string(value));
      position = next + 2;
    }
    buffer_.erase(0, end + 4);
    size_t length = 0;
    if (auto content_length = response.Header("content-length")) {
      length = std::strtoul(content_length->c_str(), nullptr, 10);
    }
    if (head || response.status < 200 || response.status == 204 || response.status == 304) {
      length = 0;
    }
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // True if the server closes the connection (EOF or reset) within `timeout`; bytes that
  // arrive meanwhile are kept for ReadResponse.
  bool WaitForClose(std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd poll_fd{fd_, POLLIN, 0};
      if (poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) return false;
      char chunk[4096];
      ssize_t size = recv(fd_, chunk, sizeof(chunk), 0);
      if (size <= 0) return true;
      buffer_.append(chunk, static_cast<size_t>(size));
    }
  }

  const std::string& unread() const { return buffer_; }

 private:
  bool Fill() {
    pollfd poll_fd{fd_, POLLIN, 0};
    if (poll(&poll_fd, 1, 10000) <= 0) return false;
    char chunk[16384];
    ssize_t size = recv(fd_, chunk, sizeof(chunk), 0);
    if (size <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(size));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

// A server on 127.0.0.1:0 with a recording handler, started with two loops.
class ServerFixture : public ::testing::Test {
 protected:
  void StartServer(HttpOptions options = {}, int threads = 2) {
    server_ = std::make_unique<HttpServer>(std::move(options), handler_);
    ASSERT_TRUE(server_->ListenHttp(EndpointOf("127.0.0.1:0")));
    ASSERT_TRUE(server_->Start(threads));
    endpoint_ = server_->bound().front();
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  RecordingHandler handler_;
  std::unique_ptr<HttpServer> server_;
  server::Endpoint endpoint_;
};

}  // namespace tether::api::testing
