// tetherd: the Tether server. See `tetherd --help` and docs/configuration.md.
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "accounts/authenticator.h"
#include "accounts/directory.h"
#include "accounts/name_policy.h"
#include "api/ddns_handler.h"
#include "api/http_server.h"
#include "api/rest_api.h"
#include "api/router.h"
#include "abuse/maxmind_asn.h"
#include "abuse/watch.h"
#include "app/admin.h"
#include "app/change_follower.h"
#include "app/config.h"
#include "app/memory.h"
#include "app/update_receiver.h"
#include "base/cidr.h"
#include "base/log.h"
#include "base/work_pool.h"
#include "control/control_server.h"
#include "control/protocol.h"
#include "dns/name.h"
#include "server/dns_server.h"
#include "store/store.h"
#include "update/access.h"
#include "update/rfc2136.h"
#include "update/update_service.h"
#include "xfr/notifier.h"
#include "xfr/secondary.h"
#include "xfr/xfr_service.h"
#include "zone/master_file.h"
#include "zone/zone_set.h"

namespace tether::app {
namespace {

constexpr const char* kVersion = "0.1.0";

// Hands the DNS front end's AXFR/IXFR requests to the transfer service.
class TransferDispatcher : public server::TransferDispatcher {
 public:
  explicit TransferDispatcher(xfr::XfrService& service) : service_(service) {}
  void Dispatch(server::InboundTransfer transfer) override {
    service_.Submit(std::move(transfer.message), transfer.peer, transfer.tcp, std::move(transfer.send));
  }

 private:
  xfr::XfrService& service_;
};

struct LoadedZone {
  ZoneFileSpec spec;
  dns::Name origin;
};

Result<std::shared_ptr<zone::Zone>> LoadOne(const LoadedZone& zone) {
  auto loaded = zone::LoadZoneFile(zone.spec.file, zone.origin);
  if (!loaded) return loaded;
  zone::ZoneStats stats = (*loaded)->Stats();
  spdlog::info("zone {} loaded from {}: {} names", zone.origin.ToText(), zone.spec.file, stats.nodes);
  return loaded;
}

uint64_t UnixNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// Reloads every zone file; a zone whose file fails keeps its current content.
void ReloadZones(const std::vector<LoadedZone>& zones, zone::ZoneRegistry& registry) {
  spdlog::info("SIGHUP: reloading {} zone file(s)", zones.size());
  for (const auto& zone : zones) {
    auto loaded = LoadOne(zone);
    if (!loaded) {
      spdlog::error("reload of {} failed, keeping the loaded zone: {}", zone.origin.ToText(),
                    loaded.error().message);
      continue;
    }
    registry.Put(std::move(*loaded));
  }
  ReleaseFreeMemory();
}

accounts::NamePolicy NamePolicyFrom(const Config& config) {
  accounts::NamePolicy policy;
  policy.min_length = static_cast<size_t>(config.name_min_length);
  policy.max_length = static_cast<size_t>(config.name_max_length);
  if (config.reserved_names_given) policy.reserved = config.reserved_names;
  policy.blocked = config.blocked_words;
  policy.default_host_limit = config.host_limit;
  return policy;
}

api::DdnsOptions DdnsOptionsFrom(const Config& config) {
  api::DdnsOptions options;
  options.blocked_agents = config.blocked_agents;
  options.allow_wildcard = config.allow_wildcard;
  options.allow_mx = config.allow_mx;
  options.ttl = config.ddns_ttl;
  options.nochg_per_hour = config.nochg_per_hour;
  options.host_changes_per_minute = config.host_changes_per_minute;
  options.account_changes_per_minute = config.account_changes_per_minute;
  options.address_requests_per_minute = config.address_requests_per_minute;
  options.history_coalesce = std::chrono::minutes(config.history_coalesce_minutes);
  return options;
}

// Binds the [http] endpoints; false (logged) when one fails.
bool ListenHttp(const Config& config, api::HttpServer& http) {
  for (const auto& text : config.http_endpoints) {
    auto endpoint = server::Endpoint::Parse(text);
    Status bound = endpoint ? http.ListenHttp(*endpoint) : Status(tl::unexpected(endpoint.error()));
    if (!bound) {
      spdlog::error("http {}: {}", text, bound.error().message);
      return false;
    }
  }
  if (!config.https_endpoints.empty() && (config.tls_cert.empty() || config.tls_key.empty())) {
    spdlog::error("https needs a certificate and its key (--tls-cert, --tls-key or [http] tls_cert/tls_key)");
    return false;
  }
  for (const auto& text : config.https_endpoints) {
    auto endpoint = server::Endpoint::Parse(text);
    Status bound = endpoint ? http.ListenHttps(*endpoint, config.tls_cert, config.tls_key)
                            : Status(tl::unexpected(endpoint.error()));
    if (!bound) {
      spdlog::error("https {}: {}", text, bound.error().message);
      return false;
    }
  }
  return true;
}

int Run(int argc, char** argv) {
  // Signals are taken synchronously by the main thread; every thread inherits this mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Config config;
  std::string config_file;
  std::vector<std::string> dns_flags;
  std::vector<std::string> zone_flags;
  std::string data_dir_flag;
  std::string store_flag;
  std::string log_level_flag;
  int threads_flag = -1;
  std::vector<std::string> http_flags;
  std::vector<std::string> https_flags;
  std::string tls_cert_flag;
  std::string tls_key_flag;

  CLI::App cli{"tetherd — the Tether dynamic DNS server (authoritative DNS engine)", "tetherd"};
  cli.set_version_flag("--version", kVersion);
  cli.add_option("--data-dir", data_dir_flag,
                 "Data directory; created if missing (default: ./var/tether)");
  cli.add_option("--store", store_flag,
                 "The store: a PostgreSQL database (libpq URI, e.g. "
                 "postgresql://tether@db.example.net/tether) that several tetherd may share. "
                 "Default: SQLite, DATA_DIR/tether.db")
      ->type_name("postgresql://...");
  cli.add_option("--dns", dns_flags,
                 "DNS endpoint ADDR:PORT, UDP and TCP; repeatable. IPv6 as [::1]:5353. Port 0 "
                 "picks a free port. Default: 0.0.0.0:53 and [::]:53")
      ->type_name("ADDR:PORT");
  cli.add_option("--zone", zone_flags,
                 "Serve a static, read-only zone from a master file; repeatable. SIGHUP "
                 "reloads the files")
      ->type_name("ORIGIN=FILE");
  cli.add_option("--http", http_flags,
                 "HTTP endpoint ADDR:PORT of the update API (dyndns2, DuckDNS, REST); repeatable. "
                 "Default: none")
      ->type_name("ADDR:PORT");
  cli.add_option("--https", https_flags, "HTTPS endpoint ADDR:PORT of the update API; repeatable; needs "
                 "--tls-cert and --tls-key")
      ->type_name("ADDR:PORT");
  cli.add_option("--tls-cert", tls_cert_flag, "PEM certificate chain for --https (server certificate first)")
      ->type_name("FILE");
  cli.add_option("--tls-key", tls_key_flag, "PEM private key of --tls-cert")->type_name("FILE");
  cli.add_option("--threads", threads_flag,
                 "UDP worker threads per DNS endpoint (default: one per CPU)")
      ->check(CLI::Range(1, 256));
  cli.add_option("--config", config_file, "TOML configuration file (docs/configuration.md)")
      ->type_name("FILE.toml");
  cli.add_option("--log-level", log_level_flag,
                 "trace, debug, info, warn, error or off (default: info)");
  cli.footer(
      "Logs go to standard error; one line `listening dns ADDR:PORT` (and `listening http`, "
      "`listening https`) per endpoint once it serves.\nSignals: SIGTERM/SIGINT stop cleanly; SIGHUP reloads zone files without "
      "dropping queries.");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = cli.exit(error);
    return code == 0 ? 0 : 2;
  }

  if (!config_file.empty()) {
    auto status = LoadConfigFile(config_file, &config);
    if (!status) {
      std::fprintf(stderr, "tetherd: %s\n", status.error().message.c_str());
      return 2;
    }
  }
  if (!data_dir_flag.empty()) config.data_dir = data_dir_flag;
  if (!store_flag.empty()) config.store = store_flag;
  if (!log_level_flag.empty()) config.log_level = log_level_flag;
  if (!dns_flags.empty()) config.dns_endpoints = dns_flags;
  if (threads_flag > 0) config.threads = threads_flag;
  if (!http_flags.empty()) config.http_endpoints = http_flags;
  if (!https_flags.empty()) config.https_endpoints = https_flags;
  if (!tls_cert_flag.empty()) config.tls_cert = tls_cert_flag;
  if (!tls_key_flag.empty()) config.tls_key = tls_key_flag;
  for (const auto& text : zone_flags) {
    auto spec = ParseZoneFileSpec(text);
    if (!spec) {
      std::fprintf(stderr, "tetherd: %s\n", spec.error().message.c_str());
      return 2;
    }
    config.zone_files.push_back(*spec);
  }
  if (config.dns_endpoints.empty()) config.dns_endpoints = {"0.0.0.0:53", "[::]:53"};
  if (config.threads <= 0) config.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  if (!InitLogging(config.log_level)) {
    std::fprintf(stderr, "tetherd: unknown log level '%s'\n", config.log_level.c_str());
    return 2;
  }

  server::DnsServerOptions options;
  for (const auto& text : config.dns_endpoints) {
    auto endpoint = server::Endpoint::Parse(text);
    if (!endpoint) {
      std::fprintf(stderr, "tetherd: %s\n", endpoint.error().message.c_str());
      return 2;
    }
    options.endpoints.push_back(*endpoint);
  }
  options.udp_workers_per_endpoint = config.threads;
  options.query.max_udp_payload = config.udp_payload_size;
  options.tcp.idle_timeout_ms = config.tcp_idle_timeout_ms;
  options.tcp.max_connections = config.tcp_max_connections;

  std::error_code dir_error;
  std::filesystem::create_directories(config.data_dir, dir_error);
  if (dir_error) {
    spdlog::error("cannot create data directory {}: {}", config.data_dir, dir_error.message());
    return 1;
  }
  spdlog::info("memory allocator: {}", AllocatorName());

  // The store: the source of truth of every dynamic zone, key and setting. SQLite in the
  // data directory, or a PostgreSQL database several nodes may share (docs/postgresql.md).
  store::JournalLimits journal_limits;
  journal_limits.max_entries = config.journal_max_entries;
  journal_limits.max_age_seconds = config.journal_max_age_days * 24 * 3600;
  Result<std::unique_ptr<store::Store>> opened;
  if (config.store.empty()) {
    store::SqliteOptions store_options;
    store_options.path = config.data_dir + "/tether.db";
    store_options.journal = journal_limits;
    opened = store::OpenSqliteStore(store_options);
  } else if (config.store.rfind("postgresql://", 0) == 0 || config.store.rfind("postgres://", 0) == 0) {
    store::PostgresOptions store_options;
    store_options.conninfo = config.store;
    store_options.journal = journal_limits;
    opened = store::OpenPostgresStore(store_options);
    if (opened) spdlog::info("store: postgresql");
  } else {
    std::fprintf(stderr, "tetherd: --store must be a postgresql:// URI (default: SQLite)\n");
    return 2;
  }
  if (!opened) {
    spdlog::error("{}", opened.error().message);
    return 1;
  }
  std::unique_ptr<store::Store> store = std::move(*opened);
  // Several nodes may share the store: this node follows the others' changes from the feed
  // position read before it loads anything (app/change_follower.h).
  auto feed_start = store->ChangeFeedHead();
  if (!feed_start) {
    spdlog::error("{}", feed_start.error().message);
    return 1;
  }

  std::vector<LoadedZone> file_zones;
  zone::ZoneRegistry registry;
  std::vector<std::shared_ptr<zone::Zone>> zones;
  std::vector<dns::Name> static_origins;
  for (const auto& spec : config.zone_files) {
    auto origin = dns::Name::FromText(spec.origin);
    if (!origin) {
      spdlog::error("bad zone origin '{}': {}", spec.origin, origin.error().message);
      return 2;
    }
    LoadedZone zone{spec, origin->Lowercased()};
    auto loaded = LoadOne(zone);
    if (!loaded) {
      spdlog::error("{}", loaded.error().message);
      return 1;
    }
    zones.push_back(std::move(*loaded));
    static_origins.push_back(zone.origin);
    file_zones.push_back(std::move(zone));
  }

  // Zone transfers (AXFR/IXFR out, NOTIFY): keys come from the same access control as
  // updates; NOTIFY follows every publish of a new serial.
  update::AccessControl access;
  xfr::KeyFinder find_key = [&access](const dns::Name& name) -> std::optional<dns::TsigKey> {
    auto snapshot = access.Get();
    const dns::TsigKey* key = snapshot->FindKey(name);
    return key ? std::optional<dns::TsigKey>(*key) : std::nullopt;
  };
  xfr::XfrService transfers(registry, *store, find_key, xfr::XfrOptions{});
  xfr::NotifierOptions notifier_options;
  notifier_options.min_interval = std::chrono::milliseconds(config.notify_interval_ms);
  xfr::Notifier notifier([&transfers] { return transfers.policies(); }, find_key, notifier_options);
  TransferDispatcher transfer_dispatcher(transfers);

  update::UpdateServiceOptions update_options;
  update_options.threads = config.update_threads;
  update_options.batch_wait = std::chrono::microseconds(config.update_batch_wait_us);
  update_options.on_publish = [&notifier](const dns::Name& origin, const zone::Rrset& soa) {
    notifier.Notify(origin, soa);
  };
  update::UpdateService updates(*store, update_options);
  ZoneDefaults defaults;
  defaults.ns = config.default_ns;
  defaults.soa_email = config.default_soa_email;
  // Accounts, hosts and tokens: held in memory, written through to the store.
  accounts::Directory directory;
  if (auto loaded = directory.Load(store->accounts()); !loaded) {
    spdlog::error("{}", loaded.error().message);
    return 1;
  }
  const accounts::NamePolicy policy = NamePolicyFrom(config);
  // Secondary zones: refreshed from their primaries; each transfer NOTIFYs our secondaries.
  xfr::SecondaryOptions secondary_options;
  secondary_options.on_publish = update_options.on_publish;
  xfr::SecondaryService secondaries(*store, find_key, secondary_options);
  Admin admin(*store, updates, registry, access, defaults, store->accounts(), directory, policy);
  admin.SetSecondaries(&secondaries);
  abuse::TakedownSettings takedown_settings;
  takedown_settings.sinkhole = config.abuse_sinkhole;
  takedown_settings.ttl = config.abuse_ttl;
  takedown_settings.approve_above_names = config.approve_above_names;
  takedown_settings.approve_above_accounts = config.approve_above_accounts;
  abuse::TakedownEngine takedowns(*store, updates, directory, takedown_settings, UnixNow);
  admin.SetTakedowns(&takedowns);
  std::unique_ptr<abuse::MaxMindAsnLookup> asn;
  if (!config.asn_database.empty()) {
    auto database = abuse::MaxMindAsnLookup::Open(config.asn_database);
    if (!database) {
      spdlog::error("[abuse] asn_database: {}", database.error().message);
      return 2;
    }
    asn = std::move(*database);
    admin.SetAsnLookup(asn.get());
  }
  auto dynamic = admin.LoadDynamicZones(static_origins);
  if (!dynamic) {
    spdlog::error("{}", dynamic.error().message);
    return 1;
  }
  for (auto& zone : *dynamic) zones.push_back(std::move(zone));
  abuse::SyncQueryLogging(updates, directory);  // watched hosts' queries are logged
  if (auto refreshed = admin.RefreshAccess(); !refreshed) {
    spdlog::error("{}", refreshed.error().message);
    return 1;
  }
  // What parsing and loading used goes back before the zones answer, so that the memory
  // of a server that answers is what it keeps.
  ReleaseFreeMemory();
  registry.ReplaceAll(std::move(zones));
  admin.SetTransfers(&transfers);
  if (auto loaded = transfers.Reload(); !loaded) {
    spdlog::error("{}", loaded.error().message);
    return 1;
  }
  if (auto started = notifier.Start(); !started) {
    spdlog::error("{}", started.error().message);
    return 1;
  }
  updates.Start();
  secondaries.Start();
  ChangeFollower follower(*store, updates, admin, directory, *feed_start);
  if (store->HasChangeFeed()) follower.Start();

  update::Rfc2136Context update_context{&updates, &access, &registry, UnixNow};
  UpdateReceiver receiver(update_context, [&secondaries](std::span<const uint8_t> message, const sockaddr* peer) {
    return secondaries.HandleNotify(message, peer);
  });
  receiver.Start();
  options.updates = &receiver;
  options.transfers = &transfer_dispatcher;
  options.query.keys = &access;
  server::DnsServer dns(options, registry);
  if (auto started = dns.Start(); !started) {
    spdlog::error("{}", started.error().message);
    updates.Stop();
    return 1;
  }

  // The HTTP update API: dyndns2, DuckDNS and the REST API. Password checks (Argon2id) and
  // store calls run on their own pool, never on the event loops.
  accounts::Authenticator authenticator(directory, accounts::AuthenticatorOptions{});
  WorkPool slow_work(2, "tether-auth");
  api::DdnsHandler ddns(DdnsOptionsFrom(config), directory, authenticator, updates, store->accounts(), slow_work);
  store::Store* store_ptr = store.get();
  api::RestServices rest_services{
      directory, authenticator, store->accounts(), updates, registry, slow_work,
      [store_ptr](const dns::Name& origin) -> std::optional<int64_t> {
        auto info = store_ptr->GetZone(origin);
        if (!info || !info->has_value() || !(*info)->service) return std::nullopt;
        return (*info)->id;
      }};
  rest_services.store = store_ptr;
  rest_services.takedowns = &takedowns;
  api::RestOptions rest_options;
  rest_options.default_ttl = config.ddns_ttl;
  api::RestApi rest(rest_services, policy, rest_options);
  api::Router router(
      ddns, [&rest](api::HttpRequest request, api::Respond respond) { rest.Handle(std::move(request), std::move(respond)); },
      nullptr);
  api::HttpOptions http_options;
  for (const auto& text : config.trusted_proxies) {
    auto cidr = Cidr::Parse(text);
    if (!cidr) {
      spdlog::error("[http] trusted_proxies: {}", cidr.error().message);
      return 2;
    }
    http_options.trusted_proxies.push_back(*cidr);
  }
  api::HttpServer http(http_options, router);
  const bool serve_http = !config.http_endpoints.empty() || !config.https_endpoints.empty();
  if (serve_http) {
    int http_threads = config.http_threads > 0 ? config.http_threads
                                               : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (!ListenHttp(config, http) || !http.Start(http_threads)) {
      spdlog::error("the HTTP API did not start");
      dns.Stop();
      updates.Stop();
      return 1;
    }
  }

  control::ControlServer control_server(
      [&admin](const std::vector<std::string>& args, control::CommandOutput& out) { return admin.Run(args, out); });
  if (auto started = control_server.Start(control::ControlSocketPath(config.data_dir)); !started) {
    spdlog::error("{}", started.error().message);
    http.Stop();
    dns.Stop();
    updates.Stop();
    slow_work.Stop();
    return 1;
  }
  spdlog::info("control socket {}", control::ControlSocketPath(config.data_dir));

  // Update history older than [ddns] history_retention_days goes, checked once an hour.
  // Hosts with an abuse state (watched, frozen, taken down) keep their whole update log
  // while they have it: an appeal, a legal-hold export or a court order reads it.
  auto trim_history = [&store, &config, &directory] {
    if (config.history_retention_days <= 0) return;
    const auto before = static_cast<int64_t>(UnixNow()) - int64_t{config.history_retention_days} * 86400;
    std::vector<int64_t> keep;
    for (const auto& host : directory.HostsIf([](const store::HostInfo& candidate) {
           return candidate.abuse_state != store::AbuseState::kNone;
         })) {
      keep.push_back(host.id);
    }
    auto trimmed = store->accounts().TrimHistory(before, keep);
    if (!trimmed) spdlog::warn("trimming the update history: {}", trimmed.error().message);
    else if (*trimmed > 0) spdlog::info("update history: {} entries older than {} days removed", *trimmed, config.history_retention_days);
  };
  trim_history();
  // Orders past their expiry are lifted within kTick; the history is trimmed hourly.
  constexpr int64_t kTick = 5;
  auto last_trim = static_cast<int64_t>(UnixNow());
  while (true) {
    const timespec tick{kTick, 0};
    const int signal_number = sigtimedwait(&signals, nullptr, &tick);
    if (signal_number < 0) {
      if (errno != EAGAIN) continue;
      takedowns.RestoreExpired();
      if (static_cast<int64_t>(UnixNow()) - last_trim >= 3600) {
        trim_history();
        last_trim = static_cast<int64_t>(UnixNow());
      }
      continue;
    }
    if (signal_number == SIGHUP) {
      ReloadZones(file_zones, registry);
      continue;
    }
    spdlog::info("signal {}: stopping", signal_number);
    break;
  }
  control_server.Stop();
  follower.Stop();   // no more changes from other nodes
  http.Stop();       // no new HTTP requests
  dns.Stop();        // no new requests; sockets stay open for the last update replies
  transfers.Stop();  // finishes the transfers in flight
  receiver.Stop();   // hands what it holds to the update path
  updates.Stop();    // finishes the batches in flight
  secondaries.Stop();  // finishes the refresh in flight
  notifier.Stop();   // after the last publish
  slow_work.Stop();  // the last history writes and password checks
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace tether::app

int main(int argc, char** argv) { return tether::app::Run(argc, argv); }
