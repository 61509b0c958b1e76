#include "app/update_receiver.h"

#include <pthread.h>

#include "dns/rr_type.h"

namespace tether::app {

void UpdateReceiver::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "tether-upd-rx");
    Run();
  });
}

void UpdateReceiver::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void UpdateReceiver::Dispatch(std::vector<server::InboundUpdate> updates) {
  bool notify = false;
  {
    MutexLock lock(mu_);
    if (queue_.empty()) {
      queue_ = std::move(updates);
    } else {
      for (auto& update : updates) queue_.push_back(std::move(update));
    }
    notify = waiting_;
  }
  if (notify) wake_.notify_one();
}

void UpdateReceiver::Run() {
  std::vector<server::InboundUpdate> work;
  bool busy = false;
  while (true) {
    {
      MutexLock lock(mu_);
      if (busy && !stopping_) {
        // Under a stream of updates, collect for a moment instead of being woken per batch
        // of datagrams: query threads then never pay for a wake-up, and the updaters get
        // larger batches. A lone update waits at most kCoalesce.
        wake_.wait_for(mu_, kCoalesce);
      }
      while (queue_.empty() && !stopping_) {
        waiting_ = true;
        wake_.wait(mu_);
        waiting_ = false;
      }
      if (queue_.empty()) return;  // stopping, nothing left
      work.swap(queue_);
    }
    for (auto& update : work) {
      if (((update.message[2] >> 3) & 0xF) == static_cast<unsigned>(dns::Opcode::kNotify)) {
        update.reply(notify_ ? notify_(update.message, reinterpret_cast<const sockaddr*>(&update.peer))
                             : std::vector<uint8_t>());
        continue;
      }
      update::HandleUpdateMessage(update.message, reinterpret_cast<const sockaddr*>(&update.peer), context_,
                                  std::move(update.reply));
    }
    busy = !work.empty();
    work.clear();
  }
}

}  // namespace tether::app
