// Verifying the audit log's hash chain (store/audit.h; docs/abuse.md): every entry's seq
// follows the one before it, its prev_hash is the hash of the one before it (64 zeros for
// the first), and its hash is what its fields give. Any edit of a stored field, a removed
// or reordered entry, breaks one of the three at the first entry it touched.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/audit.h"

namespace tether::abuse {

struct AuditVerdict {
  bool ok = true;
  uint64_t entries = 0;    // entries checked (all of them when ok)
  uint64_t broken_at = 0;  // when !ok: the seq expected at the first bad entry
  std::string why;         // when !ok: what did not match
};

// Checks `entries`, oldest first, as the whole log from seq 1.
AuditVerdict VerifyAudit(const std::vector<store::AuditEntry>& entries);

// The same, entry by entry, for a log read in pages: Add each entry in order; the first
// failure latches.
class AuditVerifier {
 public:
  // Returns false once the chain is broken (this entry or an earlier one).
  bool Add(const store::AuditEntry& entry);
  const AuditVerdict& verdict() const { return verdict_; }

 private:
  std::string prev_hash_ = store::kAuditGenesisHash;
  AuditVerdict verdict_;
};

}  // namespace tether::abuse
