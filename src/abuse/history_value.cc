#include "abuse/history_value.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace tether::abuse {
namespace {

constexpr size_t kMaxAddressText = 64;  // longer tokens are not addresses

bool IsSeparator(char c) { return c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// Splits `value` into tokens; a quoted string (with \" escapes) is one token that starts
// with '"', so it can never be taken for a type or an address.
std::vector<std::string_view> Tokens(std::string_view value) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < value.size()) {
    if (IsSeparator(value[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    if (value[i] == '"') {
      for (++i; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\') ++i;
      }
      i = i < value.size() ? i + 1 : value.size();
    } else {
      while (i < value.size() && !IsSeparator(value[i])) ++i;
    }
    tokens.push_back(value.substr(start, i - start));
  }
  return tokens;
}

std::optional<IpAddress> ParseAddress(std::string_view text) {
  if (text.empty() || text.size() > kMaxAddressText) return std::nullopt;
  boost::system::error_code error;
  IpAddress address = boost::asio::ip::make_address(std::string(text), error);
  if (error) return std::nullopt;
  return address;
}

IpAddress Unmapped(const IpAddress& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  return address;
}

// "(+N before)" / "(after N nochg)": N, or 0 when the note is missing or unreadable.
int64_t FoldedCount(std::string_view note) {
  size_t digits = note.find_first_of("0123456789");
  if (digits == std::string_view::npos) return 0;
  int64_t count = 0;
  auto [ptr, ec] = std::from_chars(note.data() + digits, note.data() + note.size(), count);
  (void)ptr;
  constexpr int64_t kMaxFolded = 1000000;  // a row stands for at most this many polls
  return ec == std::errc() && count > 0 ? std::min(count, kMaxFolded) : 0;
}

}  // namespace

std::vector<IpAddress> ParsePublishedAddresses(std::string_view value) {
  std::vector<IpAddress> addresses;
  std::vector<std::string_view> tokens = Tokens(value);
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    bool v4 = EqualsIgnoreCase(tokens[i], "A");
    bool v6 = EqualsIgnoreCase(tokens[i], "AAAA");
    if (!v4 && !v6) continue;
    std::optional<IpAddress> address = ParseAddress(tokens[i + 1]);
    if (address && address->is_v4() == v4) {
      addresses.push_back(Unmapped(*address));
      ++i;
    }
  }
  return addresses;
}

std::optional<IpAddress> ParseSourceAddress(std::string_view source) {
  if (!source.empty() && source.front() == '[') {  // [v6]:port
    size_t close = source.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::optional<IpAddress> address = ParseAddress(source.substr(1, close - 1));
    if (address) return Unmapped(*address);
    return std::nullopt;
  }
  if (std::optional<IpAddress> address = ParseAddress(source)) return Unmapped(*address);
  size_t colon = source.rfind(':');  // v4:port
  if (colon == std::string_view::npos || source.find(':') != colon) return std::nullopt;
  std::optional<IpAddress> address = ParseAddress(source.substr(0, colon));
  if (address && !address->is_v4()) return std::nullopt;
  return address;
}

ResultSummary SummarizeResult(std::string_view result) {
  auto word_end = result.find(' ');
  std::string_view word = result.substr(0, word_end);
  std::string_view note = word_end == std::string_view::npos ? "" : result.substr(word_end);
  if (word == "nochg") return {HistoryResult::kNochg, 1 + FoldedCount(note)};
  if (word == "good") return {HistoryResult::kGood, FoldedCount(note)};
  return {HistoryResult::kRefused, 0};
}

}  // namespace tether::abuse
