#include "api/rest_render.h"

#include <nlohmann/json.hpp>

#include "base/time_text.h"
#include "dns/rdata.h"

namespace tether::api {

using Json = nlohmann::json;

Json TimeJson(int64_t unix_seconds) { return unix_seconds == 0 ? Json(nullptr) : Json(FormatTime(unix_seconds)); }

Json RrsetJson(const HostRrset& rrset) {
  Json values = Json::array();
  for (const auto& rdata : rrset.rrset.rdatas) values.push_back(dns::RdataToText(rrset.rrset.type, rdata));
  return {{"name", rrset.owner.ToText()},
          {"subname", rrset.subname},
          {"type", dns::RrTypeToString(rrset.rrset.type)},
          {"ttl", rrset.rrset.ttl},
          {"values", std::move(values)}};
}

Json HostJson(const store::HostInfo& host) {
  return {{"name", host.fqdn.ToText()},
          {"zone", host.fqdn.IsRoot() ? std::string(".") : host.fqdn.Parent().ToText()},
          {"state", store::LifecycleName(host.lifecycle)},
          {"created", TimeJson(host.created)},
          {"last_update", TimeJson(host.last_update)}};
}

Json TokenJson(const store::TokenInfo& token, int64_t now) {
  Json hosts = Json::array();
  for (const auto& host : token.hosts) hosts.push_back(host.ToText());
  Json types = Json::array();
  for (auto type : token.types) types.push_back(dns::RrTypeToString(type));
  const char* state = token.revoked                                      ? "revoked"
                      : (token.expires != 0 && token.expires <= now) ? "expired"
                                                                         : "active";
  return {{"id", token.id},
          {"hosts", std::move(hosts)},
          {"types", std::move(types)},
          {"networks", token.networks},
          {"expires", TimeJson(token.expires)},
          {"created", TimeJson(token.created)},
          {"state", state}};
}

Json HistoryJson(const store::HistoryEntry& entry) {
  return {{"id", entry.id},
          {"time", TimeJson(entry.time)},
          {"source", entry.source},
          {"user_agent", entry.user_agent},
          {"credential", entry.credential},
          {"old", entry.old_value},
          {"new", entry.new_value},
          {"result", entry.result}};
}

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string DescribeRrsets(const std::vector<zone::Rrset>& rrsets) {
  std::string out;
  for (const auto& rrset : rrsets) {
    for (const auto& rdata : rrset.rdatas) {
      if (!out.empty()) out += ", ";
      out += dns::RrTypeToString(rrset.type) + " " + dns::RdataToText(rrset.type, rdata);
    }
  }
  return out.empty() ? "-" : out;
}

}  // namespace tether::api
