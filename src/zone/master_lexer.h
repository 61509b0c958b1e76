// MasterLexer: splits master-file text (RFC 1035 5.1) into entries and fields. An entry is
// one logical line: parentheses join physical lines, ';' starts a comment that runs to the
// end of the physical line, and a double-quoted string is one field. Escapes (\X, \DDD) are
// kept verbatim in the field text for the name and RDATA parsers to resolve; an escaped
// delimiter (space, ';', '(', ')', '"') does not end a field.
//
// The lexer never copies the text: fields are views into the string_view given to the
// constructor, which must outlive the lexer and the entries it fills. Not synchronised.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/rdata.h"

namespace tether::zone {

struct MasterEntry {
  std::vector<dns::TextToken> tokens;  // at least one after a successful Next()
  // RFC 1035 5.1: a line that starts with a blank has no owner field; the record belongs
  // to the previous owner.
  bool blank_owner = false;
  size_t line = 0;  // 1-based line of the entry's first field
};

class MasterLexer {
 public:
  explicit MasterLexer(std::string_view text) : text_(text) {}

  // Reads the next non-empty entry into *entry, reusing its token storage. Returns false
  // at the end of the text. On malformed text (an unbalanced parenthesis or quote) returns
  // the reason; error_line() then names the line.
  Result<bool> Next(MasterEntry* entry);

  size_t error_line() const { return error_line_; }

 private:
  tl::unexpected<Error> Fail(size_t line, std::string_view reason);

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t line_start_ = 0;  // offset of the first byte of the current physical line
  size_t error_line_ = 0;
};

}  // namespace tether::zone
