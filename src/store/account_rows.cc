#include "store/account_rows.h"

namespace tether::store::account_rows {

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma > start) out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::optional<std::vector<std::string>> SplitListStrict(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma == start) return std::nullopt;
    out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Result<std::string> JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (item.empty() || item.find(',') != std::string::npos) return InvalidArgument("bad list item '{}'", item);
    out += (out.empty() ? "" : ",") + item;
  }
  return out;
}

Result<TokenLists> TokenListsOf(const TokenInfo& token) {
  std::vector<std::string> hosts;
  for (const auto& host : token.hosts) hosts.push_back(host.Lowercased().ToText());
  std::vector<std::string> types;
  for (auto type : token.types) types.push_back(dns::RrTypeToString(type));
  TokenLists lists;
  ASSIGN_OR_RETURN(lists.hosts, JoinList(hosts));
  ASSIGN_OR_RETURN(lists.types, JoinList(types));
  ASSIGN_OR_RETURN(lists.networks, JoinList(token.networks));
  return lists;
}

}  // namespace tether::store::account_rows
