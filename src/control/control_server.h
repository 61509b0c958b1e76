// ControlServer: tetherd's end of the control socket (DIR/control.sock, mode 0600). Each
// connection carries one command: its argv goes to the handler, whose output and exit
// status go back as frames. Refuses to start if another server answers on the socket.
//
// Thread-safety: Start/Stop from one thread; the handler runs on a thread per connection
// and must be thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"

namespace tether::control {

class CommandOutput {
 public:
  virtual ~CommandOutput() = default;
  virtual void Out(std::string_view text) = 0;
  virtual void Err(std::string_view text) = 0;
  // done of total (total 0: unknown), e.g. names written during an import.
  virtual void Progress(uint64_t done, uint64_t total, std::string_view label) = 0;
  // Who runs the command: "unix:NAME" for the account of the control socket's peer
  // (SO_PEERCRED), "" if unknown (tests, local calls).
  virtual std::string Caller() const { return ""; }
};

// Returns the exit status: 0 success, 1 failure, 2 usage error.
using CommandHandler = std::function<int(const std::vector<std::string>& argv, CommandOutput& out)>;

class ControlServer {
 public:
  explicit ControlServer(CommandHandler handler) : handler_(std::move(handler)) {}
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  Status Start(const std::string& socket_path);
  void Stop();

 private:
  void AcceptLoop();
  void Serve(int fd);

  CommandHandler handler_;
  std::string path_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  Mutex mu_;
  std::condition_variable_any idle_;
  int active_ GUARDED_BY(mu_) = 0;  // connections being served (detached threads)
};

}  // namespace tether::control
