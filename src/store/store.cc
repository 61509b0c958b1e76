#include "store/store.h"

#include <thread>
#include <utility>

namespace tether::store {

// These names are stored in the zones table and accepted by `tether zone add
// --serial-policy`; changing one needs a schema migration.
const char* SerialPolicyName(SerialPolicy policy) {
  switch (policy) {
    case SerialPolicy::kIncrement:
      return "increment";
    case SerialPolicy::kUnixTime:
      return "unixtime";
  }
  return "increment";
}

std::optional<SerialPolicy> SerialPolicyFromName(std::string_view name) {
  if (name == "increment") return SerialPolicy::kIncrement;
  if (name == "unixtime") return SerialPolicy::kUnixTime;
  return std::nullopt;
}

Result<std::optional<PrimarySettings>> Store::GetPrimarySettings(int64_t /*zone_id*/) {
  return std::optional<PrimarySettings>();
}

Status Store::SetPrimarySettings(int64_t /*zone_id*/,
                                 const std::optional<PrimarySettings>& /*settings*/) {
  return MakeError(ErrorCode::kFailedPrecondition, "this store does not keep secondary zones yet");
}

namespace {
constexpr std::pair<ChangeKind, const char*> kChangeKindNames[] = {
    {ChangeKind::kJournal, "journal"}, {ChangeKind::kZone, "zone"},   {ChangeKind::kKeys, "keys"},
    {ChangeKind::kUser, "user"},       {ChangeKind::kHost, "host"},   {ChangeKind::kToken, "token"},
    {ChangeKind::kCredential, "credential"},
};
}  // namespace

// These names are stored in the PostgreSQL changes table.
const char* ChangeKindName(ChangeKind kind) {
  for (const auto& [value, name] : kChangeKindNames) {
    if (value == kind) return name;
  }
  return "journal";
}

std::optional<ChangeKind> ChangeKindFromName(std::string_view name) {
  for (const auto& [value, text] : kChangeKindNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

Result<ChangeBatch> Store::WaitForChanges(uint64_t /*after*/, std::chrono::milliseconds wait) {
  std::this_thread::sleep_for(wait);  // nothing ever changes elsewhere
  return ChangeBatch{};
}

}  // namespace tether::store
