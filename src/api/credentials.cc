#include "api/credentials.h"

#include <cctype>
#include <strings.h>

#include "ddns/dyndns2.h"
#include "dns/rdata_codec.h"

namespace tether::api {

namespace {

std::optional<accounts::Presented> SplitUserInfo(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return accounts::Presented{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

bool StartsWithIgnoreCase(const std::string& text, const char* prefix, size_t size) {
  return text.size() > size && strncasecmp(text.c_str(), prefix, size) == 0;
}

}  // namespace

std::optional<accounts::Presented> PresentedCredentials(const HttpRequest& request,
                                                        const std::optional<std::string>& query_username,
                                                        const std::optional<std::string>& query_password) {
  if (const std::string* header = request.Header("authorization")) {
    if (StartsWithIgnoreCase(*header, "Basic ", 6)) {
      std::vector<uint8_t> decoded;
      std::string_view encoded = std::string_view(*header).substr(6);
      while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
      if (dns::rdata_codec::ParseBase64(encoded, &decoded)) {
        if (auto presented = SplitUserInfo({reinterpret_cast<const char*>(decoded.data()), decoded.size()})) {
          return presented;
        }
      }
    } else if (StartsWithIgnoreCase(*header, "Bearer ", 7)) {
      return accounts::Presented{"", header->substr(7)};
    } else if (StartsWithIgnoreCase(*header, "Token ", 6)) {
      return accounts::Presented{"", header->substr(6)};
    }
  }
  // Absolute-form target with userinfo: scheme://user:pass@host/...
  if (size_t scheme = request.target.find("://"); scheme != std::string::npos && request.target[0] != '/') {
    size_t start = scheme + 3;
    size_t slash = request.target.find('/', start);
    size_t at = request.target.find('@', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      if (auto presented = SplitUserInfo(std::string_view(request.target).substr(start, at - start))) {
        presented->username = ddns::PercentDecode(presented->username, false);
        presented->secret = ddns::PercentDecode(presented->secret, false);
        return presented;
      }
    }
  }
  if (query_password) return accounts::Presented{query_username.value_or(""), *query_password};
  return std::nullopt;
}

}  // namespace tether::api
