// Features of a host's own label (the first label of its FQDN, e.g. "q7xk2m9v" of
// q7xk2m9v.dyn.example.net): what a random-looking or brand-abusing name looks like.
// Only a blocked word flags a host on its own; the others go into the reasons.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tether::abuse {

struct HostnameFeatures {
  size_t length = 0;       // of the label, in bytes
  double digit_ratio = 0;  // share of ASCII digits
  double entropy = 0;      // Shannon entropy of its characters, bits per character
};

HostnameFeatures ExtractHostnameFeatures(std::string_view label);

// The first of `blocked_words` (lower-case) found in `label` (matched lower-case); empty
// when none is.
std::string FindBlockedWord(std::string_view label, const std::vector<std::string>& blocked_words);

}  // namespace tether::abuse
