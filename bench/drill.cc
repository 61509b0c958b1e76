// drill: the 2014 drill (issue 6; bench/README.md, "The takedown drill"). Not a test;
// nothing here asserts on time.
//
//   drill [--hosts N] [--listed K] [--load-seconds S] [--rounds 1|2] [--dir DIR]
//
// One process holds what tetherd holds: the SQLite store (fsync on), the accounts
// directory, the update service, a service zone of N hosts (every 20th with a wildcard
// child) owned by N/3 accounts, a policy zone (RPZ), the takedown engine, and the DNS
// server (one UDP worker on 127.0.0.1, pinned to CPU 0). A load thread on CPU 1 keeps 256
// queries in flight (95% existing hosts, 5% names that do not exist).
//
// Then: an order naming K random hosts plus 5 names that do not exist (sinkhole) is
// previewed, applied (approved by a second person: K is above the approval size) and
// restored, twice: once with no query load, once under load. Times are to the new serial
// being answered (the engine returns after the publish). Every host's answer (the full
// response message the server sends for `hostN A`) is taken before, after apply and after
// restore, through the server's own query function, and compared byte for byte: listed
// hosts must change, every other host must not. Answers per second of the worker thread's
// CPU (from /proc/self/task/TID/schedstat) are compared between the seconds before apply
// and the apply itself.
//
// Between the steps the store folds the step's journal entry into its names table, as it
// does by itself a second after changes stop (store.h FoldOptions): timed and printed apart,
// since an order is restored hours or days after it was applied, not while that fold runs.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <poll.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "abuse/takedown.h"
#include "base/qsbr.h"
#include "dns/rdata.h"
#include "server/dns_server.h"
#include "server/query.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace {

using namespace tether;
using Clock = std::chrono::steady_clock;

constexpr const char* kZone = "dyn.drill.example.";
constexpr const char* kRpz = "rpz.drill.example.";
constexpr int64_t kNow = 1800000000;

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
std::string Host(size_t i) { return "h" + std::to_string(i) + "." + kZone; }

void Fail(const std::string& message) {
  std::fprintf(stderr, "drill: %s\n", message.c_str());
  std::exit(1);
}

template <class T>
T Must(Result<T> result, const char* what) {
  if (!result) Fail(std::string(what) + ": " + result.error().message);
  return std::move(*result);
}
void Must(const Status& status, const char* what) {
  if (!status) Fail(std::string(what) + ": " + status.error().message);
}

void PinTo(int cpu, pid_t tid = 0) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(tid, sizeof(set), &set);
}

// ---- the zone and the accounts ----

zone::Rrset Rr(dns::RrType type, const std::string& text, uint32_t ttl = 60) {
  return {type, ttl, {*dns::RdataFromString(type, text, dns::Name())}};
}

std::vector<zone::NameUpdate> ZoneNames(size_t hosts) {
  std::vector<zone::NameUpdate> names;
  names.reserve(hosts + hosts / 20 + 1);
  names.push_back({N(kZone),
                   {Rr(dns::RrType::kSoa, std::string("ns1.drill.example. hostmaster.drill.example. 1 3600 900 1209600 60"), 3600),
                    Rr(dns::RrType::kNs, "ns1.drill.example.", 3600)}});
  for (size_t i = 0; i < hosts; ++i) {
    const dns::Name host = N(Host(i));
    const auto a = static_cast<uint32_t>(0x0A000000u + i);
    names.push_back({host, {{dns::RrType::kA, 60, {{uint8_t(a >> 24), uint8_t(a >> 16), uint8_t(a >> 8), uint8_t(a)}}}}});
    if (i % 20 == 0) {
      names.push_back({*host.Prepend("*"), {{dns::RrType::kCname, 60, {{host.wire().begin(), host.wire().end()}}}}});
    }
  }
  return names;
}

// The accounts rows, written straight into the SQLite file (a bulk import the CLI has no
// command for): N/3 users, each host owned by user i mod N/3.
void WriteAccounts(const std::string& path, size_t hosts, int64_t zone_id) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Fail("open " + path);
  auto exec = [&](const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) Fail(sqlite3_errmsg(db));
  };
  exec("BEGIN");
  sqlite3_stmt* user = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO users(id, name, role, password_hash, credential_version, created, host_limit) "
                         "VALUES(?1, ?2, 'user', '', 1, ?3, 0)", -1, &user, nullptr);
  const size_t users = std::max<size_t>(1, hosts / 3);
  for (size_t j = 0; j < users; ++j) {
    const std::string name = "u" + std::to_string(j);
    sqlite3_bind_int64(user, 1, static_cast<int64_t>(j + 1));
    sqlite3_bind_text(user, 2, name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(user, 3, kNow - 86400 * 365);
    if (sqlite3_step(user) != SQLITE_DONE) Fail(sqlite3_errmsg(db));
    sqlite3_reset(user);
  }
  sqlite3_finalize(user);
  sqlite3_stmt* host = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO hosts(fqdn, user_id, zone_id, lifecycle, created, last_update) "
                         "VALUES(?1, ?2, ?3, 'active', ?4, ?5)", -1, &host, nullptr);
  for (size_t i = 0; i < hosts; ++i) {
    const dns::Name name = N(Host(i));
    sqlite3_bind_blob(host, 1, name.wire().data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(host, 2, static_cast<int64_t>(i % users + 1));
    sqlite3_bind_int64(host, 3, zone_id);
    sqlite3_bind_int64(host, 4, kNow - 86400 * 365);
    sqlite3_bind_int64(host, 5, kNow - static_cast<int64_t>(i % 86400));
    if (sqlite3_step(host) != SQLITE_DONE) Fail(sqlite3_errmsg(db));
    sqlite3_reset(host);
  }
  sqlite3_finalize(host);
  exec("COMMIT");
  sqlite3_close(db);
}

// ---- answers ----

std::vector<uint8_t> Query(const std::string& name, uint16_t id) {
  std::vector<uint8_t> q = {uint8_t(id >> 8), uint8_t(id), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  const dns::Name n = N(name);
  q.insert(q.end(), n.wire().begin(), n.wire().end());
  q.insert(q.end(), {0, 1, 0, 1});
  return q;
}

// Every host's full response to `hN A`, back to back.
struct Answers {
  std::vector<uint8_t> bytes;
  std::vector<size_t> end;
};

Answers TakeAnswers(const zone::ZoneRegistry& registry, size_t hosts) {
  Answers out;
  out.bytes.reserve(hosts * 80);
  out.end.reserve(hosts);
  ReaderSlot* slot = Qsbr::Global().RegisterReader();
  uint8_t buffer[1232];
  for (size_t i = 0; i < hosts; ++i) {
    const std::vector<uint8_t> query = Query(Host(i), 1);
    ReadGuard guard(slot);
    const size_t size = server::HandleQuery(*registry.Current(), query, server::Transport::kUdp,
                                            server::QueryOptions{}, buffer, sizeof(buffer));
    out.bytes.insert(out.bytes.end(), buffer, buffer + size);
    out.end.push_back(out.bytes.size());
  }
  Qsbr::Global().UnregisterReader(slot);
  return out;
}

bool Same(const Answers& a, const Answers& b, size_t i) {
  const size_t a0 = i ? a.end[i - 1] : 0, b0 = i ? b.end[i - 1] : 0;
  return a.end[i] - a0 == b.end[i] - b0 && std::memcmp(&a.bytes[a0], &b.bytes[b0], a.end[i] - a0) == 0;
}

// Unlisted hosts whose answer differs, and listed hosts whose answer did not change.
std::pair<size_t, size_t> Compare(const Answers& before, const Answers& now, const std::vector<bool>& listed,
                                  bool listed_should_change) {
  size_t unlisted_changed = 0, listed_wrong = 0;
  for (size_t i = 0; i < listed.size(); ++i) {
    const bool same = Same(before, now, i);
    if (!listed[i] && !same) ++unlisted_changed;
    if (listed[i] && same == listed_should_change) ++listed_wrong;
  }
  return {unlisted_changed, listed_wrong};
}

// Folds the store's journal into its names table; returns the seconds it took.
double Fold(store::Store& store) {
  const auto t0 = Clock::now();
  Must(dynamic_cast<store::sqlite::SqliteStore&>(store).FoldJournal(), "fold the journal");
  return Seconds(Clock::now() - t0);
}

// ---- load ----

// CPU time of the server's UDP worker thread (nanoseconds).
class WorkerCpu {
 public:
  // The worker names itself once it runs: polled for up to 2 s.
  WorkerCpu() {
    for (int attempt = 0; tid_ == 0 && attempt < 200; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      DIR* dir = opendir("/proc/self/task");
      while (dirent* entry = dir != nullptr ? readdir(dir) : nullptr) {
        std::ifstream comm(std::string("/proc/self/task/") + entry->d_name + "/comm");
        std::string name;
        if (std::getline(comm, name) && name == "tether-udp") tid_ = std::atoi(entry->d_name);
      }
      if (dir != nullptr) closedir(dir);
    }
    if (tid_ == 0) Fail("no tether-udp thread");
  }
  pid_t tid() const { return tid_; }
  uint64_t Nanos() const {
    std::ifstream stat("/proc/self/task/" + std::to_string(tid_) + "/schedstat");
    uint64_t ns = 0;
    stat >> ns;
    return ns;
  }

 private:
  pid_t tid_ = 0;
};

class Load {
 public:
  Load(uint16_t port, size_t hosts) : port_(port) {
    std::mt19937_64 random(7);
    for (size_t i = 0; i < 65536; ++i) {
      const size_t n = random() % hosts;
      queries_.push_back(Query(random() % 20 == 0 ? "nohost" + std::to_string(n) + "." + kZone : Host(n),
                               static_cast<uint16_t>(i)));
    }
  }
  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void Stop() {
    stop_ = true;
    thread_.join();
  }
  uint64_t answers() const { return answers_.load(std::memory_order_relaxed); }

 private:
  // Batched (sendmmsg, recvmmsg) and asleep in poll while nothing is due: it shares CPU 1
  // with the engine, and a load thread that spins or makes two system calls per query
  // loses the CPU to the engine during an apply and sends fewer queries, which would show
  // as a drop of the worker's answers per CPU-second (less batching) that the apply did
  // not cause.
  void Run() {
    PinTo(1);
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port_);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to));
    constexpr size_t kInFlight = 256;
    constexpr size_t kBatch = 64;
    size_t next = 0, in_flight = 0;
    auto last_answer = Clock::now();
    std::vector<mmsghdr> out(kBatch), in(kBatch);
    std::vector<iovec> out_iov(kBatch), in_iov(kBatch);
    std::vector<std::array<uint8_t, 1500>> buffers(kBatch);
    for (size_t i = 0; i < kBatch; ++i) {
      in_iov[i] = {buffers[i].data(), buffers[i].size()};
      in[i].msg_hdr = {};
      in[i].msg_hdr.msg_iov = &in_iov[i];
      in[i].msg_hdr.msg_iovlen = 1;
    }
    while (!stop_) {
      while (in_flight < kInFlight) {
        const size_t count = std::min(kBatch, kInFlight - in_flight);
        for (size_t i = 0; i < count; ++i) {
          auto& q = queries_[next++ % queries_.size()];
          out_iov[i] = {q.data(), q.size()};
          out[i].msg_hdr = {};
          out[i].msg_hdr.msg_iov = &out_iov[i];
          out[i].msg_hdr.msg_iovlen = 1;
        }
        const int sent = sendmmsg(fd, out.data(), static_cast<unsigned>(count), 0);
        if (sent <= 0) break;
        in_flight += static_cast<size_t>(sent);
      }
      const int got = recvmmsg(fd, in.data(), kBatch, MSG_DONTWAIT, nullptr);
      if (got > 0) {
        in_flight -= std::min(in_flight, static_cast<size_t>(got));
        answers_.fetch_add(static_cast<uint64_t>(got), std::memory_order_relaxed);
        last_answer = Clock::now();
        continue;
      }
      if (Clock::now() - last_answer > std::chrono::milliseconds(200)) {
        in_flight = 0;  // lost queries: start the window again
        last_answer = Clock::now();
        continue;
      }
      pollfd wait{fd, POLLIN, 0};
      poll(&wait, 1, 10);
    }
    close(fd);
  }

  uint16_t port_;
  std::vector<std::vector<uint8_t>> queries_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> answers_{0};
  std::thread thread_;
};

struct Window {
  uint64_t answers;
  uint64_t cpu_ns;
  Clock::time_point at;
};

double PerCoreSecond(const Window& a, const Window& b) {
  return b.cpu_ns == a.cpu_ns ? 0 : double(b.answers - a.answers) / (double(b.cpu_ns - a.cpu_ns) / 1e9);
}

}  // namespace

int main(int argc, char** argv) {
  size_t hosts = 1000000, listed_count = 20000;
  double load_seconds = 3;
  int rounds = 2;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--hosts") hosts = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--listed") listed_count = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--load-seconds") load_seconds = std::strtod(argv[i + 1], nullptr);
    else if (flag == "--dir") dir = argv[i + 1];
    else if (flag == "--rounds") rounds = std::atoi(argv[i + 1]);
    else Fail("unknown flag " + flag);
  }
  if (listed_count > hosts) Fail("--listed is larger than --hosts");
  if (dir.empty()) dir = "/tmp/tether-drill-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  PinTo(1);  // everything but the UDP worker runs on CPU 1
  spdlog::set_level(spdlog::level::warn);

  // ---- setup ----
  auto t0 = Clock::now();
  store::SqliteOptions options;
  options.path = dir + "/tether.db";
  std::vector<zone::NameUpdate> names = ZoneNames(hosts);
  int64_t zone_id = 0;
  {
    auto store = Must(store::OpenSqliteStore(options), "open the store");
    zone_id = Must(store->CreateZone(N(kZone), store::SerialPolicy::kIncrement, names, nullptr, store::ZoneKind::kService),
                   "create the zone").id;
  }
  WriteAccounts(options.path, hosts, zone_id);
  auto store = Must(store::OpenSqliteStore(options), "open the store");
  const double store_s = Seconds(Clock::now() - t0);
  t0 = Clock::now();
  accounts::Directory directory;
  Must(directory.Load(store->accounts()), "load the directory");
  const double directory_s = Seconds(Clock::now() - t0);

  update::UpdateService updates(*store, update::UpdateServiceOptions{});
  updates.Start();
  zone::ZoneRegistry registry;
  auto zone = std::make_shared<zone::Zone>(N(kZone));
  Must(zone->Apply(std::move(names)), "load the zone");
  const auto info = Must(store->GetZone(N(kZone)), "read the zone");
  updates.AddZone(info->id, zone, info->journal_seq);
  registry.Put(zone);
  std::vector<zone::NameUpdate> rpz_names = {{N(kRpz), {Rr(dns::RrType::kSoa, "localhost. hostmaster.drill.example. 1 3600 900 1209600 60", 3600),
                                                         Rr(dns::RrType::kNs, "localhost.", 3600)}}};
  const auto rpz_info = Must(store->CreateZone(N(kRpz), store::SerialPolicy::kIncrement, rpz_names, nullptr, store::ZoneKind::kRpz), "create the policy zone");
  auto rpz = std::make_shared<zone::Zone>(N(kRpz));
  Must(rpz->Apply(rpz_names), "load the policy zone");
  updates.AddZone(rpz_info.id, rpz, rpz_info.journal_seq);
  registry.Put(rpz);

  server::DnsServerOptions server_options;
  server_options.endpoints.push_back(*server::Endpoint::Parse("127.0.0.1:0"));
  server::DnsServer server(server_options, registry);
  Must(server.Start(), "start the DNS server");
  WorkerCpu worker;
  PinTo(0, worker.tid());

  abuse::TakedownSettings settings;
  settings.sinkhole = {"192.0.2.53"};
  abuse::TakedownEngine engine(*store, updates, directory, settings, [] { return kNow; });
  std::printf("setup: %zu hosts, %zu accounts: store %.1f s, directory %.1f s\n", hosts, std::max<size_t>(1, hosts / 3),
              store_s, directory_s);

  // ---- the list ----
  std::mt19937_64 random(2014);
  std::vector<bool> listed(hosts, false);
  std::vector<std::string> list;
  while (list.size() < listed_count) {
    const size_t i = random() % hosts;
    if (listed[i]) continue;
    listed[i] = true;
    list.push_back(Host(i));
  }
  for (int i = 0; i < 5; ++i) list.push_back("gone" + std::to_string(i) + "." + kZone);

  t0 = Clock::now();
  const Answers before = TakeAnswers(registry, hosts);
  std::printf("answers taken: %zu in %.1f s\n", hosts, Seconds(Clock::now() - t0));

  Load load(server.bound()[0].port(), hosts);
  bool all_ok = true;
  for (int round = 0; round < rounds; ++round) {
    const bool loaded = round == 1;
    if (loaded) {
      load.Start();
      std::this_thread::sleep_for(std::chrono::duration<double>(load_seconds / 3));  // warm up
    }
    abuse::PreviewRequest request;
    request.names = list;
    request.action = store::EnforceAction::kSinkhole;
    request.reason = "drill";
    request.reference = "drill-" + std::to_string(round);
    request.author = "desk";
    t0 = Clock::now();
    const auto preview = Must(engine.Preview(request), "preview");
    const double preview_s = Seconds(Clock::now() - t0);

    Window base_start{load.answers(), worker.Nanos(), Clock::now()};
    if (loaded) std::this_thread::sleep_for(std::chrono::duration<double>(load_seconds));
    Window base_end{load.answers(), worker.Nanos(), Clock::now()};
    const auto order = Must(engine.Apply(preview.id, "desk2", true), "apply");
    Window apply_end{load.answers(), worker.Nanos(), Clock::now()};
    const double apply_s = Seconds(apply_end.at - base_end.at);

    const Answers applied = TakeAnswers(registry, hosts);
    const auto [changed_after_apply, listed_unchanged] = Compare(before, applied, listed, true);
    const double apply_fold_s = Fold(*store);

    t0 = Clock::now();
    Must(engine.Restore(order.id, "desk", "drill over"), "restore");
    const double restore_s = Seconds(Clock::now() - t0);
    const Answers restored = TakeAnswers(registry, hosts);
    const auto [changed_after_restore, listed_wrong] = Compare(before, restored, listed, false);
    const double restore_fold_s = Fold(*store);

    std::printf("\n%s\n", loaded ? "under query load" : "no query load");
    std::printf("  preview: %.3f s  apply: %.3f s  restore: %.3f s\n", preview_s, apply_s, restore_s);
    std::printf("  waited for the store's fold (it runs by itself once idle): after apply %.3f s, after restore %.3f s\n",
                apply_fold_s, restore_fold_s);
    std::printf("  unlisted hosts with another answer: after apply %zu, after restore %zu (of %zu)\n",
                changed_after_apply, changed_after_restore, hosts - listed_count);
    std::printf("  listed hosts not answering the action: %zu; not back after restore: %zu (of %zu)\n",
                listed_unchanged, listed_wrong, listed_count);
    all_ok = all_ok && changed_after_apply == 0 && changed_after_restore == 0 && listed_unchanged == 0 &&
             listed_wrong == 0;
    if (loaded) {
      const double base = PerCoreSecond(base_start, base_end);
      const double during = PerCoreSecond(base_end, apply_end);
      std::printf("  answers per core-second: before apply %.0f, during apply %.0f (%+.1f%%)\n", base, during,
                  100.0 * (during - base) / base);
      load.Stop();
    }
  }
  server.Stop();
  updates.Stop();
  std::filesystem::remove_all(dir);
  std::printf("\nresult: %s\n", all_ok ? "every unlisted answer unchanged, every listed one acted on and restored"
                                       : "MISMATCH (see above)");
  return all_ok ? 0 : 1;
}
