// The OpenAPI document against the code: every route served is documented and every
// documented operation is served; every error code the API can send is listed; every $ref
// resolves.
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/rest_error.h"
#include "api/rest_openapi.h"
#include "api/rest_routes.h"

namespace tether::api {
namespace {

using Json = nlohmann::json;

Json Document() {
  std::string_view text = OpenApiDocument();
  return Json::parse(text.begin(), text.end(), nullptr, false);
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void CollectRefs(const Json& node, std::set<std::string>* refs) {
  if (node.is_object()) {
    for (const auto& item : node.items()) {
      if (item.key() == "$ref" && item.value().is_string()) refs->insert(item.value().get<std::string>());
      CollectRefs(item.value(), refs);
    }
  } else if (node.is_array()) {
    for (const auto& item : node) CollectRefs(item, refs);
  }
}

TEST(RestOpenApiTest, DocumentIsJsonOpenApi3) {
  Json doc = Document();
  ASSERT_FALSE(doc.is_discarded());
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 4), "3.0.");
  EXPECT_TRUE(doc["info"].contains("title"));
  EXPECT_TRUE(doc["info"].contains("version"));
}

TEST(RestOpenApiTest, EveryRouteIsDocumented) {
  Json doc = Document();
  for (const RouteSpec& route : RestRoutes()) {
    ASSERT_TRUE(doc["paths"].contains(route.path)) << route.path;
    EXPECT_TRUE(doc["paths"][route.path].contains(Lower(route.method))) << route.method << " " << route.path;
  }
}

TEST(RestOpenApiTest, EveryDocumentedOperationIsARoute) {
  Json doc = Document();
  const std::set<std::string> methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  for (const auto& path : doc["paths"].items()) {
    for (const auto& operation : path.value().items()) {
      if (methods.count(operation.key()) == 0) continue;  // "parameters", "summary", ...
      bool served = false;
      for (const RouteSpec& route : RestRoutes()) {
        served |= path.key() == route.path && operation.key() == Lower(route.method);
      }
      EXPECT_TRUE(served) << operation.key() << " " << path.key();
    }
  }
}

TEST(RestOpenApiTest, DocumentedPathsMatchTheirOwnRoute) {
  // The dispatcher's matcher agrees with the table: each documented path, with its
  // parameters filled in, reaches its operation.
  for (const RouteSpec& route : RestRoutes()) {
    std::string path = route.path;
    for (size_t open; (open = path.find('{')) != std::string::npos;) {
      path.replace(open, path.find('}', open) - open + 1, "x1");
    }
    RouteMatch match = MatchRoute(route.method, path);
    ASSERT_EQ(match.kind, RouteMatch::Kind::kFound) << route.path;
    EXPECT_EQ(match.route, route.route) << route.path;
  }
}

TEST(RestOpenApiTest, OperationsHaveIdsAndDocumentedResponses) {
  Json doc = Document();
  std::set<std::string> ids;
  for (const RouteSpec& route : RestRoutes()) {
    const Json& operation = doc["paths"][route.path][Lower(route.method)];
    ASSERT_TRUE(operation.contains("operationId")) << route.path;
    EXPECT_TRUE(ids.insert(operation["operationId"].get<std::string>()).second) << "duplicate operationId";
    ASSERT_TRUE(operation.contains("responses")) << route.path;
    // Every route except the public document can be refused for want of a valid token.
    if (route.route != RestRoute::kOpenApi) {
      EXPECT_TRUE(operation["responses"].contains("401")) << route.method << " " << route.path;
      EXPECT_TRUE(operation["responses"].contains("429")) << route.method << " " << route.path;
    }
    if (std::string(route.method) == "POST" || std::string(route.method) == "PUT") {
      EXPECT_TRUE(operation.contains("requestBody")) << route.path;
      EXPECT_TRUE(operation["responses"].contains("415")) << route.path;
      EXPECT_TRUE(operation["responses"].contains("413")) << route.path;
    }
  }
}

TEST(RestOpenApiTest, EveryErrorCodeIsListed) {
  Json doc = Document();
  const Json& codes = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"];
  std::set<std::string> documented;
  for (const auto& code : codes) documented.insert(code.get<std::string>());
  std::set<std::string> sent;
  for (unsigned status : {400u, 401u, 403u, 404u, 405u, 409u, 413u, 415u, 422u, 429u, 500u, 503u}) {
    sent.insert(ApiErrorCode(status));
  }
  EXPECT_EQ(documented, sent);
}

TEST(RestOpenApiTest, EveryRefResolves) {
  Json doc = Document();
  std::set<std::string> refs;
  CollectRefs(doc, &refs);
  EXPECT_FALSE(refs.empty());
  for (const std::string& ref : refs) {
    ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
    EXPECT_TRUE(doc.contains(Json::json_pointer(ref.substr(1)))) << ref;
  }
}

TEST(RestOpenApiTest, PathParametersAreDeclared) {
  Json doc = Document();
  for (const auto& path : doc["paths"].items()) {
    std::set<std::string> declared;
    auto collect = [&](const Json& parameters) {
      for (const auto& parameter : parameters) {
        const Json& resolved =
            parameter.contains("$ref")
                ? doc[Json::json_pointer(parameter["$ref"].get<std::string>().substr(1))]
                : parameter;
        if (resolved["in"] == "path") declared.insert(resolved["name"].get<std::string>());
      }
    };
    if (path.value().contains("parameters")) collect(path.value()["parameters"]);
    const std::string& text = path.key();
    for (size_t open = text.find('{'); open != std::string::npos; open = text.find('{', open + 1)) {
      std::string name = text.substr(open + 1, text.find('}', open) - open - 1);
      EXPECT_TRUE(declared.count(name)) << "{" << name << "} of " << text;
    }
  }
}

}  // namespace
}  // namespace tether::api
