#include "abuse/hostname_features.h"

#include <array>
#include <cmath>

namespace tether::abuse {
namespace {

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

double Entropy(const std::string& text) {
  std::array<size_t, 256> counts{};
  for (char c : text) ++counts[static_cast<unsigned char>(c)];
  double bits = 0;
  for (size_t count : counts) {
    if (count == 0) continue;
    double p = static_cast<double>(count) / static_cast<double>(text.size());
    bits -= p * std::log2(p);
  }
  return bits;
}

}  // namespace

HostnameFeatures ExtractHostnameFeatures(std::string_view label) {
  HostnameFeatures features;
  std::string lower = Lower(label);
  features.length = lower.size();
  if (lower.empty()) return features;
  size_t digits = 0;
  for (char c : lower) digits += c >= '0' && c <= '9' ? 1 : 0;
  features.digit_ratio = static_cast<double>(digits) / static_cast<double>(lower.size());
  features.entropy = Entropy(lower);
  return features;
}

std::string FindBlockedWord(std::string_view label, const std::vector<std::string>& blocked_words) {
  std::string lower = Lower(label);
  for (const std::string& word : blocked_words) {
    if (!word.empty() && lower.find(word) != std::string::npos) return word;
  }
  return "";
}

}  // namespace tether::abuse
