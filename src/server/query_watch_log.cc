#include "server/query_watch_log.h"

#include <ctime>
#include <string>

#include <spdlog/spdlog.h>

#include "dns/name.h"
#include "dns/rr_type.h"
#include "dns/wire/reader.h"
#include "server/endpoint.h"

namespace tether::server {

void QueryWatchLog::Log(std::span<const uint8_t> request, const sockaddr* peer, socklen_t peer_length) {
  const int64_t now = std::time(nullptr);
  if (now != second_) {
    second_ = now;
    lines_ = 0;
  }
  if (lines_ >= kLinesPerSecond) {
    ++suppressed_;
    return;
  }
  ++lines_;
  if (request.size() <= 12) return;
  dns::Reader reader(request);
  reader.Skip(12);
  uint8_t wire[dns::Name::kMaxWire];
  const size_t size = dns::ReadName(reader, wire, /*lowercase=*/true);
  const uint16_t type = reader.U16();
  if (size == 0 || !reader.ok()) return;
  const std::string name = dns::Name::FromValidWire({wire, size}).ToText();
  const std::string from = Endpoint::FromSockaddr(peer, peer_length).ToString();
  const std::string type_text = dns::RrTypeToString(static_cast<dns::RrType>(type));
  if (suppressed_ > 0) {
    spdlog::info("watched host {}: query {} from {} ({} earlier query lines left out)", name, type_text, from,
                 suppressed_);
    suppressed_ = 0;
  } else {
    spdlog::info("watched host {}: query {} from {}", name, type_text, from);
  }
}

}  // namespace tether::server
