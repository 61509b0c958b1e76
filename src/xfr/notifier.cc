#include "xfr/notifier.h"

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "dns/wire/message.h"
#include "dns/wire/writer.h"
#include "store/serial.h"
#include "xfr/request.h"

namespace tether::xfr {


struct Notifier::Target {
  dns::Name origin;
  PeerAddress address;
  std::optional<dns::Name> key_name;
  // The latest SOA to announce, and whether it has not been sent yet.
  zone::Rrset soa;
  bool pending = false;
  // The NOTIFY in flight.
  bool in_flight = false;
  uint32_t serial_in_flight = 0;
  uint16_t id = 0;
  std::vector<uint8_t> request_mac;
  std::optional<dns::TsigKey> key;  // the key it was signed with
  int tries = 0;
  std::chrono::steady_clock::time_point deadline;
  std::chrono::steady_clock::time_point last_sent;
};

Notifier::Notifier(std::function<std::shared_ptr<const TransferPolicies>()> policies,
                   KeyFinder keys, NotifierOptions options)
    : policies_(std::move(policies)), keys_(std::move(keys)), options_(options) {}

Notifier::~Notifier() { Stop(); }

Status Notifier::Start() {
  socket4_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  socket6_ = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);  // may fail
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (socket4_ < 0 && socket6_ < 0) return MakeError(ErrorCode::kIo, "NOTIFY: no UDP socket");
  if (wake_fd_ < 0) return MakeError(ErrorCode::kIo, "NOTIFY: no eventfd");
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "tether-notify");
    Run();
  });
  return Ok();
}

void Notifier::Stop() {
  {
    MutexLock lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) {
    Wake();
    thread_.join();
  }
  for (int fd : {socket4_, socket6_, wake_fd_}) {
    if (fd >= 0) close(fd);
  }
  socket4_ = socket6_ = wake_fd_ = -1;
}

NotifierStats Notifier::Stats() const {
  MutexLock lock(mu_);
  return stats_;
}

void Notifier::Wake() {
  const uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!write(wake_fd_, &one, sizeof(one));
}

void Notifier::Notify(const dns::Name& origin, const zone::Rrset& soa) {
  std::shared_ptr<const TransferPolicies> policies = policies_();
  const ZonePolicy* policy = policies ? policies->Find(origin) : nullptr;
  if (policy == nullptr || policy->secondaries.empty()) return;
  {
    MutexLock lock(mu_);
    for (const SecondaryTarget& secondary : policy->secondaries) {
      const std::string id = origin.Lowercased().ToText() + " " + secondary.address.text;
      std::unique_ptr<Target>& target = targets_[id];
      if (target == nullptr) target = std::make_unique<Target>();
      target->origin = origin.Lowercased();
      target->address = secondary.address;
      target->key_name = secondary.key;
      target->soa = soa;
      target->pending = true;
    }
  }
  Wake();
}

void Notifier::Send(Target& target, std::chrono::steady_clock::time_point now) {
  if (target.soa.rdatas.empty()) return;
  const int fd = target.address.address.ss_family == AF_INET6 ? socket6_ : socket4_;
  target.id = RandomId();
  target.request_mac.clear();
  target.key.reset();
  if (target.key_name) {
    target.key = keys_ ? keys_(*target.key_name) : std::nullopt;
    if (!target.key) {
      spdlog::warn("NOTIFY {} to {}: key {} is unknown, sending unsigned", target.origin.ToText(),
                   target.address.text, target.key_name->ToText());
    }
  }
  // RFC 1996 3.7: opcode NOTIFY, AA set; the question is the zone's SOA; the answer may
  // carry the new SOA (secondaries use it as a hint).
  ZoneRequest request{target.id, dns::Opcode::kNotify, true, target.origin, dns::RrType::kSoa,
                      &target.soa, SoaSection::kAnswer, target.key ? &*target.key : nullptr};
  std::optional<BuiltRequest> built = BuildRequest(request, UnixNow());
  if (!built || fd < 0) return;
  target.request_mac = std::move(built->mac);
  auto serial = store::SoaSerial(target.soa.rdatas.front());
  target.serial_in_flight = serial ? *serial : 0;
  if (sendto(fd, built->wire.data(), built->wire.size(), 0,
             reinterpret_cast<const sockaddr*>(&target.address.address), target.address.length) < 0) {
    spdlog::debug("NOTIFY to {}: {}", target.address.text, std::strerror(errno));
  }
  ++stats_.sent;
  target.in_flight = true;
  target.last_sent = now;
  target.deadline = now + options_.first_timeout * (1 << std::min(target.tries, 10));
  ++target.tries;
}

void Notifier::SendDue(std::chrono::steady_clock::time_point now) {
  for (auto& [id, target] : targets_) {
    if (target->in_flight && now >= target->deadline) {
      if (target->pending) {
        target->in_flight = false;  // a newer serial replaces the unanswered one
        target->tries = 0;
      } else if (target->tries >= options_.tries) {
        spdlog::warn("NOTIFY {} serial {} to {}: no answer after {} tries, giving up",
                     target->origin.ToText(), target->serial_in_flight, target->address.text,
                     target->tries);
        ++stats_.failed;
        target->in_flight = false;
        target->tries = 0;
        continue;
      } else {
        Send(*target, now);  // retry, same serial
        continue;
      }
    }
    if (!target->in_flight && target->pending && now >= target->last_sent + options_.min_interval) {
      target->pending = false;
      target->tries = 0;
      Send(*target, now);
    }
  }
}

void Notifier::Receive(int fd) {
  uint8_t buffer[4096];
  while (true) {
    sockaddr_storage from{};
    socklen_t from_length = sizeof(from);
    const ssize_t size = recvfrom(fd, buffer, sizeof(buffer), 0,
                                  reinterpret_cast<sockaddr*>(&from), &from_length);
    if (size < 0) return;
    const std::span<const uint8_t> message(buffer, static_cast<size_t>(size));
    dns::Reader reader(message);
    dns::Header header = dns::ReadHeader(reader);
    if (!reader.ok() || !header.qr() || header.opcode() != dns::Opcode::kNotify) continue;
    MutexLock lock(mu_);
    for (auto& [id, target] : targets_) {
      if (!target->in_flight || target->id != header.id ||
          !SameAddress(reinterpret_cast<const sockaddr*>(&from),
                       reinterpret_cast<const sockaddr*>(&target->address.address))) {
        continue;
      }
      if (target->key) {
        dns::TsigStatus status =
            dns::VerifyResponse(message, *target->key, target->request_mac, UnixNow());
        if (status != dns::TsigStatus::kOk) {
          spdlog::warn("NOTIFY {} to {}: the answer does not verify (TSIG status {})",
                       target->origin.ToText(), target->address.text, static_cast<int>(status));
          break;  // as if unanswered: retried
        }
      }
      target->in_flight = false;
      target->tries = 0;
      if (header.rcode() == 0) {
        ++stats_.answered;
      } else {
        ++stats_.failed;
        spdlog::warn("NOTIFY {} serial {} to {}: {}", target->origin.ToText(),
                     target->serial_in_flight, target->address.text,
                     dns::RcodeToString(static_cast<dns::Rcode>(header.rcode())));
      }
      break;
    }
  }
}

void Notifier::Run() {
  while (true) {
    auto now = std::chrono::steady_clock::now();
    int timeout_ms = 1000;
    {
      MutexLock lock(mu_);
      if (stopping_) return;
      SendDue(now);
      for (const auto& [id, target] : targets_) {
        std::chrono::steady_clock::time_point next;
        if (target->in_flight) {
          next = target->deadline;
        } else if (target->pending) {
          next = target->last_sent + options_.min_interval;
        } else {
          continue;
        }
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count();
        timeout_ms = static_cast<int>(std::clamp<int64_t>(wait + 1, 0, timeout_ms));
      }
    }
    pollfd fds[3] = {{wake_fd_, POLLIN, 0}, {socket4_, POLLIN, 0}, {socket6_, POLLIN, 0}};
    if (poll(fds, 3, timeout_ms) < 0 && errno != EINTR) {
      spdlog::error("NOTIFY: poll: {}", std::strerror(errno));
      return;
    }
    if (fds[0].revents & POLLIN) {
      uint64_t count = 0;
      (void)!read(wake_fd_, &count, sizeof(count));
    }
    if (fds[1].revents & POLLIN) Receive(socket4_);
    if (fds[2].revents & POLLIN) Receive(socket6_);
  }
}

}  // namespace tether::xfr
