// $GENERATE, the BIND extension that writes a run of similar records in one line:
//   $GENERATE start-stop[/step] lhs [ttl] [class] type rhs
// Every '$' in lhs and rhs becomes the iterator's value; "${offset[,width[,base]]}" adds an
// offset and prints it zero-padded to `width` in base d, o, x, X, or n/N (reversed nibbles
// separated by dots, for ip6.arpa names); "\$" is a literal '$'. The rhs is read as RDATA
// text after substitution, so a quoted rhs may hold several fields. At most
// kMaxGeneratedRecords records per directive. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/rdata.h"

namespace tether::zone {

inline constexpr uint32_t kMaxGeneratedRecords = 1u << 20;

// A parsed $GENERATE line. Views into the tokens it was parsed from, which must outlive it.
struct GenerateSpec {
  struct Piece {
    std::string_view literal;  // copied as is, if not a substitution
    bool substitute = false;
    int64_t offset = 0;
    uint32_t width = 0;
    char base = 'd';
  };
  uint32_t start = 0;
  uint32_t stop = 0;
  uint32_t step = 1;
  std::vector<Piece> lhs;
  std::vector<dns::TextToken> middle;  // [ttl] [class] type
  std::vector<Piece> rhs;
};

// Parses the fields of a $GENERATE line (`tokens[0]` is "$GENERATE"). Checks the range and
// every substitution, so that ExpandGenerate fails only when `emit` does.
Result<GenerateSpec> ParseGenerate(std::span<const dns::TextToken> tokens);

// Calls `emit` with each generated record line, "lhs [ttl] [class] type rhs", in order;
// stops at the first error `emit` returns.
Status ExpandGenerate(const GenerateSpec& spec,
                      const std::function<Status(std::string_view line)>& emit);

}  // namespace tether::zone
