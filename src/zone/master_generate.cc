#include "zone/master_generate.h"

#include <charconv>

namespace tether::zone {
namespace {

constexpr uint32_t kMaxWidth = 255;  // no name or field needs more

bool ParseUint32(std::string_view text, uint32_t* out) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// "start-stop[/step]"
Status ParseRange(std::string_view text, GenerateSpec* spec) {
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) return InvalidArgument("bad $GENERATE range '{}'", text);
  std::string_view stop = text.substr(dash + 1);
  std::string_view step = "1";
  if (size_t slash = stop.find('/'); slash != std::string_view::npos) {
    step = stop.substr(slash + 1);
    stop = stop.substr(0, slash);
  }
  if (!ParseUint32(text.substr(0, dash), &spec->start) || !ParseUint32(stop, &spec->stop) ||
      !ParseUint32(step, &spec->step) || spec->step == 0 || spec->start > spec->stop) {
    return InvalidArgument("bad $GENERATE range '{}'", text);
  }
  if ((spec->stop - spec->start) / spec->step >= kMaxGeneratedRecords) {
    return InvalidArgument("$GENERATE range '{}' makes more than {} records", text,
                           kMaxGeneratedRecords);
  }
  return Ok();
}

// "{offset[,width[,base]]}" after a '$'; `text` starts after the '{'. Returns the length
// consumed including the closing brace.
Result<size_t> ParseModifier(std::string_view text, GenerateSpec::Piece* piece) {
  size_t close = text.find('}');
  if (close == std::string_view::npos) return InvalidArgument("unterminated ${{...}} in $GENERATE");
  std::string_view body = text.substr(0, close);
  std::string_view fields[3];
  int count = 0;
  while (true) {
    if (count == 3) return InvalidArgument("bad $GENERATE modifier '{}'", body);
    size_t comma = body.find(',');
    fields[count++] = body.substr(0, comma);
    if (comma == std::string_view::npos) break;
    body = body.substr(comma + 1);
  }
  std::string_view offset = fields[0];
  bool negative = false;
  if (!offset.empty() && (offset[0] == '-' || offset[0] == '+')) {
    negative = offset[0] == '-';
    offset.remove_prefix(1);
  }
  uint32_t magnitude = 0;
  if (!ParseUint32(offset, &magnitude)) {
    return InvalidArgument("bad $GENERATE offset '{}'", fields[0]);
  }
  piece->offset = negative ? -int64_t{magnitude} : int64_t{magnitude};
  if (count >= 2 && (!ParseUint32(fields[1], &piece->width) || piece->width > kMaxWidth)) {
    return InvalidArgument("bad $GENERATE width '{}'", fields[1]);
  }
  if (count == 3) {
    if (fields[2].size() != 1 ||
        std::string_view("doxXnN").find(fields[2][0]) == std::string_view::npos) {
      return InvalidArgument("bad $GENERATE base '{}'", fields[2]);
    }
    piece->base = fields[2][0];
  }
  return close + 1;
}

Result<std::vector<GenerateSpec::Piece>> ParseTemplate(std::string_view text,
                                                       const GenerateSpec& spec) {
  std::vector<GenerateSpec::Piece> pieces;
  size_t literal_start = 0;
  size_t pos = 0;
  auto flush = [&](size_t end) {
    if (end > literal_start) pieces.push_back({text.substr(literal_start, end - literal_start)});
  };
  while (pos < text.size()) {
    if (text[pos] == '\\') {  // escapes stay for the name or RDATA parser; "\$" included
      pos += 2;
      continue;
    }
    if (text[pos] != '$') {
      ++pos;
      continue;
    }
    flush(pos);
    GenerateSpec::Piece piece;
    piece.substitute = true;
    ++pos;
    if (pos < text.size() && text[pos] == '{') {
      ASSIGN_OR_RETURN(size_t used, ParseModifier(text.substr(pos + 1), &piece));
      pos += 1 + used;
    }
    // Every value printed lies between these two; both must be printable.
    if (int64_t{spec.start} + piece.offset < 0 ||
        int64_t{spec.stop} + piece.offset > int64_t{UINT32_MAX}) {
      return InvalidArgument("$GENERATE offset {} takes the value out of range", piece.offset);
    }
    pieces.push_back(piece);
    literal_start = pos;
  }
  flush(std::min(pos, text.size()));
  return pieces;
}

void AppendValue(const GenerateSpec::Piece& piece, uint32_t iterator, std::string* out) {
  const auto value = static_cast<uint32_t>(int64_t{iterator} + piece.offset);
  if (piece.base == 'n' || piece.base == 'N') {
    // As BIND's nibbles(): least significant nibble first, labels separated by dots, until
    // the value is used up and `width` characters are written.
    const char* digits = piece.base == 'n' ? "0123456789abcdef" : "0123456789ABCDEF";
    uint32_t rest = value;
    uint32_t width = piece.width;
    while (true) {
      out->push_back(digits[rest & 0xf]);
      rest >>= 4;
      if (width > 0) --width;
      if (width == 0 && rest == 0) break;
      out->push_back('.');
      if (width > 0) --width;
    }
    return;
  }
  char buffer[16];
  const int base = piece.base == 'o' ? 8 : (piece.base == 'd' ? 10 : 16);
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value, base);
  (void)ec;  // 16 bytes hold any uint32_t in base 8 or more
  const auto length = static_cast<size_t>(end - buffer);
  if (piece.width > length) out->append(piece.width - length, '0');
  for (const char* c = buffer; c != end; ++c) {
    out->push_back(piece.base == 'X' && *c >= 'a' ? static_cast<char>(*c - 'a' + 'A') : *c);
  }
}

void AppendTemplate(const std::vector<GenerateSpec::Piece>& pieces, uint32_t iterator,
                    std::string* out) {
  for (const auto& piece : pieces) {
    if (piece.substitute) {
      AppendValue(piece, iterator, out);
    } else {
      out->append(piece.literal);
    }
  }
}

}  // namespace

Result<GenerateSpec> ParseGenerate(std::span<const dns::TextToken> tokens) {
  // $GENERATE range lhs [ttl] [class] type rhs
  if (tokens.size() < 5 || tokens.size() > 7) {
    return InvalidArgument("$GENERATE takes a range, an owner, [TTL] [class] type and RDATA");
  }
  GenerateSpec spec;
  RETURN_IF_ERROR(ParseRange(tokens[1].text, &spec));
  ASSIGN_OR_RETURN(spec.lhs, ParseTemplate(tokens[2].text, spec));
  spec.middle.assign(tokens.begin() + 3, tokens.end() - 1);
  ASSIGN_OR_RETURN(spec.rhs, ParseTemplate(tokens.back().text, spec));
  return spec;
}

Status ExpandGenerate(const GenerateSpec& spec,
                      const std::function<Status(std::string_view line)>& emit) {
  std::string line;
  for (uint64_t i = spec.start; i <= spec.stop; i += spec.step) {
    const auto iterator = static_cast<uint32_t>(i);
    line.clear();
    AppendTemplate(spec.lhs, iterator, &line);
    for (const auto& field : spec.middle) {
      line.push_back(' ');
      if (field.quoted) line.push_back('"');
      line.append(field.text);
      if (field.quoted) line.push_back('"');
    }
    line.push_back(' ');
    AppendTemplate(spec.rhs, iterator, &line);
    RETURN_IF_ERROR(emit(line));
  }
  return Ok();
}

}  // namespace tether::zone
