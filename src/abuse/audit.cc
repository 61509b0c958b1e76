#include "abuse/audit.h"

namespace tether::abuse {

bool AuditVerifier::Add(const store::AuditEntry& entry) {
  if (!verdict_.ok) return false;
  const uint64_t expected = verdict_.entries + 1;
  std::string why;
  if (entry.seq != expected) {
    why = "seq is " + std::to_string(entry.seq) + ", expected " + std::to_string(expected) +
          " (an entry was removed, added or moved)";
  } else if (entry.prev_hash != prev_hash_) {
    why = "prev_hash does not match the hash of the entry before";
  } else if (store::AuditHash(entry) != entry.hash) {
    why = "hash does not match the entry's fields (the entry was changed)";
  }
  if (!why.empty()) {
    verdict_.ok = false;
    verdict_.broken_at = expected;
    verdict_.why = std::move(why);
    return false;
  }
  prev_hash_ = entry.hash;
  verdict_.entries = expected;
  return true;
}

AuditVerdict VerifyAudit(const std::vector<store::AuditEntry>& entries) {
  AuditVerifier verifier;
  for (const store::AuditEntry& entry : entries) {
    if (!verifier.Add(entry)) break;
  }
  return verifier.verdict();
}

}  // namespace tether::abuse
