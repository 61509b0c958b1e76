#include "api/watch_log.h"

#include <string>

#include "base/log.h"

namespace tether::api {

namespace {

// One log line per update, whatever the client sent.
std::string Printable(std::string_view text) {
  std::string out(text.substr(0, 200));
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

void LogIfWatched(const store::HostInfo& host, std::string_view source, std::string_view user_agent,
                  std::string_view credential, std::string_view result) {
  if (host.abuse_state != store::AbuseState::kWatch) return;
  spdlog::info("watched host {}: update from {} user-agent \"{}\" credential {}: {}",
               host.fqdn.ToText(), Printable(source), Printable(user_agent), Printable(credential),
               Printable(result));
}

}  // namespace tether::api
