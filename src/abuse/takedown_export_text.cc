// The text forms of the legal-hold export (takedown_export.h): hashes, TSV fields, the
// directory name of a listed name, record lines.
#include <cstdio>

#include "abuse/takedown_export.h"
#include "dns/rdata.h"
#include "zone/master_file.h"

namespace tether::abuse {

std::string TsvField(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string NameDirectory(const dns::Name& name) {
  std::string text = name.ToText();
  if (text.size() > 1 && text.back() == '.') text.pop_back();
  std::string out;
  for (char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '*' ||
                       c == '_' || c == '-';
    if (plain) {
      out.push_back(c);
      continue;
    }
    char buffer[4];
    std::snprintf(buffer, sizeof(buffer), "%%%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(c)));
    out += buffer;
  }
  // A name's text never starts with '.', so the result is never "." or "..".
  return out;
}

std::string RecordLine(const dns::Name& owner, dns::RrType type, uint32_t ttl,
                       std::span<const uint8_t> rdata) {
  std::string line;
  if (dns::ValidateRdata(type, rdata)) {
    zone::AppendMasterRecord(owner.ToText(), zone::Rrset{type, ttl, {}}, rdata, &line);
    return line;
  }
  // RFC 3597 5: the generic form, for RDATA read from the store that does not parse.
  line = owner.ToText() + "\t" + std::to_string(ttl) + "\tIN\t" + dns::RrTypeToString(type) +
         "\t\\# " + std::to_string(rdata.size()) + " ";
  static constexpr char kHex[] = "0123456789abcdef";
  for (uint8_t byte : rdata) {
    line.push_back(kHex[byte >> 4]);
    line.push_back(kHex[byte & 0xf]);
  }
  return line + "\n";
}

}  // namespace tether::abuse
