#include "accounts/name_policy.h"

#include <algorithm>
#include <cctype>

namespace tether::accounts {

Status CheckHostLabel(std::string_view label, const NamePolicy& policy) {
  std::string lower(label);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.size() < policy.min_length || lower.size() > policy.max_length) {
    return InvalidArgument("host name '{}' must be {} to {} characters long", label, policy.min_length,
                           policy.max_length);
  }
  // RFC 1123 2.1 (and RFC 952): letters, digits and hyphens; no hyphen at either end.
  for (char c : lower) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) {
      return InvalidArgument("host name '{}' may only contain letters, digits and hyphens", label);
    }
  }
  if (lower.front() == '-' || lower.back() == '-') {
    return InvalidArgument("host name '{}' may not begin or end with a hyphen", label);
  }
  // "xn--" labels are IDNA A-labels; "ab--" forms are reserved for future encodings.
  if (lower.size() >= 4 && lower[2] == '-' && lower[3] == '-' && lower.rfind("xn--", 0) != 0) {
    return InvalidArgument("host name '{}' may not have hyphens in the third and fourth places", label);
  }
  if (std::find(policy.reserved.begin(), policy.reserved.end(), lower) != policy.reserved.end()) {
    return InvalidArgument("host name '{}' is reserved", label);
  }
  for (const auto& word : policy.blocked) {
    if (!word.empty() && lower.find(word) != std::string::npos) {
      return InvalidArgument("host name '{}' contains a blocked word", label);
    }
  }
  return Ok();
}

}  // namespace tether::accounts
