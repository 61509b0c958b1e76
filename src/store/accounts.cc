#include "store/accounts.h"

namespace tether::store {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kUser:
      return "user";
    case Role::kAbuse:
      return "abuse";
    case Role::kAdmin:
      return "admin";
  }
  return "user";
}

std::optional<Role> RoleFromName(std::string_view name) {
  if (name == "user") return Role::kUser;
  if (name == "abuse") return Role::kAbuse;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

const char* LifecycleName(Lifecycle lifecycle) {
  switch (lifecycle) {
    case Lifecycle::kActive:
      return "active";
    case Lifecycle::kOffline:
      return "offline";
    case Lifecycle::kExpired:
      return "expired";
  }
  return "active";
}

std::optional<Lifecycle> LifecycleFromName(std::string_view name) {
  if (name == "active") return Lifecycle::kActive;
  if (name == "offline") return Lifecycle::kOffline;
  if (name == "expired") return Lifecycle::kExpired;
  return std::nullopt;
}

const char* AbuseStateName(AbuseState state) {
  switch (state) {
    case AbuseState::kNone:
      return "none";
    case AbuseState::kWatch:
      return "watch";
    case AbuseState::kFrozen:
      return "frozen";
  }
  return "none";
}

std::optional<AbuseState> AbuseStateFromName(std::string_view name) {
  if (name == "none") return AbuseState::kNone;
  if (name == "watch") return AbuseState::kWatch;
  if (name == "frozen") return AbuseState::kFrozen;
  return std::nullopt;
}

}  // namespace tether::store
