#include "base/time_text.h"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace tether {

namespace {

bool ParseInt(std::string_view text, int64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

}  // namespace

Result<int64_t> ParseTimeText(std::string_view text, int64_t now) {
  if (!text.empty() && text.front() == '+') {
    if (text.size() < 3) return InvalidArgument("bad relative time '{}' (e.g. +30d)", text);
    int64_t amount = 0;
    if (!ParseInt(text.substr(1, text.size() - 2), &amount) || amount < 0) {
      return InvalidArgument("bad relative time '{}' (e.g. +30d)", text);
    }
    int64_t unit = 0;
    switch (text.back()) {
      case 'd':
        unit = 86400;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'm':
        unit = 60;
        break;
      case 's':
        unit = 1;
        break;
      default:
        return InvalidArgument("bad unit in '{}' (d, h, m or s)", text);
    }
    if (amount > 100LL * 365 * 86400 / unit) return InvalidArgument("'{}' is too far ahead", text);
    return now + amount * unit;
  }
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::string copy(text);
  char zulu = 0;
  int matched = std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &year, &month, &day, &hour, &minute,
                            &second, &zulu);
  bool date_only = matched == 3 && copy.size() == 10;
  bool full = matched == 7 && zulu == 'Z' && copy.size() == 20;
  if (!date_only && !full) {
    return InvalidArgument("bad date '{}': expected 2027-01-31, 2027-01-31T12:00:00Z or +30d", text);
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return InvalidArgument("bad date '{}'", text);
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  int64_t seconds = static_cast<int64_t>(timegm(&tm));
  return date_only ? seconds + 86400 : seconds;  // a date: valid through that day
}

std::string FormatTime(int64_t unix_seconds) {
  std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace tether
