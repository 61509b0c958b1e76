// store_load: measures the SQLite store. Not a test; nothing here asserts on time.
//
//   store_load load DIR [NAMES] [CHUNK] [BACKLOG]
//       CreateZone of NAMES hosts (one A record each; default 5,000,000) into a new store,
//       then reopens the store (automatic folding off), commits BACKLOG changes (default 0;
//       each a new address for a distinct random host, from 64 threads) and times LoadZone,
//       which replays them, building the in-memory zone with Zone::Apply every CHUNK names
//       (default 250,000). Then folds the backlog (time and CPU) and times LoadZone again.
//   store_load commit DIR [THREADS] [SECONDS] [HOSTS]
//       THREADS callers (default 64) each commit single-name changes (a new A record for a
//       random host of HOSTS, default 10,000) for SECONDS (default 5). Prints commits/s and
//       changes per transaction (= per fsync of the WAL).
//   store_load pgcommit CONNINFO [THREADS] [SECONDS] [HOSTS]
//       The same on the PostgreSQL store, in an empty database (or schema) CONNINFO names.
//   store_load pgload CONNINFO [NAMES]
//       CreateZone of NAMES hosts (default 1,000,000) on the PostgreSQL store, then LoadZone.
//
// Each run works in a new directory DIR/store_load.XXXXXX, removed at the end. DIR should
// be on the disk the store would live on: fsync cost is the point.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "zone/zone.h"

namespace {

using namespace tether;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<uint8_t> Wire(const dns::Name& name) {
  return {name.wire().begin(), name.wire().end()};
}

std::vector<uint8_t> SoaRdata(const dns::Name& origin, uint32_t serial) {
  std::vector<uint8_t> rdata = Wire(*origin.Prepend("ns1"));
  std::vector<uint8_t> rname = Wire(*origin.Prepend("hostmaster"));
  rdata.insert(rdata.end(), rname.begin(), rname.end());
  for (uint32_t field : {serial, 3600u, 600u, 604800u, 60u}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      rdata.push_back(static_cast<uint8_t>(field >> shift));
  }
  return rdata;
}

std::vector<uint8_t> A(size_t i) {
  return {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)};
}

std::vector<zone::NameUpdate> MakeZone(const dns::Name& origin, size_t hosts) {
  std::vector<zone::NameUpdate> names;
  names.reserve(hosts + 1);
  names.push_back({origin,
                   {zone::Rrset{dns::RrType::kNs, 3600, {Wire(*origin.Prepend("ns1"))}},
                    zone::Rrset{dns::RrType::kSoa, 3600, {SoaRdata(origin, 1)}}}});
  for (size_t i = 0; i < hosts; ++i) {
    names.push_back(
        {*origin.Prepend("host" + std::to_string(i)), {zone::Rrset{dns::RrType::kA, 60, {A(i)}}}});
  }
  return names;
}

Result<std::unique_ptr<store::sqlite::SqliteStore>> Open(const std::string& dir, bool fold = true) {
  store::SqliteOptions options;
  options.path = dir + "/store.db";
  options.fold.automatic = fold;
  return store::sqlite::SqliteStore::Open(options);
}

double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// `count` changes, each a new address for a distinct random host of `hosts` (so that each
// diff is exact: the host still has its first address), committed from 64 threads.
Status CommitBacklog(store::Store& store, int64_t zone_id, const dns::Name& origin, size_t hosts,
                     size_t count) {
  std::vector<size_t> order(hosts);
  for (size_t i = 0; i < hosts; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(1));
  order.resize(std::min(count, hosts));
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < 64; ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < order.size() && !failed; i = next++) {
        const size_t host = order[i];
        dns::Name name = *origin.Prepend("host" + std::to_string(host));
        std::vector<uint8_t> address = A(host + 1);
        store::ZoneChange change;
        change.zone_id = zone_id;
        change.names.push_back({name, {zone::Rrset{dns::RrType::kA, 60, {address}}}});
        change.removed.push_back({name, dns::RrType::kA, 60, A(host)});
        change.added.push_back({name, dns::RrType::kA, 60, address});
        if (!store.Commit(std::move(change))) failed = true;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  if (failed) return MakeError(ErrorCode::kInternal, "a commit failed");
  return Ok();
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "store_load: %s\n", message.c_str());
  return 1;
}

int TimeLoad(store::sqlite::SqliteStore& store, int64_t zone_id, const dns::Name& origin,
             size_t chunk) {
  // LoadZone alone, then LoadZone feeding Zone::Apply in chunks (as tetherd starts).
  auto start = Clock::now();
  size_t count = 0;
  auto loaded = store.LoadZone(zone_id, [&](zone::NameUpdate&&) { ++count; });
  if (!loaded) return Fail(loaded.error().message);
  std::printf("LoadZone     %zu names  %.2f s (names only)\n", count, Since(start));

  zone::Zone zone(origin);
  std::vector<zone::NameUpdate> batch;
  batch.reserve(chunk);
  double apply_seconds = 0;
  Status applied = Ok();
  start = Clock::now();
  loaded = store.LoadZone(zone_id, [&](zone::NameUpdate&& update) {
    batch.push_back(std::move(update));
    if (batch.size() < chunk) return;
    auto apply_start = Clock::now();
    if (applied) applied = zone.Apply(std::move(batch));
    apply_seconds += Since(apply_start);
    batch.clear();
    batch.reserve(chunk);
  });
  if (!loaded) return Fail(loaded.error().message);
  auto apply_start = Clock::now();
  if (applied) applied = zone.Apply(std::move(batch));
  apply_seconds += Since(apply_start);
  if (!applied) return Fail(applied.error().message);
  const double total = Since(start);
  std::printf(
      "LoadZone+Apply %zu names  %.2f s total (Zone::Apply %.2f s, store %.2f s), %zu nodes\n",
      count, total, apply_seconds, total - apply_seconds, zone.Stats().nodes);
  return 0;
}

int Load(const std::string& dir, size_t hosts, size_t chunk, size_t backlog) {
  const dns::Name origin = *dns::Name::FromText("bench.example.");
  {
    auto opened = Open(dir);
    if (!opened) return Fail(opened.error().message);
    auto names = MakeZone(origin, hosts);
    auto start = Clock::now();
    double checked = 0;  // progress(0, n) comes after the names are checked and sorted
    double written = 0;  // progress(n, n) after the last row; then COMMIT (and checkpoint)
    auto created = (*opened)->CreateZone(origin, store::SerialPolicy::kIncrement, names,
                                         [&](size_t done, size_t total) {
                                           if (done == 0) checked = Since(start);
                                           if (done == total) written = Since(start);
                                         });
    if (!created) return Fail(created.error().message);
    const double total = Since(start);
    std::printf(
        "CreateZone   %zu names  %.2f s (check+sort %.2f s, insert %.2f s, commit %.2f s)\n",
        names.size(), total, checked, written - checked, total - written);
  }
  auto opened = Open(dir, /*fold=*/false);  // a fresh process would start like this
  if (!opened) return Fail(opened.error().message);
  auto zones = (*opened)->ListZones();
  if (!zones || zones->empty()) return Fail("no zone after CreateZone");
  if (backlog > 0) {
    auto start = Clock::now();
    if (Status committed = CommitBacklog(**opened, zones->front().id, origin, hosts, backlog);
        !committed) {
      return Fail(committed.error().message);
    }
    std::printf("Backlog      %zu changes committed  %.2f s\n", std::min(backlog, hosts),
                Since(start));
  }
  if (int failed = TimeLoad(**opened, zones->front().id, origin, chunk); failed != 0) {
    return failed;
  }
  if (backlog > 0) {
    auto start = Clock::now();
    const double cpu = ProcessCpuSeconds();  // the committer thread is the only busy one
    Status folded = (*opened)->FoldJournal(0);
    if (!folded) return Fail(folded.error().message);
    std::printf("Fold         %.2f s, %.2f s CPU\n", Since(start), ProcessCpuSeconds() - cpu);
    return TimeLoad(**opened, zones->front().id, origin, chunk);
  }
  return 0;
}

template <class StoreType>
int CommitLoadOn(StoreType& store, int threads, double seconds, size_t hosts) {
  const dns::Name origin = *dns::Name::FromText("commit.example.");
  auto created =
      store.CreateZone(origin, store::SerialPolicy::kIncrement, MakeZone(origin, hosts), {});
  if (!created) return Fail(created.error().message);

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> failures{0};
  const auto before = store.GroupCommitStats();
  std::vector<std::thread> workers;
  workers.reserve(static_cast<size_t>(threads));
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937 random(static_cast<uint32_t>(t));
      while (!stop.load(std::memory_order_relaxed)) {
        size_t host = random() % hosts;
        dns::Name name = *origin.Prepend("host" + std::to_string(host));
        std::vector<uint8_t> address = A(random());
        store::ZoneChange change;
        change.zone_id = created->id;
        change.names.push_back({name, {zone::Rrset{dns::RrType::kA, 60, {address}}}});
        change.removed.push_back({name, dns::RrType::kA, 60, A(host)});
        change.added.push_back({name, dns::RrType::kA, 60, address});
        if (store.Commit(std::move(change))) {
          commits.fetch_add(1, std::memory_order_relaxed);
        } else {
          failures.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& worker : workers) worker.join();
  const double elapsed = Since(start);
  const auto after = store.GroupCommitStats();
  const double transactions = static_cast<double>(after.transactions - before.transactions);
  std::printf(
      "Commit  %d threads  %.1f s  %llu commits (%llu failed)  %.0f commits/s  "
      "%.0f transactions/s  %.1f changes per fsync\n",
      threads, elapsed, static_cast<unsigned long long>(commits.load()),
      static_cast<unsigned long long>(failures.load()),
      static_cast<double>(commits.load()) / elapsed, transactions / elapsed,
      static_cast<double>(after.jobs - before.jobs) / transactions);
  return failures.load() == 0 ? 0 : 1;
}

int CommitLoad(const std::string& dir, int threads, double seconds, size_t hosts) {
  auto opened = Open(dir);
  if (!opened) return Fail(opened.error().message);
  return CommitLoadOn(**opened, threads, seconds, hosts);
}

Result<std::unique_ptr<store::postgres::PostgresStore>> OpenPostgres(const std::string& conninfo) {
  store::PostgresOptions options;
  options.conninfo = conninfo;
  return store::postgres::PostgresStore::Open(options);
}

int PgLoad(const std::string& conninfo, size_t names) {
  const dns::Name origin = *dns::Name::FromText("load.example.");
  auto opened = OpenPostgres(conninfo);
  if (!opened) return Fail(opened.error().message);
  auto content = MakeZone(origin, names);
  auto start = Clock::now();
  auto created = (*opened)->CreateZone(origin, store::SerialPolicy::kIncrement, content, {});
  if (!created) return Fail(created.error().message);
  std::printf("CreateZone   %zu names  %.2f s\n", names, Since(start));
  start = Clock::now();
  size_t loaded = 0;
  Status status = (*opened)->LoadZone(created->id, [&](zone::NameUpdate&&) { ++loaded; });
  if (!status) return Fail(status.error().message);
  std::printf("LoadZone     %zu names  %.2f s\n", loaded, Since(start));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: store_load load DIR [NAMES] [CHUNK] [BACKLOG]\n"
                 "       store_load commit DIR [THREADS] [SECONDS] [HOSTS]\n"
                 "       store_load pgcommit CONNINFO [THREADS] [SECONDS] [HOSTS]\n"
                 "       store_load pgload CONNINFO [NAMES]\n");
    return 2;
  }
  const std::string mode = argv[1];
  auto pg_arg = [&](int i, double fallback) { return argc > i ? std::atof(argv[i]) : fallback; };
  if (mode == "pgcommit") {
    auto opened = OpenPostgres(argv[2]);
    if (!opened) return Fail(opened.error().message);
    return CommitLoadOn(**opened, static_cast<int>(pg_arg(3, 64)), pg_arg(4, 5),
                        static_cast<size_t>(pg_arg(5, 10000)));
  }
  if (mode == "pgload") return PgLoad(argv[2], static_cast<size_t>(pg_arg(3, 1e6)));
  // A fresh directory inside DIR, removed afterwards: never touches an existing store.
  std::filesystem::create_directories(argv[2]);
  std::string pattern = std::string(argv[2]) + "/store_load.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr)
    return Fail("cannot create a directory in " + std::string(argv[2]));
  const std::string dir = pattern;
  auto arg = [&](int i, double fallback) { return argc > i ? std::atof(argv[i]) : fallback; };
  int status = 2;
  if (mode == "load") {
    status = Load(dir, static_cast<size_t>(arg(3, 5e6)), static_cast<size_t>(arg(4, 250000)),
                  static_cast<size_t>(arg(5, 0)));
  } else if (mode == "commit") {
    status = CommitLoad(dir, static_cast<int>(arg(3, 64)), arg(4, 5),
                        static_cast<size_t>(arg(5, 10000)));
  } else {
    std::fprintf(stderr, "store_load: unknown mode %s\n", mode.c_str());
  }
  std::filesystem::remove_all(dir);
  return status;
}
