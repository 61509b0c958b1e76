// XfrService: answers zone transfer requests — AXFR (RFC 5936) from the in-memory zone and
// IXFR (RFC 1995) from the store's change journal — after checking TSIG (RFC 8945) and the
// zone's transfer policy (transfer_policy.h). The DNS front end hands it every request
// whose QTYPE is AXFR or IXFR (through the app's dispatcher) and never waits: requests run
// on the service's own threads, and the response messages go back through a callback.
//
// Answers (docs/zone-transfers.md):
//   * AXFR over UDP: NOTIMP (RFC 5936 4.2 forbids it; Knot answers NOTIMP too).
//   * IXFR over UDP: the current SOA alone, which sends the client to TCP (RFC 1995 2).
//   * not a zone we serve: NOTAUTH; not allowed: REFUSED; bad TSIG: NOTAUTH with the TSIG
//     error (RFC 8945 5.2); IXFR without the client's SOA in the authority section: FORMERR.
//   * IXFR: the journal entries from the client's serial on, condensed into one difference
//     (condense.h); the single SOA when the client is current; the whole zone (AXFR form)
//     when the journal does not reach back to the client's serial or the zone has no
//     journal (a --zone file zone).
// A signed request gets every response message signed.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "base/work_pool.h"
#include "dns/wire/tsig.h"
#include "store/store.h"
#include "xfr/response_stream.h"
#include "xfr/transfer_policy.h"
#include "zone/zone_set.h"

namespace tether::xfr {

// Finds a TSIG key by (lowercase) name; nullopt if unknown.
using KeyFinder = std::function<std::optional<dns::TsigKey>(const dns::Name&)>;

struct XfrOptions {
  int threads = 2;                  // transfers served at once
  std::function<uint64_t()> now;    // unix seconds for TSIG; empty: the system clock
};

// Counters for tests and logs.
struct XfrStats {
  uint64_t axfr = 0;
  uint64_t ixfr = 0;           // answered from the journal
  uint64_t ixfr_current = 0;   // single-SOA answers
  uint64_t ixfr_fallback = 0;  // answered with the whole zone
  uint64_t refused = 0;
};

class XfrService {
 public:
  XfrService(zone::ZoneRegistry& zones, store::Store& store, KeyFinder keys, XfrOptions options);
  ~XfrService();
  XfrService(const XfrService&) = delete;
  XfrService& operator=(const XfrService&) = delete;

  // Re-reads the transfer settings of every stored zone.
  Status Reload();
  std::shared_ptr<const TransferPolicies> policies() const;

  // Queues one request. `send(message, last)` is called for each response message in order,
  // on a service thread; the last call has last = true and may carry an empty message
  // (nothing more to send; for UDP: send nothing).
  using Sender = std::function<void(std::vector<uint8_t> message, bool last)>;
  void Submit(std::vector<uint8_t> request, const sockaddr_storage& peer, bool tcp, Sender send);
  // Finishes queued requests and joins the threads.
  void Stop();

  // The synchronous core of Submit (tests): the response messages go to `sink`.
  void Handle(std::span<const uint8_t> request, const sockaddr* peer, bool tcp,
              const MessageSink& sink);

  XfrStats Stats() const;

 private:
  std::optional<std::vector<store::JournalEntry>> JournalFrom(int64_t zone_id,
                                                              uint32_t client_serial);
  uint64_t Now() const;

  zone::ZoneRegistry& zones_;
  store::Store& store_;
  const KeyFinder keys_;
  const XfrOptions options_;
  WorkPool pool_;

  mutable Mutex mu_;
  std::shared_ptr<const TransferPolicies> policies_ GUARDED_BY(mu_);
  // Per zone id: serial_from -> journal seq, learned from earlier reads, so an IXFR reads
  // only the entries it sends instead of the whole journal.
  std::unordered_map<int64_t, std::unordered_map<uint32_t, uint64_t>> journal_index_
      GUARDED_BY(mu_);
  XfrStats stats_ GUARDED_BY(mu_);
};

}  // namespace tether::xfr
