// UpdateService: the one path every change to a dynamic zone takes.
//
//   request -> zone queue -> (updater) apply to the batch view -> store commit (durable,
//   new serial, journal) -> publish to the in-memory zone -> Done() for every request
//
// Several nodes may share the store (docs/postgresql.md): each commit names the journal
// sequence its view was built on, and a commit refused as stale (another node committed to
// the zone meanwhile) brings the zone forward and evaluates the batch again.
//
// Each dynamic zone has one logical writer: its queue is drained by at most one worker
// thread at a time, in batches, so a batch of concurrent requests costs one transaction and
// one fsync (and the store groups batches of several zones into one transaction as well).
// Queries never wait for any of this: they read the published zone.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/hash.h"
#include "base/mutex.h"
#include "dns/name.h"
#include "store/store.h"
#include "update/update_request.h"
#include "zone/zone.h"

namespace tether::update {

struct UpdateServiceOptions {
  int threads = 4;          // zones updated at once (batches of different zones share fsyncs)
  size_t max_batch = 1000;  // requests per batch
  // Group commit by cohort. The requests of a zone's batch come from clients that often send
  // the next one as soon as they are answered (keep-alive HTTP clients, a script's loop);
  // while the batch commits, others queue up behind it. So a busy zone (a batch ended less
  // than 10 ms ago) starts its next batch only once as many requests are queued as the last
  // batch had plus those queued when it was answered (the clients active then), or after
  // `batch_wait` at most. Only requests that join cohorts are counted
  // (UpdateRequest::JoinsCohort: not RFC 2136 UPDATEs, which the receiver gathers). Without
  // the wait, 64 clients in lockstep settle into two cohorts that take turns, each its own
  // commit; with it they share one (bench/README.md, 2026-11-28). A lone client never waits
  // (its batch of one finds its one request). 0: no wait; the requests that arrive while a
  // batch commits form the next one.
  std::chrono::microseconds batch_wait{1000};
  // Called after each new serial of a zone is published, with the zone's origin and its new
  // apex SOA RRset (xfr/: NOTIFY to secondaries), on the updater thread. Must not block.
  std::function<void(const dns::Name& origin, const zone::Rrset& soa)> on_publish = nullptr;
};

class UpdateService {
 public:
  UpdateService(store::Store& store, UpdateServiceOptions options);
  ~UpdateService();
  UpdateService(const UpdateService&) = delete;
  UpdateService& operator=(const UpdateService&) = delete;

  void Start();
  // Finishes the batches in progress, fails queued requests with SERVFAIL, joins threads.
  void Stop();

  // Registers a dynamic zone (its content already loaded from the store, reflecting its
  // journal up to `journal_seq`: ZoneInfo::journal_seq read before the load).
  void AddZone(int64_t zone_id, std::shared_ptr<zone::Zone> zone, uint64_t journal_seq);
  // Unregisters a zone; queued requests for it get NOTAUTH.
  void RemoveZone(const dns::Name& origin);
  bool IsDynamic(const dns::Name& origin) const;
  std::shared_ptr<zone::Zone> GetZone(const dns::Name& origin) const;

  // Queues `request` for the dynamic zone `origin`. Returns false (and does not call the
  // request) if the zone is not dynamic.
  bool Submit(const dns::Name& origin, std::unique_ptr<UpdateRequest> request);

  // Another node committed to the zone (the store's change feed): its updater brings it
  // forward (update/zone_sync.h) before its next batch, and publishes. Returns false if the
  // zone is not dynamic here.
  bool CatchUp(const dns::Name& origin);

 private:
  struct ZoneUpdater;
  void Worker();
  void RunBatch(ZoneUpdater& updater, std::vector<std::unique_ptr<UpdateRequest>> requests);
  // Brings the zone forward to the store (SyncZone) and publishes; false if that failed.
  bool Sync(ZoneUpdater& updater);
  // Whether another node committed to the zone since the updater's view (one store read).
  bool Behind(ZoneUpdater& updater);

  store::Store& store_;
  const UpdateServiceOptions options_;

  mutable Mutex mu_;
  std::condition_variable_any wake_;
  // By the origin's lower-case wire form (dns::Name::LowercaseKey).
  StringMap<std::shared_ptr<ZoneUpdater>> zones_ GUARDED_BY(mu_);
  std::deque<std::shared_ptr<ZoneUpdater>> ready_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace tether::update
