// SecondaryService: keeps tetherd's secondary zones (`tether zone add ORIGIN --primary
// ADDR`) in step with their primaries, per RFC 1034 4.3.5 and RFC 1996:
//   * every REFRESH seconds of the zone's SOA (RETRY after a failure) and at once on a
//     NOTIFY, it asks the primaries in order for the SOA; if one has a newer serial it
//     transfers from it — IXFR from our serial, AXFR when the IXFR is refused or does not
//     apply — and applies the transfer (transfer_apply.h: store first, one publish);
//   * a zone not refreshed for EXPIRE seconds answers SERVFAIL until a refresh succeeds
//     (the time of the last success is kept in the store, so a restart does not reset it);
//   * NOTIFY is answered here (HandleNotify): only from a primary's address, only signed
//     with the zone's key when it has one.
// After each transfer `on_publish` is called (NOTIFY to our own secondaries).
//
// One thread refreshes the zones one at a time, so a zone has one writer. Thread-safety:
// every method may be called from any thread.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/result.h"
#include "store/store.h"
#include "xfr/transfer_policy.h"
#include "xfr/transfer_reader.h"
#include "xfr/xfr_service.h"
#include "zone/zone.h"

namespace tether::xfr {

struct SecondaryOptions {
  std::chrono::milliseconds timeout{5000};  // per network wait (SOA query, transfer reads)
  // The SOA timers are used as they are, but never below these (seconds).
  uint32_t min_refresh = 1;
  uint32_t min_retry = 1;
  // Called after each transfer is published, on the service thread. Must not block.
  std::function<void(const dns::Name& origin, const zone::Rrset& soa)> on_publish = nullptr;
};

struct SecondaryStats {
  uint64_t refreshes = 0;      // SOA checks that reached a primary
  uint64_t ixfr = 0;           // incremental transfers applied
  uint64_t axfr = 0;           // full transfers applied
  uint64_t failures = 0;       // refreshes that reached no primary or failed to apply
  uint64_t notifies = 0;       // NOTIFYs accepted
  uint64_t notifies_refused = 0;
};

// Parses "ADDR[:PORT]" entries as PrimarySettings stores them.
Result<std::vector<PeerAddress>> ParsePrimaries(const std::vector<std::string>& texts);

// Transfers a new zone (AXFR) from the first primary that serves it, for `tether zone add
// --primary`. `key` may be null.
Result<Transfer> InitialTransfer(const dns::Name& origin, const std::vector<PeerAddress>& primaries,
                                 const dns::TsigKey* key, std::chrono::milliseconds timeout);

class SecondaryService {
 public:
  SecondaryService(store::Store& store, KeyFinder keys, SecondaryOptions options);
  ~SecondaryService();
  SecondaryService(const SecondaryService&) = delete;
  SecondaryService& operator=(const SecondaryService&) = delete;

  void Start();
  void Stop();

  // Takes care of a secondary zone whose content is loaded (or just transferred). Its next
  // refresh and its expiry are reckoned from settings.refreshed.
  void AddZone(int64_t zone_id, std::shared_ptr<zone::Zone> zone, store::PrimarySettings settings);
  void RemoveZone(const dns::Name& origin);
  bool IsSecondary(const dns::Name& origin) const;

  // Answers a NOTIFY request (RFC 1996 3.7: NOERROR with opcode NOTIFY) and schedules a
  // refresh; or NOTAUTH (not a zone of ours), REFUSED (not from a primary, or not signed
  // with the zone's key), FORMERR, NOTAUTH with the TSIG error. Empty: send nothing.
  std::vector<uint8_t> HandleNotify(std::span<const uint8_t> message, const sockaddr* peer);

  // Refreshes a zone now and returns when done (tests).
  Status RefreshNow(const dns::Name& origin);

  SecondaryStats Stats() const;

 private:
  struct ZoneState;
  void Run();
  Status Refresh(ZoneState& state);
  Status RefreshFrom(ZoneState& state, const PeerAddress& primary, const dns::TsigKey* key);
  void Reschedule(ZoneState& state, bool success) REQUIRES(mu_);

  store::Store& store_;
  const KeyFinder keys_;
  const SecondaryOptions options_;

  mutable Mutex mu_;
  std::condition_variable_any wake_;
  std::map<std::string, std::shared_ptr<ZoneState>> zones_ GUARDED_BY(mu_);  // by origin text
  bool stopping_ GUARDED_BY(mu_) = false;
  SecondaryStats stats_ GUARDED_BY(mu_);
  Mutex refresh_mu_;  // one refresh at a time: the thread's and RefreshNow's
  std::thread thread_;
};

}  // namespace tether::xfr
