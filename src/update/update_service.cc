#include "update/update_service.h"

#include <algorithm>
#include <random>

#include "base/log.h"
#include "base/thread.h"
#include "update/zone_sync.h"

namespace tether::update {

namespace {
std::string Key(const dns::Name& name) {
  char buffer[dns::Name::kMaxWire];
  return std::string(name.LowercaseKey(buffer));
}
}  // namespace

namespace {
// How often a batch is evaluated in all when its commits are refused as stale (another
// node committed to the zone meanwhile). Two nodes writing one zone flat out could keep
// beating one another to the zone's row, so from the second refusal on the updater waits
// a random 0..min(attempt, 8) ms first: the nodes fall out of step, and one batch waits at
// most ~80 ms in all before it is failed.
constexpr int kAttempts = 20;

void BackOff(int attempt) {
  if (attempt < 2) return;
  thread_local std::minstd_rand random(std::random_device{}());
  const int most_us = std::min(attempt, 8) * 1000;
  std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, most_us)(random)));
}
}  // namespace

struct UpdateService::ZoneUpdater {
  int64_t zone_id = 0;
  std::shared_ptr<zone::Zone> zone;
  uint64_t journal_seq = 0;  // what `zone` reflects; used by the worker running the zone
  // Guarded by the service's mutex:
  std::deque<std::unique_ptr<UpdateRequest>> queue;
  bool scheduled = false;  // in ready_ or being run by a worker
  bool removed = false;
  bool catch_up = false;   // sync with the store before the next batch
  std::chrono::steady_clock::time_point last_batch_end;
  // Of the requests that join cohorts (UpdateRequest::JoinsCohort): those queued, and
  // those of the last batch plus those queued when it was answered, how many the next batch
  // waits for (UpdateServiceOptions::batch_wait).
  size_t queued_joining = 0;
  size_t cohort = 0;
  bool gathering = false;  // a worker waits on `gathered` for queued_joining to reach cohort
  std::condition_variable_any gathered;
};

UpdateService::UpdateService(store::Store& store, UpdateServiceOptions options)
    : store_(store), options_(options) {}

UpdateService::~UpdateService() { Stop(); }

void UpdateService::Start() {
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this] {
      BecomeBatchThread("tether-update");
      Worker();
    });
  }
}

void UpdateService::Stop() {
  std::vector<std::unique_ptr<UpdateRequest>> orphans;
  {
    MutexLock lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    for (auto& [key, updater] : zones_) {
      for (auto& request : updater->queue) orphans.push_back(std::move(request));
      updater->queue.clear();
      updater->queued_joining = 0;
      updater->gathered.notify_all();
    }
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  for (auto& request : orphans) request->Done({dns::Rcode::kServFail, 0});
}

void UpdateService::AddZone(int64_t zone_id, std::shared_ptr<zone::Zone> zone, uint64_t journal_seq) {
  auto updater = std::make_shared<ZoneUpdater>();
  updater->zone_id = zone_id;
  updater->journal_seq = journal_seq;
  updater->zone = std::move(zone);
  MutexLock lock(mu_);
  zones_[Key(updater->zone->origin())] = std::move(updater);
}

void UpdateService::RemoveZone(const dns::Name& origin) {
  std::deque<std::unique_ptr<UpdateRequest>> orphans;
  {
    MutexLock lock(mu_);
    char buffer[dns::Name::kMaxWire];
    auto it = zones_.find(origin.LowercaseKey(buffer));
    if (it == zones_.end()) return;
    it->second->removed = true;
    orphans.swap(it->second->queue);
    it->second->queued_joining = 0;
    it->second->gathered.notify_all();
    zones_.erase(it);
  }
  for (auto& request : orphans) request->Done({dns::Rcode::kNotAuth, 0});
}

bool UpdateService::IsDynamic(const dns::Name& origin) const {
  MutexLock lock(mu_);
  char buffer[dns::Name::kMaxWire];
  return zones_.count(origin.LowercaseKey(buffer)) != 0;
}

std::shared_ptr<zone::Zone> UpdateService::GetZone(const dns::Name& origin) const {
  MutexLock lock(mu_);
  char buffer[dns::Name::kMaxWire];
  auto it = zones_.find(origin.LowercaseKey(buffer));
  return it == zones_.end() ? nullptr : it->second->zone;
}

bool UpdateService::Submit(const dns::Name& origin, std::unique_ptr<UpdateRequest> request) {
  {
    MutexLock lock(mu_);
    char buffer[dns::Name::kMaxWire];
    auto it = zones_.find(origin.LowercaseKey(buffer));
    if (it == zones_.end() || stopping_) return false;
    ZoneUpdater& updater = *it->second;
    if (request->JoinsCohort()) ++updater.queued_joining;
    updater.queue.push_back(std::move(request));
    if (updater.scheduled) {
      // A worker will see it; one gathering the zone's next batch goes once it is complete.
      if (updater.gathering && updater.queued_joining == updater.cohort) {
        updater.gathered.notify_one();
      }
      return true;
    }
    updater.scheduled = true;
    ready_.push_back(it->second);
  }
  wake_.notify_one();
  return true;
}

bool UpdateService::CatchUp(const dns::Name& origin) {
  {
    MutexLock lock(mu_);
    char buffer[dns::Name::kMaxWire];
    auto it = zones_.find(origin.LowercaseKey(buffer));
    if (it == zones_.end() || stopping_) return false;
    ZoneUpdater& updater = *it->second;
    updater.catch_up = true;
    if (updater.scheduled) return true;  // the worker sees the flag
    updater.scheduled = true;
    ready_.push_back(it->second);
  }
  wake_.notify_one();
  return true;
}

bool UpdateService::Behind(ZoneUpdater& updater) {
  auto info = store_.GetZone(updater.zone->origin());
  return info && *info && (*info)->id == updater.zone_id && (*info)->journal_seq != updater.journal_seq;
}

bool UpdateService::Sync(ZoneUpdater& updater) {
  zone::Zone& zone = *updater.zone;
  auto synced = SyncZone(store_, updater.zone_id, zone, updater.journal_seq);
  if (!synced) {
    spdlog::error("zone {}: catching up with the store failed: {}", zone.origin().ToText(), synced.error().message);
    return false;
  }
  if (!synced->changed) return true;
  spdlog::debug("zone {}: caught up to journal {} ({} names{})", zone.origin().ToText(), synced->journal_seq,
                synced->names, synced->full ? ", full reload" : "");
  updater.journal_seq = synced->journal_seq;
  if (options_.on_publish) options_.on_publish(zone.origin(), synced->soa);
  return true;
}

void UpdateService::Worker() {
  while (true) {
    std::shared_ptr<ZoneUpdater> updater;
    std::vector<std::unique_ptr<UpdateRequest>> batch;
    bool catch_up = false;
    {
      MutexLock lock(mu_);
      while (!stopping_ && ready_.empty()) wake_.wait(mu_);
      if (ready_.empty()) return;  // stopping and nothing left
      updater = std::move(ready_.front());
      ready_.pop_front();
      const auto now = std::chrono::steady_clock::now();
      if (options_.batch_wait.count() > 0 && updater->queued_joining < updater->cohort &&
          now - updater->last_batch_end < std::chrono::milliseconds(10)) {
        // Still scheduled, so no other worker takes this zone meanwhile. Until the cohort
        // is queued (Submit wakes this worker then), the wait is over, or the zone goes.
        const auto until = now + options_.batch_wait;
        updater->gathering = true;
        while (!stopping_ && !updater->removed && updater->queued_joining < updater->cohort &&
               updater->gathered.wait_until(mu_, until) == std::cv_status::no_timeout) {
        }
        updater->gathering = false;
      }
      while (!updater->queue.empty() && batch.size() < options_.max_batch) {
        if (updater->queue.front()->JoinsCohort()) --updater->queued_joining;
        batch.push_back(std::move(updater->queue.front()));
        updater->queue.pop_front();
      }
      catch_up = std::exchange(updater->catch_up, false) && !updater->removed;
    }
    if (catch_up) Sync(*updater);
    if (!batch.empty()) RunBatch(*updater, std::move(batch));
    bool more = false;
    {
      MutexLock lock(mu_);
      updater->last_batch_end = std::chrono::steady_clock::now();
      // More arrived while the batch ran: go round again (after other ready zones).
      if ((!updater->queue.empty() || updater->catch_up) && !updater->removed) {
        ready_.push_back(updater);
      } else {
        updater->scheduled = false;
      }
      // Another worker is woken only for another zone that waits: this one goes round
      // again itself, and waking an idle worker for nothing costs two context switches.
      more = ready_.size() > 1;
    }
    if (more) wake_.notify_one();
  }
}

void UpdateService::RunBatch(ZoneUpdater& updater, std::vector<std::unique_ptr<UpdateRequest>> requests) {
  zone::Zone& zone = *updater.zone;
  const dns::Name& apex = zone.origin();
  std::vector<dns::Rcode> results;
  results.reserve(requests.size());
  std::vector<zone::NameUpdate> publish;
  std::optional<Result<store::CommitResult>> committed;  // nullopt: nothing to commit
  for (int attempt = 1;; ++attempt) {
    ZoneView view(zone);
    results.clear();
    // A lone request needs no savepoint: if it fails, the batch's view is dropped whole
    // (a takedown's request sets tens of thousands of names: merging them costs). Nor
    // does one that changes the view only when it succeeds.
    const bool lone = requests.size() == 1;
    for (auto& request : requests) {
      if (lone || request->AppliesAtomically()) {
        results.push_back(request->Apply(view));
        continue;
      }
      ZoneView savepoint(view);
      dns::Rcode rcode = request->Apply(savepoint);
      if (rcode == dns::Rcode::kNoError) savepoint.MergeIntoParent();
      results.push_back(rcode);
    }
    ZoneView::Changes changes = lone && results[0] != dns::Rcode::kNoError ? ZoneView::Changes() : view.CollectChanges();
    if (changes.names.empty()) {
      // Nothing to commit, so no commit tells whether the view was current: the answers
      // (a prerequisite not met, a delete of nothing) hold only if another node did not
      // change the zone meanwhile.
      if (attempt < kAttempts && Behind(updater) && Sync(updater)) continue;
      break;
    }
    store::ZoneChange change;
    change.zone_id = updater.zone_id;
    change.names = std::move(changes.names);  // back in the result, for publishing
    change.removed = std::move(changes.removed);
    change.added = std::move(changes.added);
    change.base_journal_seq = updater.journal_seq;
    committed = store_.Commit(std::move(change));
    if (!*committed && committed->error().code == ErrorCode::kAborted && attempt < kAttempts) {
      // Another node committed to the zone since our view: take its changes, evaluate again.
      BackOff(attempt);
      if (Sync(updater)) continue;
    }
    if (*committed) {
      // Publish: the changed names, and the apex with the SOA the store now holds (the
      // apex as the batch left it: changed, or as published).
      std::optional<std::vector<zone::Rrset>> changed_apex;
      std::vector<zone::NameUpdate>& names = (*committed)->names;
      publish.reserve(names.size() + 1);
      for (auto& name : names) {
        if (name.name.EqualsIgnoreCase(apex)) {
          changed_apex = std::move(name.rrsets);
        } else {
          publish.push_back(std::move(name));
        }
      }
      std::vector<zone::Rrset> apex_content =
          changed_apex ? std::move(*changed_apex) : zone.Get(apex);
      for (auto& rrset : apex_content) {
        if (rrset.type == dns::RrType::kSoa) rrset = (*committed)->soa;
      }
      publish.push_back({apex, std::move(apex_content)});
    }
    break;
  }

  const bool failed = committed && !*committed;
  uint32_t serial = 0;
  if (failed) {
    spdlog::error("zone {}: commit failed, {} update(s) refused: {}", apex.ToText(), requests.size(),
                  committed->error().message);
  } else if (committed) {
    const store::CommitResult& commit = **committed;
    serial = commit.new_serial;
    updater.journal_seq = commit.journal_seq;
    auto applied = zone.Apply(std::move(publish));
    if (!applied) {
      // The store has it; the next start loads it. Should not happen: inputs were checked.
      spdlog::error("zone {}: publishing serial {} failed: {}", apex.ToText(), serial, applied.error().message);
    }
    if (options_.on_publish) options_.on_publish(apex, commit.soa);
  }
  {
    // Counted before the answers go out: a client answered may queue its next request
    // before this worker is done with the batch, and is one of the batch's clients.
    const auto joining = static_cast<size_t>(
        std::count_if(requests.begin(), requests.end(),
                      [](const auto& request) { return request->JoinsCohort(); }));
    MutexLock lock(mu_);
    updater.cohort = std::min(options_.max_batch, joining + updater.queued_joining);
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    UpdateOutcome outcome;
    outcome.rcode = failed && results[i] == dns::Rcode::kNoError ? dns::Rcode::kServFail : results[i];
    outcome.serial = failed ? 0 : serial;
    requests[i]->Done(outcome);
  }
}

}  // namespace tether::update
