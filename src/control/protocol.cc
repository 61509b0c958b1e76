#include "control/protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tether::control {

namespace {

void PutU32(std::string* out, uint32_t v) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}
void PutU64(std::string* out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v >> 32));
  PutU32(out, static_cast<uint32_t>(v));
}
uint32_t GetU32(const char* p) {
  return (uint32_t{static_cast<uint8_t>(p[0])} << 24) | (uint32_t{static_cast<uint8_t>(p[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(p[2])} << 8) | static_cast<uint8_t>(p[3]);
}

Status WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("control socket write: {}", std::strerror(errno));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Ok();
}

// Reads exactly `size` bytes; returns false at end of stream before the first byte.
Result<bool> ReadAll(int fd, char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = recv(fd, data + done, size - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("control socket read: {}", std::strerror(errno));
    }
    if (n == 0) {
      if (done == 0) return false;
      return IoError("control socket closed mid-frame");
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

Connection::~Connection() { close(fd_); }

Status Connection::Send(FrameKind kind, std::string_view payload) {
  std::string frame;
  frame.reserve(5 + payload.size());
  PutU32(&frame, static_cast<uint32_t>(payload.size() + 1));
  frame.push_back(static_cast<char>(kind));
  frame.append(payload);
  return WriteAll(fd_, frame.data(), frame.size());
}

Result<std::optional<Frame>> Connection::Receive() {
  char header[5];
  ASSIGN_OR_RETURN(bool got, ReadAll(fd_, header, 4));
  if (!got) return std::optional<Frame>();
  uint32_t length = GetU32(header);
  if (length == 0 || length > kMaxFrame) return InvalidArgument("bad control frame length {}", length);
  std::string body(length, '\0');
  ASSIGN_OR_RETURN(bool complete, ReadAll(fd_, body.data(), length));
  if (!complete) return IoError("control socket closed mid-frame");
  Frame frame;
  frame.kind = static_cast<FrameKind>(static_cast<uint8_t>(body[0]));
  frame.payload = body.substr(1);
  return std::optional<Frame>(std::move(frame));
}

std::string EncodeArgv(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    PutU32(&out, static_cast<uint32_t>(arg.size()));
    out += arg;
  }
  return out;
}

Result<std::vector<std::string>> DecodeArgv(std::string_view payload) {
  std::vector<std::string> argv;
  size_t pos = 0;
  while (pos < payload.size()) {
    if (payload.size() - pos < 4) return InvalidArgument("truncated control request");
    uint32_t size = GetU32(payload.data() + pos);
    pos += 4;
    if (payload.size() - pos < size) return InvalidArgument("truncated control request");
    argv.emplace_back(payload.substr(pos, size));
    pos += size;
  }
  return argv;
}

std::string EncodeProgress(uint64_t done, uint64_t total, std::string_view label) {
  std::string out;
  PutU64(&out, done);
  PutU64(&out, total);
  out.append(label);
  return out;
}

bool DecodeProgress(std::string_view payload, uint64_t* done, uint64_t* total, std::string* label) {
  if (payload.size() < 16) return false;
  *done = (uint64_t{GetU32(payload.data())} << 32) | GetU32(payload.data() + 4);
  *total = (uint64_t{GetU32(payload.data() + 8)} << 32) | GetU32(payload.data() + 12);
  *label = std::string(payload.substr(16));
  return true;
}

std::string ControlSocketPath(const std::string& data_dir) { return data_dir + "/control.sock"; }

}  // namespace tether::control
