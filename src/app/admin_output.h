// Exit statuses and error lines of the admin commands (admin.cc, admin_accounts.cc), as
// ../shared/DESIGN.md (Interfaces) defines them: 0 done, 1 failed, 2 usage error.
#pragma once

#include <string>

#include "control/control_server.h"

namespace tether::app::admin_output {

inline constexpr int kOk = 0;
inline constexpr int kFailure = 1;
inline constexpr int kUsage = 2;

// Writes "tether: MESSAGE" to the command's standard error; returns kFailure.
inline int Fail(control::CommandOutput& out, const std::string& message) {
  out.Err("tether: " + message + "\n");
  return kFailure;
}

// The same for a command given wrongly; returns kUsage.
inline int Usage(control::CommandOutput& out, const std::string& message) {
  out.Err("tether: " + message + "\n");
  return kUsage;
}

}  // namespace tether::app::admin_output
