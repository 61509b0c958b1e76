#include "xfr/transfer_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "dns/wire/message.h"
#include "store/serial.h"
#include "xfr/request.h"

namespace tether::xfr {

namespace {

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

Error Unavailable(const PrimaryRequest& request, const std::string& what) {
  return Error{ErrorCode::kUnavailable, "primary " + request.primary->text + ": " + what};
}

// Waits for `events` on `fd`; false on timeout or error.
bool Wait(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  while (true) {
    const int ready = poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready < 0 && errno == EINTR) continue;
    return ready > 0;
  }
}

Result<std::unique_ptr<Socket>> Connect(const PrimaryRequest& request, int type) {
  const PeerAddress& peer = *request.primary;
  auto socket = std::make_unique<Socket>(
      ::socket(peer.address.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (socket->fd() < 0) return tl::unexpected(Unavailable(request, std::strerror(errno)));
  if (connect(socket->fd(), reinterpret_cast<const sockaddr*>(&peer.address), peer.length) < 0) {
    if (errno != EINPROGRESS) return tl::unexpected(Unavailable(request, std::strerror(errno)));
    if (!Wait(socket->fd(), POLLOUT, request.timeout)) {
      return tl::unexpected(Unavailable(request, "connect timed out"));
    }
    int error = 0;
    socklen_t length = sizeof(error);
    getsockopt(socket->fd(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return tl::unexpected(Unavailable(request, std::strerror(error)));
  }
  return socket;
}

Status WriteAll(const PrimaryRequest& request, int fd, std::span<const uint8_t> data) {
  while (!data.empty()) {
    const ssize_t sent = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!Wait(fd, POLLOUT, request.timeout)) return tl::unexpected(Unavailable(request, "send timed out"));
      continue;
    }
    if (sent < 0) return tl::unexpected(Unavailable(request, std::strerror(errno)));
    data = data.subspan(static_cast<size_t>(sent));
  }
  return Ok();
}

Status ReadExactly(const PrimaryRequest& request, int fd, uint8_t* out, size_t size) {
  while (size > 0) {
    const ssize_t got = recv(fd, out, size, 0);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!Wait(fd, POLLIN, request.timeout)) return tl::unexpected(Unavailable(request, "read timed out"));
      continue;
    }
    if (got < 0) return tl::unexpected(Unavailable(request, std::strerror(errno)));
    if (got == 0) return tl::unexpected(Unavailable(request, "connection closed mid-answer"));
    out += got;
    size -= static_cast<size_t>(got);
  }
  return Ok();
}

// RFC 1035 4.2.2: each TCP message is preceded by its length.
Status SendTcp(const PrimaryRequest& request, int fd, const std::vector<uint8_t>& message) {
  std::vector<uint8_t> framed;
  framed.reserve(message.size() + 2);
  framed.push_back(static_cast<uint8_t>(message.size() >> 8));
  framed.push_back(static_cast<uint8_t>(message.size()));
  framed.insert(framed.end(), message.begin(), message.end());
  return WriteAll(request, fd, framed);
}

Result<std::vector<uint8_t>> ReceiveTcp(const PrimaryRequest& request, int fd) {
  uint8_t length[2];
  RETURN_IF_ERROR(ReadExactly(request, fd, length, 2));
  std::vector<uint8_t> message(static_cast<size_t>((length[0] << 8) | length[1]));
  RETURN_IF_ERROR(ReadExactly(request, fd, message.data(), message.size()));
  return message;
}

// The SOA from one answer to our SOA query; `truncated` set (and nothing returned) if TC.
Result<zone::Rrset> SoaFromAnswer(const PrimaryRequest& request, const BuiltRequest& built,
                                  uint16_t id, std::span<const uint8_t> answer, bool* truncated) {
  auto parsed = dns::ParseMessage(answer);
  if (!parsed) return InvalidArgument("primary {}: a malformed SOA answer", request.primary->text);
  const dns::Header& header = parsed->header;
  if (header.id != id || !header.qr() || header.opcode() != dns::Opcode::kQuery ||
      parsed->questions.size() != 1 || !parsed->questions[0].name.EqualsIgnoreCase(request.origin) ||
      parsed->questions[0].type != dns::RrType::kSoa) {
    return InvalidArgument("primary {}: an SOA answer to another question", request.primary->text);
  }
  if (header.rcode() != 0) {
    return tl::unexpected(Unavailable(
        request, "SOA query answered " + dns::RcodeToString(static_cast<dns::Rcode>(header.rcode()))));
  }
  if (request.key != nullptr) {
    const dns::TsigStatus status = dns::VerifyResponse(answer, *request.key, built.mac, UnixNow());
    if (status != dns::TsigStatus::kOk) {
      return MakeError(ErrorCode::kPermissionDenied,
                       "primary " + request.primary->text + ": the SOA answer does not verify (TSIG status " +
                           std::to_string(static_cast<int>(status)) + ")");
    }
  }
  if ((header.flags & dns::kFlagTc) != 0) {
    *truncated = true;
    return InvalidArgument("truncated");
  }
  if ((header.flags & dns::kFlagAa) == 0) {
    return tl::unexpected(Unavailable(request, "not authoritative for " + request.origin.ToText()));
  }
  for (const dns::Rr& rr : parsed->answers) {
    if (rr.type == dns::RrType::kSoa && rr.owner.EqualsIgnoreCase(request.origin) &&
        rr.klass == dns::ToU16(dns::RrClass::kIn)) {
      return zone::Rrset{dns::RrType::kSoa, rr.ttl, {rr.rdata}};
    }
  }
  return InvalidArgument("primary {}: no SOA in the answer", request.primary->text);
}

}  // namespace

Result<zone::Rrset> QuerySoa(const PrimaryRequest& request) {
  const uint16_t id = RandomId();
  std::optional<BuiltRequest> built = BuildRequest(
      ZoneRequest{id, dns::Opcode::kQuery, false, request.origin, dns::RrType::kSoa, nullptr,
                  SoaSection::kNone, request.key},
      UnixNow());
  if (!built) return InvalidArgument("cannot build the SOA query");
  bool truncated = false;
  {
    // A connected UDP socket only receives from the primary's address and port.
    ASSIGN_OR_RETURN(auto socket, Connect(request, SOCK_DGRAM));
    if (send(socket->fd(), built->wire.data(), built->wire.size(), 0) < 0) {
      return tl::unexpected(Unavailable(request, std::strerror(errno)));
    }
    const auto deadline = std::chrono::steady_clock::now() + request.timeout;
    std::vector<uint8_t> buffer(65535);
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !Wait(socket->fd(), POLLIN, left)) {
        return tl::unexpected(Unavailable(request, "no answer to the SOA query"));
      }
      const ssize_t got = recv(socket->fd(), buffer.data(), buffer.size(), 0);
      if (got < 12) continue;  // errors (ICMP unreachable: ECONNREFUSED) end at the deadline
      if (((buffer[0] << 8) | buffer[1]) != id) continue;
      auto soa = SoaFromAnswer(request, *built, id, {buffer.data(), static_cast<size_t>(got)}, &truncated);
      if (soa || !truncated) return soa;
      break;
    }
  }
  // RFC 1035 4.2.1: truncated, so ask again over TCP.
  ASSIGN_OR_RETURN(auto socket, Connect(request, SOCK_STREAM));
  RETURN_IF_ERROR(SendTcp(request, socket->fd(), built->wire));
  ASSIGN_OR_RETURN(std::vector<uint8_t> answer, ReceiveTcp(request, socket->fd()));
  truncated = false;
  return SoaFromAnswer(request, *built, id, answer, &truncated);
}

Result<Transfer> FetchTransfer(const PrimaryRequest& request, const zone::Rrset* current_soa) {
  const bool ixfr = current_soa != nullptr && current_soa->rdatas.size() == 1;
  TransferRequestInfo info;
  info.origin = request.origin;
  info.qtype = ixfr ? dns::RrType::kIxfr : dns::RrType::kAxfr;
  info.id = RandomId();
  if (ixfr) {
    auto serial = store::SoaSerial(current_soa->rdatas.front());
    if (!serial) return InvalidArgument("our SOA is malformed");
    info.client_serial = *serial;
  }
  std::optional<BuiltRequest> built = BuildRequest(
      ZoneRequest{info.id, dns::Opcode::kQuery, false, request.origin, info.qtype, current_soa,
                  ixfr ? SoaSection::kAuthority : SoaSection::kNone, request.key},
      UnixNow());
  if (!built) return InvalidArgument("cannot build the transfer request");
  if (request.key != nullptr) info.key = *request.key;
  info.request_mac = built->mac;
  TransferReader reader(std::move(info));
  ASSIGN_OR_RETURN(auto socket, Connect(request, SOCK_STREAM));
  RETURN_IF_ERROR(SendTcp(request, socket->fd(), built->wire));
  while (!reader.done()) {
    ASSIGN_OR_RETURN(std::vector<uint8_t> message, ReceiveTcp(request, socket->fd()));
    RETURN_IF_ERROR(reader.Add(message, UnixNow()));
  }
  return reader.Take();
}

}  // namespace tether::xfr
