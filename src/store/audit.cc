#include "store/audit.h"

#include <openssl/evp.h>

#include <array>

namespace tether::store {

const char kAuditGenesisHash[] = "0000000000000000000000000000000000000000000000000000000000000000";

namespace {

void Netstring(std::string_view field, std::string* out) {
  out->append(std::to_string(field.size()));
  out->push_back(':');
  out->append(field);
  out->push_back(',');
}

}  // namespace

std::string AuditEncoding(const AuditEntry& entry) {
  std::string out;
  Netstring(entry.prev_hash, &out);
  Netstring(std::to_string(entry.seq), &out);
  Netstring(std::to_string(entry.time), &out);
  Netstring(entry.actor, &out);
  Netstring(entry.action, &out);
  Netstring(entry.reason, &out);
  Netstring(entry.reference, &out);
  Netstring(std::to_string(entry.names.size()), &out);
  for (const std::string& name : entry.names) Netstring(name, &out);
  Netstring(std::to_string(entry.serial_before), &out);
  Netstring(std::to_string(entry.serial_after), &out);
  return out;
}

std::string AuditHash(const AuditEntry& entry) { return Sha256Hex(AuditEncoding(entry)); }

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

std::string JoinAuditNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out.push_back('\n');
    out.append(name);
  }
  return out;
}

std::vector<std::string> SplitAuditNames(const std::string& joined) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start < joined.size()) {
    size_t end = joined.find('\n', start);
    if (end == std::string::npos) end = joined.size();
    names.push_back(joined.substr(start, end - start));
    start = end + 1;
  }
  return names;
}

}  // namespace tether::store
