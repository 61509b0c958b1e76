#include "store/store.h"

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

}  // namespace tether::store
