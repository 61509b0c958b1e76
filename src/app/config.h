// The settings of tetherd: defaults, then the TOML file given with --config, then the
// command-line flags (a flag wins over the file). Every key is documented in
// docs/configuration.md. Values; not synchronised.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace tether::app {

struct ZoneFileSpec {
  std::string origin;
  std::string file;
};

struct Config {
  std::string data_dir = "var/tether";
  // Empty: the SQLite store in data_dir; else a PostgreSQL conninfo (postgresql://...).
  std::string store;
  std::vector<std::string> dns_endpoints;  // empty: 0.0.0.0:53 and [::]:53
  std::vector<ZoneFileSpec> zone_files;
  int threads = 0;  // UDP workers per endpoint; 0: one per CPU
  uint16_t udp_payload_size = 1232;
  int tcp_idle_timeout_ms = 10000;
  int tcp_max_connections = 1000;
  std::string log_level = "info";

  // [zone_defaults]: the SOA and NS of zones made by `tether zone add` without a file.
  std::vector<std::string> default_ns;  // empty: ns1.<origin>
  std::string default_soa_email;        // empty: hostmaster@<origin>

  // [journal]: how much change history each zone keeps (IXFR serves from it).
  uint64_t journal_max_entries = 10000;
  int64_t journal_max_age_days = 7;

  // [xfr]: NOTIFY to secondaries (docs/zone-transfers.md).
  int64_t notify_interval_ms = 250;

  // [update]
  int update_threads = 4;
  int64_t update_batch_wait_us = 1000;  // UpdateServiceOptions::batch_wait

  // [http]: the update API (docs/http-api.md).
  std::vector<std::string> http_endpoints;   // plain HTTP, as --http
  std::vector<std::string> https_endpoints;  // as --https
  std::string tls_cert;
  std::string tls_key;
  int http_threads = 0;  // 0: one per CPU
  std::vector<std::string> trusted_proxies;

  // [ddns]
  uint32_t ddns_ttl = 60;
  double nochg_per_hour = 30;
  double host_changes_per_minute = 10;
  double account_changes_per_minute = 600;
  double address_requests_per_minute = 1200;
  std::vector<std::string> blocked_agents;
  bool allow_wildcard = true;
  bool allow_mx = true;
  int history_coalesce_minutes = 60;
  int history_retention_days = 90;

  // [names]: what users may register under service zones.
  int name_min_length = 3;
  int name_max_length = 63;
  std::vector<std::string> reserved_names;  // replaces the built-in list when given
  bool reserved_names_given = false;
  std::vector<std::string> blocked_words;
  int host_limit = 5;

  // [abuse]: takedown orders (docs/abuse.md).
  std::vector<std::string> abuse_sinkhole;  // addresses a sinkholed name answers; empty: no sinkhole
  uint32_t abuse_ttl = 60;                  // TTL of what an action puts in place
  size_t approve_above_names = 25;          // larger orders need a second approver
  size_t approve_above_accounts = 3;
  std::string asn_database;  // a MaxMind ASN database (.mmdb) for `tether abuse scan`; "": none
};

// Reads a TOML file over `config`. Unknown keys are errors, so typos do not pass silently.
Status LoadConfigFile(const std::string& path, Config* config);

// Parses "ORIGIN=FILE".
Result<ZoneFileSpec> ParseZoneFileSpec(const std::string& text);

}  // namespace tether::app
