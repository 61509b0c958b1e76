// The audit log (DESIGN.md, "Abuse handling"): who did what to which names, when and why,
// append-only, each entry chained to the one before by a SHA-256 hash so that a changed,
// removed or reordered entry shows (abuse/audit.h verifies the chain; docs/abuse.md gives
// the encoding).
//
// The store assigns seq and prev_hash and computes the hash inside the transaction that
// appends the entry, from the newest stored entry, on its single writer (the PostgreSQL
// committer holds the feed's counter row, so several nodes sharing a database append one
// chain, never two). There is no way to change or delete an entry through the store.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tether::store {

struct AuditEntry {
  uint64_t seq = 0;    // 1, 2, ... gap-free
  int64_t time = 0;    // unix seconds
  std::string actor;   // "admin", "admin:control-socket", a user name
  std::string action;  // "host.remove", "takedown.apply", ...
  std::string reason;
  std::string reference;           // e.g. a case number
  std::vector<std::string> names;  // absolute lower-case FQDNs ("a.dyn.example.")
  uint32_t serial_before = 0;      // 0 when not applicable
  uint32_t serial_after = 0;
  std::string prev_hash;  // lower-case hex; the first entry's is kAuditGenesisHash
  std::string hash;       // AuditHash(*this)

  bool operator==(const AuditEntry& other) const = default;
};

// The prev_hash of entry 1: 64 zeros.
extern const char kAuditGenesisHash[];

// The canonical encoding the hash covers: every field but `hash`, prev_hash first, each as
// a netstring (decimal byte length, ':', the bytes, ','); numbers in decimal, names as
// their count followed by one netstring each. Unambiguous: no field can run into the next.
std::string AuditEncoding(const AuditEntry& entry);
// Lower-case hex SHA-256 of AuditEncoding(entry).
std::string AuditHash(const AuditEntry& entry);
// Lower-case hex SHA-256 of `bytes` (also the legal-hold export's manifest).
std::string Sha256Hex(std::string_view bytes);

// Names in a stored row: one per line (presentation form never holds a newline).
std::string JoinAuditNames(const std::vector<std::string>& names);
std::vector<std::string> SplitAuditNames(const std::string& joined);

class AuditLog {
 public:
  virtual ~AuditLog() = default;

  // Appends `entry` (its seq, prev_hash and hash are ignored) in one transaction of the
  // store's writer: reads the newest entry, sets seq = its seq + 1 and prev_hash = its hash,
  // computes hash. Returns the entry as stored, once durable.
  virtual Result<AuditEntry> AppendAudit(const AuditEntry& entry) = 0;
  // Up to `limit` entries with seq > after_seq, oldest first, as stored (not verified).
  virtual Result<std::vector<AuditEntry>> ReadAudit(uint64_t after_seq, size_t limit) = 0;
};

}  // namespace tether::store
