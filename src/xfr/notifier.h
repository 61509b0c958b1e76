// Notifier: sends NOTIFY (RFC 1996) to a zone's secondaries after each serial change, over
// UDP, from its own thread and sockets.
//
// Per (zone, secondary) at most one NOTIFY is in flight. A change while one is in flight
// is remembered, not sent: when the answer comes (or the tries run out), one NOTIFY for
// the latest serial follows — so a stream of updates costs a secondary one NOTIFY per
// round trip, never one per update, and never more than one per `min_interval`. An
// unanswered NOTIFY is sent again after `first_timeout`, then twice as long each time, up
// to `tries` sends (default 5: after 1, 2, 4, 8 s, then given up with a warning). A
// secondary with a key gets signed NOTIFYs (RFC 8945) and its answers must verify.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "dns/wire/tsig.h"
#include "xfr/transfer_policy.h"
#include "xfr/xfr_service.h"
#include "zone/rrset.h"

namespace tether::xfr {

struct NotifierOptions {
  int tries = 5;
  std::chrono::milliseconds first_timeout{1000};
  // At least a secondary's reload time: NSD 4.6 fails an update when one reload applies
  // several transfers, and falls back to a full AXFR (bench/README.md, --xfr).
  std::chrono::milliseconds min_interval{250};
};

struct NotifierStats {
  uint64_t sent = 0;      // datagrams, retries included
  uint64_t answered = 0;  // NOERROR answers that matched (and verified)
  uint64_t failed = 0;    // given up, or answered with an error
};

class Notifier {
 public:
  // `policies` gives the current secondaries; `keys` finds the keys to sign with.
  Notifier(std::function<std::shared_ptr<const TransferPolicies>()> policies, KeyFinder keys,
           NotifierOptions options = {});
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  Status Start();
  void Stop();

  // The zone now has `soa` (its apex SOA RRset): tell its secondaries. Returns at once.
  void Notify(const dns::Name& origin, const zone::Rrset& soa);

  NotifierStats Stats() const;

 private:
  struct Target;
  void Run();
  void SendDue(std::chrono::steady_clock::time_point now) REQUIRES(mu_);
  void Send(Target& target, std::chrono::steady_clock::time_point now) REQUIRES(mu_);
  void Receive(int fd);
  void Wake();

  const std::function<std::shared_ptr<const TransferPolicies>()> policies_;
  const KeyFinder keys_;
  const NotifierOptions options_;
  int socket4_ = -1;
  int socket6_ = -1;
  int wake_fd_ = -1;

  mutable Mutex mu_;
  std::map<std::string, std::unique_ptr<Target>> targets_ GUARDED_BY(mu_);  // zone + address
  bool stopping_ GUARDED_BY(mu_) = false;
  NotifierStats stats_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace tether::xfr
