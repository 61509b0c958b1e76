// The control protocol between `tether` and tetherd over the Unix socket DIR/control.sock.
// The client sends one request frame (its argv); the server answers with any number of
// output frames (standard output text, standard error text, progress) and ends with one
// exit frame carrying the exit status. Frames: 4-byte big-endian length, 1-byte kind,
// payload.
//
// Thread-safety: a Connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tether::control {

enum class FrameKind : uint8_t {
  kRequest = 1,   // payload: argv, each string as 4-byte length + bytes
  kStdout = 2,    // payload: text
  kStderr = 3,    // payload: text
  kProgress = 4,  // payload: 8-byte done, 8-byte total (0: unknown), then a label
  kExit = 5,      // payload: 1-byte exit status
};

constexpr uint32_t kMaxFrame = 64u << 20;

struct Frame {
  FrameKind kind = FrameKind::kStdout;
  std::string payload;
};

// A connected stream socket (owns the descriptor).
class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status Send(FrameKind kind, std::string_view payload);
  // nullopt at a clean end of stream.
  Result<std::optional<Frame>> Receive();

 private:
  int fd_;
};

std::string EncodeArgv(const std::vector<std::string>& argv);
Result<std::vector<std::string>> DecodeArgv(std::string_view payload);
std::string EncodeProgress(uint64_t done, uint64_t total, std::string_view label);
bool DecodeProgress(std::string_view payload, uint64_t* done, uint64_t* total, std::string* label);

// The socket path of a data directory.
std::string ControlSocketPath(const std::string& data_dir);

}  // namespace tether::control
