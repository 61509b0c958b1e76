// Who may change what: TSIG keys with their grants (in the spirit of BIND's update-policy),
// and per-zone address lists for unsigned updates. Held as an immutable snapshot that admin
// commands replace as a whole; readers (the update path, and the query path for signed
// queries) take a shared_ptr to the current one.
//
// Thread-safety: AccessControl is thread-safe; an AccessSnapshot is immutable.
#pragma once

#include <sys/socket.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/cidr.h"
#include "base/mutex.h"
#include "dns/name.h"
#include "dns/rr_type.h"
#include "dns/wire/tsig.h"
#include "store/store.h"

namespace tether::update {

struct KeyEntry {
  dns::TsigKey key;
  std::vector<store::KeyGrant> grants;
};

class AccessSnapshot {
 public:
  AccessSnapshot() = default;
  AccessSnapshot(const std::vector<store::TsigKeyInfo>& keys,
                 const std::vector<store::ZoneInfo>& zones);

  const dns::TsigKey* FindKey(const dns::Name& name) const;
  const KeyEntry* FindKeyEntry(const dns::Name& name) const;
  // True if an unsigned update for `zone` may come from `peer`.
  bool AllowsUnsigned(const dns::Name& zone, const sockaddr* peer) const;
  // True if `key` holds a grant for `zone` at all.
  bool KeyHasZone(const KeyEntry& key, const dns::Name& zone) const;
  // True if `key` may change the RRset `type` at `name` in `zone` (type ANY: every type).
  static bool KeyMayChange(const KeyEntry& key, const dns::Name& zone, const dns::Name& name,
                           dns::RrType type);

 private:
  static std::string Key(const dns::Name& name);
  std::unordered_map<std::string, KeyEntry> keys_;
  std::unordered_map<std::string, std::vector<Cidr>> allow_update_;
};

class AccessControl {
 public:
  AccessControl() : current_(std::make_shared<const AccessSnapshot>()) {}
  std::shared_ptr<const AccessSnapshot> Get() const {
    MutexLock lock(mu_);
    return current_;
  }
  void Set(std::shared_ptr<const AccessSnapshot> snapshot) {
    MutexLock lock(mu_);
    current_ = std::move(snapshot);
  }

 private:
  mutable Mutex mu_;
  std::shared_ptr<const AccessSnapshot> current_ GUARDED_BY(mu_);
};

}  // namespace tether::update
