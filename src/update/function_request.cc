#include "update/function_request.h"

#include <future>

namespace tether::update {

Result<UpdateOutcome> RunInZone(UpdateService& updates, const dns::Name& zone,
                                std::function<dns::Rcode(ZoneView&)> apply) {
  std::promise<UpdateOutcome> promise;
  auto future = promise.get_future();
  auto request = std::make_unique<FunctionRequest>(
      std::move(apply), [&promise](const UpdateOutcome& outcome) { promise.set_value(outcome); });
  if (!updates.Submit(zone, std::move(request))) {
    return MakeError(ErrorCode::kNotFound, "zone " + zone.ToText() + " is not served here any more");
  }
  return future.get();
}

}  // namespace tether::update
