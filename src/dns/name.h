// Name: a domain name held in uncompressed wire form (at most 255 bytes, labels of at most
// 63 bytes, ending with the root label). Parsing from text (RFC 1035 5.1 escapes, relative
// names, '@') and from wire (compression pointers followed only backwards) validates
// everything; a Name is always well-formed. Values; not synchronised.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "dns/wire/reader.h"

namespace tether::dns {

class Name {
 public:
  static constexpr size_t kMaxWire = 255;
  static constexpr size_t kMaxLabel = 63;

  Name() : wire_(1, '\0') {}  // the root
  static Name Root() { return Name(); }

  // Parses presentation form. A name without a trailing dot is relative to `origin`;
  // "@" is the origin itself. Accepts \X and \DDD escapes.
  static Result<Name> FromText(std::string_view text, const Name& origin = Name());
  // Validates an uncompressed wire name that fills `wire` exactly.
  static Result<Name> FromWire(std::span<const uint8_t> wire);
  // Trusted: `wire` must be a valid uncompressed wire name (e.g. from another Name).
  static Name FromValidWire(std::span<const uint8_t> wire);

  std::string ToText() const;  // absolute, with the trailing dot; "." for the root

  std::span<const uint8_t> wire() const {
    return {reinterpret_cast<const uint8_t*>(wire_.data()), wire_.size()};
  }
  size_t size() const { return wire_.size(); }
  bool IsRoot() const { return wire_.size() == 1; }
  int LabelCount() const;  // not counting the root label

  void Lowercase();
  // The lower-case wire form written to `buffer` (kMaxWire bytes), as a view of it: a map
  // key made without allocating.
  std::string_view LowercaseKey(char* buffer) const;
  Name Lowercased() const {
    Name copy = *this;
    copy.Lowercase();
    return copy;
  }

  bool EqualsIgnoreCase(const Name& other) const;
  // True if this name is `ancestor` or below it (case-insensitive).
  bool IsSubdomainOf(const Name& ancestor) const;
  // REQUIRES: !IsRoot().
  Name Parent() const;
  // The name with its `n` leftmost labels removed. REQUIRES: n <= LabelCount().
  Name StripLabels(int n) const;
  // The leftmost label, without its length byte. Empty for the root.
  std::string_view FirstLabel() const;
  // `label` + "." + this. Fails if the result is too long.
  Result<Name> Prepend(std::string_view label) const;

  // RFC 4034 6.1 canonical ordering (labels compared right to left, case-insensitive).
  int CanonicalCompare(const Name& other) const;

  bool operator==(const Name& other) const { return wire_ == other.wire_; }
  bool operator<(const Name& other) const { return CanonicalCompare(other) < 0; }

 private:
  std::string wire_;
};

// A hash of the exact wire form, consistent with operator== (for hash maps of names;
// lowercase them first to match regardless of case).
struct NameHash {
  size_t operator()(const Name& name) const noexcept {
    const std::span<const uint8_t> wire = name.wire();
    return std::hash<std::string_view>()(std::string_view(reinterpret_cast<const char*>(wire.data()), wire.size()));
  }
};

// Reads a possibly compressed name at the reader's position into `out` (uncompressed,
// lowercased if `lowercase`). Pointers must point strictly backwards in the message; the
// result must fit 255 bytes. Returns the wire length, or 0 (and fails the reader) on error.
size_t ReadName(Reader& reader, uint8_t out[Name::kMaxWire], bool lowercase = false);
// The same into a Name.
bool ReadName(Reader& reader, Name* out);

// Appends the presentation form of one label (with \X and \DDD escapes) to `out`.
void AppendLabelText(std::span<const uint8_t> label, std::string* out);

inline uint8_t AsciiLower(uint8_t c) {
  return static_cast<uint8_t>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

}  // namespace tether::dns
