// FunctionRequest: an UpdateRequest made of two functions, for the few internal changes
// that are not a protocol message (an admin removing a host's names, for one).
//
// Thread-safety: as UpdateRequest.
#pragma once

#include <functional>

#include "update/update_request.h"

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

}  // namespace tether::update
