// The rules for host names users may register under a service zone: one label (a
// third-level name such as `home` in home.dyn.example.net), RFC 1123 letters-digits-hyphen,
// within length limits, not reserved by the operator and not containing a blocked word.
// Configured in `[names]` (docs/configuration.md). Values; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tether::accounts {

struct NamePolicy {
  size_t min_length = 3;
  size_t max_length = 63;
  // Whole labels nobody may register (the operator's own names).
  std::vector<std::string> reserved = {"www", "mail", "smtp", "imap", "pop", "ftp", "ns", "ns1", "ns2",
                                       "ns3", "ns4", "dns", "api", "admin", "root", "abuse", "support",
                                       "status", "help", "login", "account", "rpz", "_acme-challenge"};
  // Substrings that may not appear in a label (e.g. brand names phishers like).
  std::vector<std::string> blocked;
  int default_host_limit = 5;  // hosts per account unless the account says otherwise
};

// Checks `label` (any case) against the policy; the error says which rule failed.
Status CheckHostLabel(std::string_view label, const NamePolicy& policy);

}  // namespace tether::accounts
