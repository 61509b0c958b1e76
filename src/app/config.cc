#include "app/config.h"

#include <arpa/inet.h>

#include <set>

#include <toml++/toml.h>

namespace tether::app {

namespace {

Status CheckKeys(const toml::table& table, const std::set<std::string>& known, const std::string& where) {
  for (const auto& [key, value] : table) {
    if (known.count(std::string(key.str())) == 0) {
      return InvalidArgument("{}: unknown key '{}{}'", where.empty() ? "config" : where,
                             where.empty() ? "" : where + ".", key.str());
    }
  }
  return Ok();
}

template <class T>
Status ReadInt(const toml::table& table, const char* key, T min, T max, T* out, const std::string& where) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Ok();
  auto value = node->value<int64_t>();
  if (!value || *value < static_cast<int64_t>(min) || *value > static_cast<int64_t>(max)) {
    return InvalidArgument("{}.{}: expected an integer from {} to {}", where, key, min, max);
  }
  *out = static_cast<T>(*value);
  return Ok();
}

Status ReadStrings(const toml::table& table, const char* key, std::vector<std::string>* out, const std::string& where) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Ok();
  const toml::array* array = node->as_array();
  if (array == nullptr) return InvalidArgument("{}.{}: expected a list of strings", where, key);
  out->clear();
  for (const auto& item : *array) {
    auto text = item.value<std::string>();
    if (!text) return InvalidArgument("{}.{}: expected a list of strings", where, key);
    out->push_back(*text);
  }
  return Ok();
}

Status ReadNumber(const toml::table& table, const char* key, double* out, const std::string& where) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Ok();
  auto value = node->value<double>();
  if (!value || *value < 0) return InvalidArgument("{}.{}: expected a number >= 0", where, key);
  *out = *value;
  return Ok();
}

}  // namespace

Result<ZoneFileSpec> ParseZoneFileSpec(const std::string& text) {
  size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
    return InvalidArgument("bad zone '{}': expected ORIGIN=FILE", text);
  }
  return ZoneFileSpec{text.substr(0, equals), text.substr(equals + 1)};
}

Status LoadConfigFile(const std::string& path, Config* config) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    return InvalidArgument("{}:{}: {}", path, error.source().begin.line, error.description());
  }
  RETURN_IF_ERROR(CheckKeys(
      root, {"data_dir", "store", "log_level", "dns", "zone", "zone_defaults", "journal", "xfr", "update", "http", "ddns", "names", "abuse"},
      ""));
  if (auto value = root["data_dir"].value<std::string>()) config->data_dir = *value;
  if (auto value = root["store"].value<std::string>()) config->store = *value;
  if (auto value = root["log_level"].value<std::string>()) config->log_level = *value;
  if (const toml::table* dns = root["dns"].as_table()) {
    RETURN_IF_ERROR(CheckKeys(*dns,
                              {"listen", "threads", "udp_payload_size", "tcp_idle_timeout_ms",
                               "tcp_max_connections"},
                              "dns"));
    if (const toml::array* listen = (*dns)["listen"].as_array()) {
      config->dns_endpoints.clear();
      for (const auto& item : *listen) {
        auto text = item.value<std::string>();
        if (!text) return InvalidArgument("dns.listen: expected strings like \"127.0.0.1:53\"");
        config->dns_endpoints.push_back(*text);
      }
    }
    RETURN_IF_ERROR(ReadInt(*dns, "threads", 0, 256, &config->threads, "dns"));
    RETURN_IF_ERROR(ReadInt<uint16_t>(*dns, "udp_payload_size", 512, 4096, &config->udp_payload_size, "dns"));
    RETURN_IF_ERROR(ReadInt(*dns, "tcp_idle_timeout_ms", 100, 3600000, &config->tcp_idle_timeout_ms, "dns"));
    RETURN_IF_ERROR(ReadInt(*dns, "tcp_max_connections", 1, 1000000, &config->tcp_max_connections, "dns"));
  }
  if (const toml::table* defaults = root["zone_defaults"].as_table()) {
    RETURN_IF_ERROR(CheckKeys(*defaults, {"ns", "soa_email"}, "zone_defaults"));
    if (const toml::array* ns = (*defaults)["ns"].as_array()) {
      for (const auto& item : *ns) {
        auto text = item.value<std::string>();
        if (!text) return InvalidArgument("zone_defaults.ns: expected a list of names");
        config->default_ns.push_back(*text);
      }
    }
    if (auto email = (*defaults)["soa_email"].value<std::string>()) config->default_soa_email = *email;
  }
  if (const toml::table* journal = root["journal"].as_table()) {
    RETURN_IF_ERROR(CheckKeys(*journal, {"max_entries", "max_age_days"}, "journal"));
    RETURN_IF_ERROR(ReadInt<uint64_t>(*journal, "max_entries", 1, 100000000, &config->journal_max_entries, "journal"));
    RETURN_IF_ERROR(ReadInt<int64_t>(*journal, "max_age_days", 1, 3650, &config->journal_max_age_days, "journal"));
  }
  if (const toml::table* xfr = root["xfr"].as_table()) {
    RETURN_IF_ERROR(CheckKeys(*xfr, {"notify_interval_ms"}, "xfr"));
    RETURN_IF_ERROR(ReadInt<int64_t>(*xfr, "notify_interval_ms", 0, 60000, &config->notify_interval_ms, "xfr"));
  }
  if (const toml::table* update = root["update"].as_table()) {
    RETURN_IF_ERROR(CheckKeys(*update, {"threads", "batch_wait_us"}, "update"));
    RETURN_IF_ERROR(ReadInt(*update, "threads", 1, 64, &config->update_threads, "update"));
    RETURN_IF_ERROR(ReadInt<int64_t>(*update, "batch_wait_us", 0, 100000,
                                     &config->update_batch_wait_us, "update"));
  }
  if (const toml::table* http = root["http"].as_table()) {
    RETURN_IF_ERROR(CheckKeys(*http, {"listen", "listen_tls", "tls_cert", "tls_key", "threads", "trusted_proxies"},
                              "http"));
    RETURN_IF_ERROR(ReadStrings(*http, "listen", &config->http_endpoints, "http"));
    RETURN_IF_ERROR(ReadStrings(*http, "listen_tls", &config->https_endpoints, "http"));
    if (auto value = (*http)["tls_cert"].value<std::string>()) config->tls_cert = *value;
    if (auto value = (*http)["tls_key"].value<std::string>()) config->tls_key = *value;
    RETURN_IF_ERROR(ReadInt(*http, "threads", 0, 256, &config->http_threads, "http"));
    RETURN_IF_ERROR(ReadStrings(*http, "trusted_proxies", &config->trusted_proxies, "http"));
  }
  if (const toml::table* ddns = root["ddns"].as_table()) {
    RETURN_IF_ERROR(CheckKeys(*ddns,
                              {"ttl", "nochg_per_hour", "host_changes_per_minute", "account_changes_per_minute",
                               "address_requests_per_minute", "blocked_agents", "allow_wildcard", "allow_mx",
                               "history_coalesce_minutes", "history_retention_days"},
                              "ddns"));
    RETURN_IF_ERROR(ReadInt<uint32_t>(*ddns, "ttl", 0, 86400, &config->ddns_ttl, "ddns"));
    RETURN_IF_ERROR(ReadNumber(*ddns, "nochg_per_hour", &config->nochg_per_hour, "ddns"));
    RETURN_IF_ERROR(ReadNumber(*ddns, "host_changes_per_minute", &config->host_changes_per_minute, "ddns"));
    RETURN_IF_ERROR(ReadNumber(*ddns, "account_changes_per_minute", &config->account_changes_per_minute, "ddns"));
    RETURN_IF_ERROR(ReadNumber(*ddns, "address_requests_per_minute", &config->address_requests_per_minute, "ddns"));
    RETURN_IF_ERROR(ReadStrings(*ddns, "blocked_agents", &config->blocked_agents, "ddns"));
    if (auto value = (*ddns)["allow_wildcard"].value<bool>()) config->allow_wildcard = *value;
    if (auto value = (*ddns)["allow_mx"].value<bool>()) config->allow_mx = *value;
    RETURN_IF_ERROR(ReadInt(*ddns, "history_coalesce_minutes", 0, 100000, &config->history_coalesce_minutes, "ddns"));
    RETURN_IF_ERROR(ReadInt(*ddns, "history_retention_days", 1, 36500, &config->history_retention_days, "ddns"));
  }
  if (const toml::table* names = root["names"].as_table()) {
    RETURN_IF_ERROR(CheckKeys(*names, {"min_length", "max_length", "reserved", "blocked", "host_limit"}, "names"));
    RETURN_IF_ERROR(ReadInt(*names, "min_length", 1, 63, &config->name_min_length, "names"));
    RETURN_IF_ERROR(ReadInt(*names, "max_length", 1, 63, &config->name_max_length, "names"));
    if ((*names)["reserved"]) {
      config->reserved_names_given = true;
      RETURN_IF_ERROR(ReadStrings(*names, "reserved", &config->reserved_names, "names"));
    }
    RETURN_IF_ERROR(ReadStrings(*names, "blocked", &config->blocked_words, "names"));
    RETURN_IF_ERROR(ReadInt(*names, "host_limit", 0, 1000000, &config->host_limit, "names"));
  }
  if (const toml::table* abuse = root["abuse"].as_table()) {
    RETURN_IF_ERROR(CheckKeys(
        *abuse, {"sinkhole", "ttl", "approve_above_names", "approve_above_accounts", "asn_database"}, "abuse"));
    if (auto value = (*abuse)["asn_database"].value<std::string>()) config->asn_database = *value;
    RETURN_IF_ERROR(ReadStrings(*abuse, "sinkhole", &config->abuse_sinkhole, "abuse"));
    for (const std::string& address : config->abuse_sinkhole) {
      unsigned char bytes[16];
      if (inet_pton(AF_INET, address.c_str(), bytes) != 1 && inet_pton(AF_INET6, address.c_str(), bytes) != 1) return InvalidArgument("abuse: sinkhole: '{}' is not an IPv4 or IPv6 address", address);
    }
    RETURN_IF_ERROR(ReadInt<uint32_t>(*abuse, "ttl", 0, 86400, &config->abuse_ttl, "abuse"));
    RETURN_IF_ERROR(ReadInt<size_t>(*abuse, "approve_above_names", 0, 100000000, &config->approve_above_names, "abuse"));
    RETURN_IF_ERROR(
        ReadInt<size_t>(*abuse, "approve_above_accounts", 0, 100000000, &config->approve_above_accounts, "abuse"));
  }
  if (const toml::array* zones = root["zone"].as_array()) {
    for (const auto& item : *zones) {
      const toml::table* zone = item.as_table();
      if (zone == nullptr) return InvalidArgument("zone: expected [[zone]] tables");
      RETURN_IF_ERROR(CheckKeys(*zone, {"origin", "file"}, "zone"));
      auto origin = (*zone)["origin"].value<std::string>();
      auto file = (*zone)["file"].value<std::string>();
      if (!origin || !file) return InvalidArgument("zone: every [[zone]] needs origin and file");
      config->zone_files.push_back({*origin, *file});
    }
  }
  return Ok();
}

}  // namespace tether::app
