// The OpenAPI 3.0 document of the REST API, served at GET /api/v1/openapi.json. Its source
// is src/api/openapi.json, compiled in by src/api/CMakeLists.txt (a JSON file, so that
// OpenAPI tools and reviewers read it as it is). tests/unit/api/rest_openapi_test.cc checks
// that it documents exactly the routes of api/rest_routes.h.
//
// Pure; thread-safe.
#pragma once

#include <string_view>

namespace tether::api {

// The document's JSON text; static storage.
std::string_view OpenApiDocument();

}  // namespace tether::api
