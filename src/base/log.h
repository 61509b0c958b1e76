// Logging: spdlog to standard error. Call InitLogging() once in main(); afterwards use
// spdlog::info(...) and friends from any thread (spdlog's stderr sink is thread-safe).
#pragma once

#include <string_view>

#include <spdlog/spdlog.h>

namespace tether {

// level: trace, debug, info, warn, error, critical or off. Returns false if unknown.
bool InitLogging(std::string_view level);

}  // namespace tether
