// UpdateReceiver: takes the UPDATE (and NOTIFY) messages the DNS front end hands over and runs the
// RFC 2136 front half (parsing, TSIG, access checks) on its own thread, then queues them
// on the update path. The query threads only copy bytes into its queue — one lock and at
// most one wake-up per received batch — so updates cost the query path almost nothing.
//
// Thread-safety: Dispatch from any thread; Start/Stop from the owning thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <span>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "server/update_dispatcher.h"
#include "update/rfc2136.h"

namespace tether::app {

class UpdateReceiver : public server::UpdateDispatcher {
 public:
  // Answers a NOTIFY (opcode 4) instead of the update path; returns the response (empty:
  // none). The secondary zones' service (xfr/secondary.h).
  using NotifyHandler =
      std::function<std::vector<uint8_t>(std::span<const uint8_t> message, const sockaddr* peer)>;

  explicit UpdateReceiver(update::Rfc2136Context context, NotifyHandler notify = nullptr)
      : context_(std::move(context)), notify_(std::move(notify)) {}
  ~UpdateReceiver() override { Stop(); }

  void Start();
  // Handles what is queued, then stops. Call after the front end stopped dispatching.
  void Stop();

  void Dispatch(std::vector<server::InboundUpdate> updates) override;

 private:
  void Run();

  static constexpr std::chrono::microseconds kCoalesce{1000};

  const update::Rfc2136Context context_;
  const NotifyHandler notify_;
  Mutex mu_;
  std::condition_variable_any wake_;
  std::vector<server::InboundUpdate> queue_ GUARDED_BY(mu_);
  bool waiting_ GUARDED_BY(mu_) = false;  // the thread sleeps and needs a notify
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace tether::app
