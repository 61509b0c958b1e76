// WorkPool: a few threads that run slow jobs (an Argon2 password check) off the event
// loops. Jobs run in submission order on any of the threads; the queue is unbounded but
// its users bound what they submit (throttling comes first).
//
// Thread-safety: Submit from any thread; Stop from the owner.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"

namespace tether {

class WorkPool {
 public:
  // `name`: the threads' name (at most 15 characters).
  WorkPool(int threads, std::string name);
  ~WorkPool() { Stop(); }
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  void Submit(std::function<void()> job);
  // Runs what is queued, then joins the threads.
  void Stop();

 private:
  void Run();

  Mutex mu_;
  std::condition_variable_any wake_;
  std::deque<std::function<void()>> jobs_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace tether
