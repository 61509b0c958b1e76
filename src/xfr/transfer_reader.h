// TransferReader: the client side of a zone transfer (tetherd as a secondary). It reads the
// messages of an AXFR (RFC 5936) or IXFR (RFC 1995) response, one at a time as they come
// off the TCP connection, checks each (ID, question, RCODE, TSIG over the whole stream per
// RFC 8945 5.3.1), and tells the three forms of answer apart:
//   * up to date: the IXFR answer is the primary's SOA alone, not newer than ours;
//   * full: SOA, every record, SOA again (an AXFR, or an IXFR answered AXFR-style);
//   * incremental: SOA(new), then per change SOA(old), removed RRs, SOA(new'), added RRs,
//     then SOA(new) again — each change starting where the previous one ended.
// Messages come from the network and are untrusted: anything else — a first record that is
// not the zone's SOA, a second SOA in an AXFR, a change that does not follow on, records
// after the last SOA, a missing or failing signature — fails the transfer, and the caller
// leaves the zone as it was. Records outside the zone are skipped (RFC 5936 3.2).
//
// Values; not synchronised. One reader per transfer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/rr_type.h"
#include "dns/wire/tsig.h"
#include "store/store.h"
#include "xfr/record_list.h"
#include "zone/rrset.h"

namespace tether::xfr {

enum class TransferKind { kUpToDate, kFull, kIncremental };

struct Transfer {
  TransferKind kind = TransferKind::kFull;
  zone::Rrset soa;       // the primary's SOA (one record)
  uint32_t serial = 0;   // its serial
  RecordList records;    // kFull: every record but the SOA, as received
  // kIncremental: the changes, oldest first, in the journal's form (`removed` starts with
  // the old SOA, `added` with the new one; seq and time are 0).
  std::vector<store::JournalEntry> changes;
  size_t messages = 0;
  size_t skipped = 0;    // records outside the zone
};

struct TransferRequestInfo {
  dns::Name origin;                       // lowercase
  dns::RrType qtype = dns::RrType::kAxfr;  // kAxfr or kIxfr
  uint16_t id = 0;
  std::optional<uint32_t> client_serial;  // IXFR: the serial we sent
  std::optional<dns::TsigKey> key;        // set: every message must verify
  std::vector<uint8_t> request_mac;
  size_t max_records = 20'000'000;        // a bound on memory: more fails the transfer
};

class TransferReader {
 public:
  explicit TransferReader(TransferRequestInfo request);

  // Reads the next message. An error fails the transfer; later calls fail too. `now` in
  // unix seconds, for TSIG.
  Status Add(std::span<const uint8_t> message, uint64_t now);
  // True once the last record of the transfer has been read.
  bool done() const { return state_ == State::kDone; }
  // The transfer read. REQUIRES: done().
  Transfer Take() { return std::move(transfer_); }

 private:
  enum class State { kStart, kSecond, kFull, kRemoving, kAdding, kDone, kFailed };
  Status Record(const dns::Name& owner, dns::RrType type, uint32_t ttl,
                std::vector<uint8_t> rdata);
  Status Fail(std::string message);

  TransferRequestInfo request_;
  std::optional<dns::TsigStreamVerifier> verifier_;
  State state_ = State::kStart;
  Transfer transfer_;
  store::JournalEntry change_;  // the change being read (incremental)
  size_t records_ = 0;
};

}  // namespace tether::xfr
