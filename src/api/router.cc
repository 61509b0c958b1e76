#include "api/router.h"

namespace tether::api {

void Router::Handle(HttpRequest request, Respond respond) {
  const std::string& path = request.path;
  if (path == "/nic/update" || path == "/v3/update") return ddns_.HandleDyndns2(std::move(request), std::move(respond));
  if (path == "/update") return ddns_.HandleDuck(std::move(request), std::move(respond));
  if (path.rfind("/api/v1/", 0) == 0 && rest_) return rest_(std::move(request), std::move(respond));
  if (path == "/metrics" && metrics_) return metrics_(std::move(request), std::move(respond));
  HttpResponse response;
  response.status = 404;
  response.body = "not found\n";
  respond(std::move(response));
}

}  // namespace tether::api
