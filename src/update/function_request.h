// FunctionRequest: an UpdateRequest made of two functions, for the few internal changes
// that are not a protocol message (an admin removing a host's names, for one).
//
// Thread-safety: as UpdateRequest.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "base/result.h"
#include "dns/name.h"

#include "update/update_request.h"
#include "update/update_service.h"

namespace tether::update {

class FunctionRequest : public UpdateRequest {
 public:
  FunctionRequest(std::function<dns::Rcode(ZoneView&)> apply, std::function<void(const UpdateOutcome&)> done)
      : apply_(std::move(apply)), done_(std::move(done)) {}
  dns::Rcode Apply(ZoneView& view) override { return apply_(view); }
  void Done(const UpdateOutcome& outcome) override { done_(outcome); }

 private:
  std::function<dns::Rcode(ZoneView&)> apply_;
  std::function<void(const UpdateOutcome&)> done_;
};

// A request that deletes every RRset of `names` (a host's names, when the host is removed).
inline std::unique_ptr<FunctionRequest> ClearNamesRequest(std::vector<dns::Name> names,
                                                          std::function<void(const UpdateOutcome&)> done) {
  return std::make_unique<FunctionRequest>(
      [names = std::move(names)](ZoneView& view) {
        for (const auto& name : names) {
          if (!view.Get(name).empty()) view.Set(name, {});
        }
        return dns::Rcode::kNoError;
      },
      std::move(done));
}

// Runs `apply` as one request on the zone's updater and waits for its outcome (once the
// batch is durable and published). Fails with kNotFound if `zone` is not dynamic here.
// Not from an updater thread.
Result<UpdateOutcome> RunInZone(UpdateService& updates, const dns::Name& zone,
                                std::function<dns::Rcode(ZoneView&)> apply);

}  // namespace tether::update
