// Exit statuses and error lines of the admin commands (admin.cc, admin_accounts.cc), as
// ../shared/DESIGN.md (Interfaces) defines them: 0 done, 1 failed, 2 usage error.
#pragma once

#include <cctype>
#include <chrono>
#include <cstdint>
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

// Now, in unix seconds.
inline int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ASCII lower case (account names).
inline std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A free-text field in a tab-separated row: tabs, newlines and backslashes escaped, "-" if
// empty, so that every entry stays one row of the same columns.
inline std::string Field(const std::string& text) {
  if (text.empty()) return "-";
  std::string out;
  for (char c : text) {
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace tether::app::admin_output
