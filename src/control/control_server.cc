#include "control/control_server.h"

#include <pthread.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "control/protocol.h"

namespace tether::control {

namespace {

// "unix:NAME" of the peer's user (or "unix:UID" without a passwd entry), "" if unknown.
std::string PeerName(int fd) {
  ucred credentials{};
  socklen_t size = sizeof(credentials);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) return "";
  passwd entry{};
  passwd* found = nullptr;
  char buffer[1024];
  if (getpwuid_r(credentials.uid, &entry, buffer, sizeof(buffer), &found) == 0 && found != nullptr) {
    return std::string("unix:") + found->pw_name;
  }
  return "unix:" + std::to_string(credentials.uid);
}

class FrameOutput : public CommandOutput {
 public:
  FrameOutput(Connection& connection, std::string caller) : connection_(connection), caller_(std::move(caller)) {}
  void Out(std::string_view text) override { (void)connection_.Send(FrameKind::kStdout, text); }
  void Err(std::string_view text) override { (void)connection_.Send(FrameKind::kStderr, text); }
  void Progress(uint64_t done, uint64_t total, std::string_view label) override {
    (void)connection_.Send(FrameKind::kProgress, EncodeProgress(done, total, label));
  }
  std::string Caller() const override { return caller_; }

 private:
  Connection& connection_;
  const std::string caller_;
};

Result<sockaddr_un> SocketAddress(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) return InvalidArgument("control socket path too long: {}", path);
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

}  // namespace

ControlServer::~ControlServer() { Stop(); }

Status ControlServer::Start(const std::string& socket_path) {
  path_ = socket_path;
  ASSIGN_OR_RETURN(sockaddr_un address, SocketAddress(path_));
  // A live socket means another tetherd owns this data directory.
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (connect(probe, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    close(probe);
    return MakeError(ErrorCode::kFailedPrecondition,
                     fmt::format("another tetherd is running on this data directory ({})", path_));
  }
  close(probe);
  unlink(path_.c_str());
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  mode_t old_mask = umask(0177);  // the socket is created 0600
  int bound = bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  umask(old_mask);
  if (bound != 0 || listen(listen_fd_, 64) != 0) {
    int error = errno;
    close(listen_fd_);
    listen_fd_ = -1;
    return IoError("control socket {}: {}", path_, std::strerror(error));
  }
  chmod(path_.c_str(), 0600);
  accept_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "tether-control");
    AcceptLoop();
  });
  return Ok();
}

void ControlServer::Stop() {
  if (listen_fd_ < 0 || stopping_.exchange(true)) return;
  shutdown(listen_fd_, SHUT_RDWR);
  accept_thread_.join();
  close(listen_fd_);
  unlink(path_.c_str());
  MutexLock lock(mu_);
  while (active_ != 0) idle_.wait(mu_);
}

void ControlServer::AcceptLoop() {
  while (!stopping_.load()) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      if (stopping_.load()) return;
      spdlog::warn("control accept: {}", std::strerror(errno));
      continue;
    }
    timeval timeout{30, 0};  // a client that never sends its request is dropped
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    {
      MutexLock lock(mu_);
      ++active_;
    }
    std::thread([this, fd] {
      Serve(fd);
      MutexLock lock(mu_);
      if (--active_ == 0) idle_.notify_all();
    }).detach();
  }
}

void ControlServer::Serve(int fd) {
  Connection connection(fd);
  auto frame = connection.Receive();
  if (!frame || !*frame || (*frame)->kind != FrameKind::kRequest) return;
  auto argv = DecodeArgv((*frame)->payload);
  if (!argv) return;
  FrameOutput output(connection, PeerName(fd));
  int status = handler_(*argv, output);
  (void)connection.Send(FrameKind::kExit, std::string(1, static_cast<char>(status)));
}

}  // namespace tether::control
