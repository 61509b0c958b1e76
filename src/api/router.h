// Router: the HttpHandler tetherd serves — it sends each request to the handler of its
// path: the dyndns2 and DuckDNS update protocols, the REST API under /api/v1/, and
// /metrics. Unknown paths get 404.
//
// Thread-safety: as the handlers it routes to (all thread-safe).
#pragma once

#include <functional>

#include "api/ddns_handler.h"
#include "api/http_message.h"

namespace tether::api {

class Router : public HttpHandler {
 public:
  // `rest` and `metrics` may be empty (then 404).
  Router(DdnsHandler& ddns, std::function<void(HttpRequest, Respond)> rest,
         std::function<void(HttpRequest, Respond)> metrics)
      : ddns_(ddns), rest_(std::move(rest)), metrics_(std::move(metrics)) {}

  void Handle(HttpRequest request, Respond respond) override;

 private:
  DdnsHandler& ddns_;
  std::function<void(HttpRequest, Respond)> rest_;
  std::function<void(HttpRequest, Respond)> metrics_;
};

}  // namespace tether::api
