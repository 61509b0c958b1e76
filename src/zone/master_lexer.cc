#include "zone/master_lexer.h"

#include <array>
#include <cstdint>

namespace tether::zone {
namespace {

// Bytes that end an unquoted field (unless escaped). As in BIND, '(' ')' '"' and ';' end a
// field even without a blank before them, so "A (1.2.3.4)" and "x;comment" work.
constexpr std::array<bool, 256> MakeDelimiters() {
  std::array<bool, 256> table{};
  for (char c : {' ', '\t', '\r', '\n', '(', ')', '"', ';'}) {
    table[static_cast<uint8_t>(c)] = true;
  }
  return table;
}
constexpr std::array<bool, 256> kDelimiter = MakeDelimiters();

}  // namespace

tl::unexpected<Error> MasterLexer::Fail(size_t line, std::string_view reason) {
  error_line_ = line;
  pos_ = text_.size();  // a failed lexer stays at the end
  return InvalidArgument("{}", reason);
}

Result<bool> MasterLexer::Next(MasterEntry* entry) {
  entry->tokens.clear();
  entry->blank_owner = false;
  entry->line = 0;
  int depth = 0;
  size_t paren_line = 0;
  const size_t size = text_.size();
  while (pos_ < size) {
    const char c = text_[pos_];
    switch (c) {
      case '\n':
        ++pos_;
        ++line_;
        line_start_ = pos_;
        // RFC 1035 5.1: inside parentheses a line break is ordinary white space.
        if (depth == 0 && !entry->tokens.empty()) return true;
        continue;
      case ' ':
      case '\t':
      case '\r':
        ++pos_;
        continue;
      case ';':
        while (pos_ < size && text_[pos_] != '\n') ++pos_;
        continue;
      case '(':
        if (depth++ == 0) paren_line = line_;
        ++pos_;
        continue;
      case ')':
        if (depth == 0) return Fail(line_, "unbalanced parenthesis");
        --depth;
        ++pos_;
        continue;
      default:
        break;
    }

    if (entry->tokens.empty()) {
      entry->line = line_;
      const char first = text_[line_start_];
      entry->blank_owner = first == ' ' || first == '\t';
    }
    if (c == '"') {
      const size_t start = ++pos_;
      while (true) {
        if (pos_ >= size || text_[pos_] == '\n') return Fail(line_, "unbalanced quotes");
        if (text_[pos_] == '"') break;
        // An escaped character (\" in particular) never closes the string. An escaped
        // line break would hide the line count, so it ends the string as an error.
        if (text_[pos_] == '\\' && pos_ + 1 < size && text_[pos_ + 1] != '\n') ++pos_;
        ++pos_;
      }
      entry->tokens.push_back({text_.substr(start, pos_ - start), true});
      ++pos_;  // the closing quote
      continue;
    }
    const size_t start = pos_;
    while (pos_ < size) {
      const auto byte = static_cast<uint8_t>(text_[pos_]);
      if (byte == '\\') {
        // Keep the escape and the escaped byte together; a backslash at the end of a line
        // or of the text stays in the field for the field's parser to reject.
        pos_ += (pos_ + 1 < size && text_[pos_ + 1] != '\n') ? 2 : 1;
        continue;
      }
      if (kDelimiter[byte]) break;
      ++pos_;
    }
    entry->tokens.push_back({text_.substr(start, pos_ - start), false});
  }
  if (depth > 0) return Fail(paren_line, "unbalanced parenthesis");
  return !entry->tokens.empty();
}

}  // namespace tether::zone
