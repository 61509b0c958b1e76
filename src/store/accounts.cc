#include "store/accounts.h"
#include "store/takedowns.h"

#include "base/enum_names.h"

namespace tether::store {

namespace {
// These names are stored in the users and hosts tables and accepted by the CLI; changing
// one needs a schema migration.
constexpr EnumNames<Role, 3> kRoles{{{{Role::kUser, "user"}, {Role::kAbuse, "abuse"}, {Role::kAdmin, "admin"}}}};
constexpr EnumNames<Lifecycle, 3> kLifecycles{
    {{{Lifecycle::kActive, "active"}, {Lifecycle::kOffline, "offline"}, {Lifecycle::kExpired, "expired"}}}};
constexpr EnumNames<AbuseState, 4> kAbuseStates{{{{AbuseState::kNone, "none"},
                                                  {AbuseState::kWatch, "watch"},
                                                  {AbuseState::kFrozen, "frozen"},
                                                  {AbuseState::kEnforced, "enforced"}}}};
constexpr EnumNames<EnforceAction, 4> kEnforceActions{{{{EnforceAction::kNxdomain, "nxdomain"},
                                                        {EnforceAction::kNodata, "nodata"},
                                                        {EnforceAction::kSinkhole, "sinkhole"},
                                                        {EnforceAction::kDelegated, "delegated"}}}};
constexpr EnumNames<TakedownStatus, 5> kTakedownStatuses{{{{TakedownStatus::kPreview, "preview"},
                                                          {TakedownStatus::kApplying, "applying"},
                                                          {TakedownStatus::kApplied, "applied"},
                                                          {TakedownStatus::kRestoring, "restoring"},
                                                          {TakedownStatus::kRestored, "restored"}}}};
}  // namespace

const char* RoleName(Role role) { return kRoles.Name(role); }
std::optional<Role> RoleFromName(std::string_view name) { return kRoles.FromName(name); }
const char* LifecycleName(Lifecycle lifecycle) { return kLifecycles.Name(lifecycle); }
std::optional<Lifecycle> LifecycleFromName(std::string_view name) { return kLifecycles.FromName(name); }
const char* AbuseStateName(AbuseState state) { return kAbuseStates.Name(state); }
std::optional<AbuseState> AbuseStateFromName(std::string_view name) { return kAbuseStates.FromName(name); }
const char* TakedownStatusName(TakedownStatus status) { return kTakedownStatuses.Name(status); }
std::optional<TakedownStatus> TakedownStatusFromName(std::string_view name) {
  return kTakedownStatuses.FromName(name);
}
const char* EnforceActionName(EnforceAction action) { return kEnforceActions.Name(action); }
std::optional<EnforceAction> EnforceActionFromName(std::string_view name) {
  return kEnforceActions.FromName(name);
}

}  // namespace tether::store
