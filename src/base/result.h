// Result<T>: the value or the error of a fallible call. Expected failures (bad input, a
// missing name, an unreadable file) are values, never exceptions; the query path never
// throws. Built on tl::expected until std::expected is usable with g++ 12 and clang 14.
#pragma once

#include <string>
#include <utility>

#include <fmt/format.h>
#include <tl/expected.hpp>

namespace tether {

enum class ErrorCode {
  kInvalidArgument,  // bad input from outside: a packet, a file, a flag
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kIo,
  kUnavailable,
  kPermissionDenied,
  kInternal,
  kAborted,  // met a concurrent change (another node's); read again and retry
};

const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

template <class... Args>
tl::unexpected<Error> InvalidArgument(fmt::format_string<Args...> format, Args&&... args) {
  return MakeError(ErrorCode::kInvalidArgument, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
tl::unexpected<Error> NotFound(fmt::format_string<Args...> format, Args&&... args) {
  return MakeError(ErrorCode::kNotFound, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
tl::unexpected<Error> IoError(fmt::format_string<Args...> format, Args&&... args) {
  return MakeError(ErrorCode::kIo, fmt::format(format, std::forward<Args>(args)...));
}

inline Status Ok() { return {}; }

}  // namespace tether

#define TETHER_CONCAT_INNER(a, b) a##b
#define TETHER_CONCAT(a, b) TETHER_CONCAT_INNER(a, b)

// RETURN_IF_ERROR(expr): returns the error of a Result/Status expression, if any.
// Nests (a lambda in `expr` may use it again): each expansion names its own variable.
#define RETURN_IF_ERROR(expr) RETURN_IF_ERROR_IMPL(TETHER_CONCAT(tether_status_, __COUNTER__), expr)
#define RETURN_IF_ERROR_IMPL(status, expr)                  \
  do {                                                      \
    auto&& status = (expr);                                 \
    if (!status) return tl::unexpected(status.error());     \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): evaluates a Result<T>; on error returns it, else assigns.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(TETHER_CONCAT(tether_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)             \
  auto tmp = (expr);                                      \
  if (!tmp) return tl::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)
