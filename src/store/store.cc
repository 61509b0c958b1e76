#include "store/store.h"

#include <thread>

#include "base/enum_names.h"

namespace tether::store {

namespace {
// These names are stored in the zones table and accepted by `tether zone add
// --serial-policy`; changing one needs a schema migration.
constexpr EnumNames<SerialPolicy, 2> kSerialPolicies{
    {{{SerialPolicy::kIncrement, "increment"}, {SerialPolicy::kUnixTime, "unixtime"}}}};
// These are stored in the PostgreSQL changes table.
constexpr EnumNames<ChangeKind, 7> kChangeKinds{{{{ChangeKind::kJournal, "journal"},
                                                  {ChangeKind::kZone, "zone"},
                                                  {ChangeKind::kKeys, "keys"},
                                                  {ChangeKind::kUser, "user"},
                                                  {ChangeKind::kHost, "host"},
                                                  {ChangeKind::kToken, "token"},
                                                  {ChangeKind::kCredential, "credential"}}}};
}  // namespace

const char* SerialPolicyName(SerialPolicy policy) { return kSerialPolicies.Name(policy); }
std::optional<SerialPolicy> SerialPolicyFromName(std::string_view name) { return kSerialPolicies.FromName(name); }
const char* ChangeKindName(ChangeKind kind) { return kChangeKinds.Name(kind); }
std::optional<ChangeKind> ChangeKindFromName(std::string_view name) { return kChangeKinds.FromName(name); }

Result<std::optional<PrimarySettings>> Store::GetPrimarySettings(int64_t /*zone_id*/) {
  return std::optional<PrimarySettings>();
}

Status Store::SetPrimarySettings(int64_t /*zone_id*/,
                                 const std::optional<PrimarySettings>& /*settings*/) {
  return MakeError(ErrorCode::kFailedPrecondition, "this store does not keep secondary zones yet");
}

Result<ChangeBatch> Store::WaitForChanges(uint64_t /*after*/, std::chrono::milliseconds wait) {
  std::this_thread::sleep_for(wait);  // nothing ever changes elsewhere
  return ChangeBatch{};
}

}  // namespace tether::store
