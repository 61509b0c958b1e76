// Reading the text a host's update history stores (store/accounts.h HistoryEntry): the
// addresses a value publishes ("A 198.51.100.7, AAAA 2001:db8::7", or space-separated as
// the dyndns2 path writes it, "A 198.51.100.7 AAAA 2001:db8::7 TXT \"...\""), and what a
// result says ("good", "nochg (+11 before)", "good (after 3 nochg)", "badauth", ...).
//
// The history is data from the database and, through it, from clients: every function here
// accepts any bytes and never throws; what it cannot read it skips.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace tether::abuse {

using IpAddress = boost::asio::ip::address;

// The A and AAAA addresses in `value`, in order, duplicates kept. Tokens are separated by
// spaces and commas; an address is the token after "A" or "AAAA" (any case); quoted text
// (TXT data) is skipped; a token that is not an address of that family is ignored.
// IPv4-mapped IPv6 addresses are returned as IPv4.
std::vector<IpAddress> ParsePublishedAddresses(std::string_view value);

// A client address as the history stores it ("198.51.100.7", "2001:db8::1",
// "::ffff:198.51.100.7", also "[2001:db8::1]:443" or "198.51.100.7:80"); nullopt when
// unreadable. IPv4-mapped IPv6 addresses are returned as IPv4.
std::optional<IpAddress> ParseSourceAddress(std::string_view source);

enum class HistoryResult { kGood, kNochg, kRefused };

struct ResultSummary {
  HistoryResult kind = HistoryResult::kRefused;
  // The nochg polls this row stands for: 1 + the polls folded before a nochg row
  // ("nochg (+N before)"), or the N of "good (after N nochg)"; 0 for a refusal.
  int64_t nochg_polls = 0;
};

// What a history row's `result` says. Anything that is not "good" or "nochg" (with or
// without a note) is a refusal.
ResultSummary SummarizeResult(std::string_view result);

}  // namespace tether::abuse
