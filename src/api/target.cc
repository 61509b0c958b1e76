#include "api/target.h"

#include "ddns/dyndns2.h"

namespace tether::api {

namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::string PercentDecode(std::string_view text) { return ddns::PercentDecode(text, /*plus_is_space=*/false); }

SplitTargetResult SplitTarget(std::string_view target) {
  if (size_t hash = target.find('#'); hash != std::string_view::npos)
    target = target.substr(0, hash);
  // RFC 9112 3.2.2: a server must accept the absolute form; old clients behind a proxy send
  // it (ddclient with `proxy=` does).
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (StartsWithNoCase(target, scheme)) {
      std::string_view rest = target.substr(scheme.size());
      size_t path_start = rest.find_first_of("/?");
      target =
          path_start == std::string_view::npos ? std::string_view("/") : rest.substr(path_start);
      break;
    }
  }
  SplitTargetResult result;
  std::string_view path = target;
  if (size_t question = target.find('?'); question != std::string_view::npos) {
    path = target.substr(0, question);
    result.query.assign(target.substr(question + 1));
  }
  if (path.empty() && !target.empty() && target.front() == '?') path = "/";  // "http://h?q"
  // Most paths have no escapes: skip the byte-by-byte copy.
  if (path.find('%') == std::string_view::npos) {
    result.path.assign(path);
  } else {
    result.path = PercentDecode(path);
  }
  return result;
}

}  // namespace tether::api
