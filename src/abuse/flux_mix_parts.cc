#include <algorithm>

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include "abuse/flux_mix_parts.h"

namespace tether::abuse::mix {
namespace {

const std::vector<std::string> kFirstNames = {
    "anna",  "ben",   "clara", "david", "emma", "felix", "greta", "hugo",  "ines",   "jonas",
    "karl",  "lena",  "mia",   "noah",  "olga", "paul",  "rosa",  "sven",  "tom",    "ute",
    "marco", "sofia", "luca",  "chloe", "liam", "yuki",  "ravi",  "aisha", "pierre", "jan"};
const std::vector<std::string> kLastNames = {
    "mueller", "schmidt",  "rossi",  "dubois", "smith",   "jones",  "novak",  "kowalski", "garcia",
    "jensen",  "berg",     "weber",  "martin", "silva",   "tanaka", "olsen",  "fischer",  "wagner",
    "becker",  "hoffmann", "nguyen", "brown",  "lambert", "moreau", "peters", "keller"};
const std::vector<std::string> kThings = {
    "nas",           "home",      "casa",   "pi",      "plex",   "cam",    "vpn",       "router",
    "homeassistant", "nextcloud", "garage", "cottage", "office", "server", "minecraft", "jellyfin",
    "pihole",        "hass",      "backup", "wg",      "git",    "media",  "printer",   "solar"};
const std::vector<std::string> kFluxWords = {
    "secure", "update", "cloud", "cdn",   "mail",  "online",  "service", "center",
    "portal", "static", "node",  "best",  "deals", "shop",    "news",    "media",
    "free",   "host",   "data",  "file",  "share", "support", "check",   "web",
    "app",    "my",     "top",   "zone",  "fast",  "global",  "direct",  "track",
    "sync",   "gate",   "prime", "smart", "star",  "link"};
const std::vector<std::string> kHomeAgents = {"ddclient/3.10.0",
                                              "inadyn/2.10.0",
                                              "Fritz!Box DDNS/1.0",
                                              "curl/7.88.1",
                                              "OpenWrt ddns-scripts/2.8.2",
                                              "Synology DDNS/7.2",
                                              "HomeAssistant/2024.6",
                                              "ddclient/3.9.1",
                                              "inadyn/2.9.1",
                                              "Wget/1.21.3"};
const std::vector<std::string> kFluxAgents = {"python-requests/2.31.0",
                                              "curl/8.4.0",
                                              "Go-http-client/1.1",
                                              "",
                                              "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
                                              "WinHttp/6.1"};

}  // namespace

const FluxMix::Isp& PickIsp(Rng& rng, const std::vector<FluxMix::Isp>& isps) {
  double target = rng.Unit() * isps.back().weight;
  auto it = std::upper_bound(isps.begin(), isps.end(), target,
                             [](double t, const FluxMix::Isp& isp) { return t < isp.weight; });
  return it != isps.end() ? *it : isps.back();
}

std::string V4In(Rng& rng, uint32_t prefix16) {
  auto third = static_cast<uint32_t>(rng.Range(0, 255));
  auto fourth = static_cast<uint32_t>(rng.Range(1, 254));
  return boost::asio::ip::address_v4(prefix16 << 16 | third << 8 | fourth).to_string();
}

std::string V6Site(Rng& rng, uint32_t prefix32) {
  boost::asio::ip::address_v6::bytes_type bytes{};
  auto site = static_cast<uint32_t>(rng.Range(0, 0xffffff));  // /48 and /56 bits
  for (int i = 0; i < 4; ++i)
    bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(prefix32 >> (24 - 8 * i));
  for (int i = 0; i < 3; ++i)
    bytes[static_cast<size_t>(4 + i)] = static_cast<uint8_t>(site >> (16 - 8 * i));
  bytes[15] = 1;
  return boost::asio::ip::address_v6(bytes).to_string();
}

std::string HomeLabel(Rng& rng) {
  switch (rng.Range(0, 5)) {
    case 0:
      return rng.Pick(kLastNames) + "-" + rng.Pick(kThings);
    case 1:
      return rng.Pick(kFirstNames) + "s-" + rng.Pick(kThings);
    case 2:
      return rng.Pick(kThings) + rng.Pick(kLastNames);
    case 3:
      return rng.Pick(kFirstNames) + std::to_string(rng.Range(70, 99));
    case 4:
      return rng.Pick(kThings) + "-" + rng.Pick(kFirstNames) + std::to_string(rng.Range(1, 9));
    default:
      return rng.Pick(kFirstNames) + rng.Pick(kLastNames);
  }
}

std::string FluxLabel(Rng& rng) {
  std::string label;
  if (rng.Chance(0.5)) {  // random-looking
    const std::string letters = "abcdefghijklmnopqrstuvwxyz", digits = "0123456789";
    int64_t length = rng.Range(6, 14);
    for (int64_t i = 0; i < length; ++i) {
      const std::string& from = rng.Chance(0.3) ? digits : letters;
      label += from[static_cast<size_t>(rng.Range(0, static_cast<int64_t>(from.size()) - 1))];
    }
    return label;
  }
  int64_t words = rng.Range(2, 3);  // dictionary-like
  std::string separator = rng.Chance(0.4) ? "-" : "";
  for (int64_t i = 0; i < words; ++i) label += (i > 0 ? separator : "") + rng.Pick(kFluxWords);
  if (rng.Chance(0.3)) label += std::to_string(rng.Range(1, 99));
  return label;
}

std::string HomeUserAgent(Rng& rng) { return rng.Pick(kHomeAgents); }
std::string FluxUserAgent(Rng& rng) { return rng.Pick(kFluxAgents); }

HistoryWriter::HistoryWriter(int64_t host_id, std::string user_agent, std::string credential,
                             std::string published)
    : published_(std::move(published)) {
  base_.host_id = host_id;
  base_.user_agent = std::move(user_agent);
  base_.credential = std::move(credential);
}

void HistoryWriter::Request(int64_t time, const std::string& source, const std::string& value) {
  if (value != published_) {
    std::string note = folded_ > 0 ? " (after " + std::to_string(folded_) + " nochg)" : "";
    folded_ = 0;
    Row(time, source, value, "good" + note);
    published_ = value;
    return;
  }
  if (nochg_since_ != 0 && time - nochg_since_ < kFoldSeconds) {
    ++folded_;
    return;
  }
  std::string note = folded_ > 0 ? " (+" + std::to_string(folded_) + " before)" : "";
  nochg_since_ = time;
  folded_ = 0;
  Row(time, source, value, "nochg" + note);
}

void HistoryWriter::Row(int64_t time, const std::string& source, const std::string& value,
                        std::string result) {
  store::HistoryEntry entry = base_;
  entry.id = static_cast<int64_t>(rows_.size()) + 1;
  entry.time = time;
  entry.source = source;
  entry.old_value = published_;
  entry.new_value = value;
  entry.result = std::move(result);
  rows_.push_back(std::move(entry));
}

}  // namespace tether::abuse::mix
