#include "dns/name.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace tether::dns {

Result<Name> Name::FromText(std::string_view text, const Name& origin) {
  if (text.empty()) return InvalidArgument("empty name");
  if (text == "@") return origin;
  if (text == ".") return Name();

  // One pass into a buffer on the stack (a name has at most kMaxWire bytes), copied into
  // the name once: each label's bytes follow its length byte, which is set when the label
  // ends. A label or name that outgrows its limit is refused as soon as it does.
  char wire[kMaxWire];
  size_t size = 1;       // bytes written, the open label's length byte included
  size_t length_at = 0;  // the open label's length byte
  auto too_long = [&] { return InvalidArgument("name longer than 255 bytes: '{}'", text); };
  auto finish_label = [&]() -> Status {
    const size_t label = size - length_at - 1;
    if (label == 0) return InvalidArgument("empty label in name '{}'", text);
    wire[length_at] = static_cast<char>(label);
    return Ok();
  };
  bool absolute = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      RETURN_IF_ERROR(finish_label());
      if (i + 1 == text.size()) {
        absolute = true;
        break;
      }
      if (size == kMaxWire) return too_long();
      length_at = size++;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return InvalidArgument("dangling escape in name '{}'", text);
      if (std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
        if (i + 3 >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 2])) ||
            !std::isdigit(static_cast<unsigned char>(text[i + 3]))) {
          return InvalidArgument("bad \\DDD escape in name '{}'", text);
        }
        int value = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (value > 255) return InvalidArgument("\\DDD escape above 255 in name '{}'", text);
        c = static_cast<char>(value);
        i += 3;
      } else {
        c = text[i + 1];
        i += 1;
      }
    }
    if (size - length_at - 1 == kMaxLabel) {
      return InvalidArgument("label longer than 63 bytes in '{}'", text);
    }
    if (size == kMaxWire) return too_long();
    wire[size++] = c;
  }
  Name name;
  if (absolute) {
    if (size == kMaxWire) return too_long();
    wire[size++] = '\0';  // the root label
    name.wire_.assign(wire, size);
    return name;
  }
  RETURN_IF_ERROR(finish_label());
  // The origin brings its own labels and root.
  if (size + origin.size() > kMaxWire) return too_long();
  name.wire_.reserve(size + origin.size());
  name.wire_.assign(wire, size);
  name.wire_.append(reinterpret_cast<const char*>(origin.wire().data()), origin.size());
  return name;
}

Result<Name> Name::FromWire(std::span<const uint8_t> wire) {
  if (wire.empty() || wire.size() > kMaxWire) return InvalidArgument("bad name length");
  size_t pos = 0;
  while (true) {
    uint8_t len = wire[pos];
    if (len == 0) {
      if (pos + 1 != wire.size()) return InvalidArgument("trailing bytes after name");
      break;
    }
    if (len > kMaxLabel) return InvalidArgument("bad label length");
    pos += 1 + len;
    if (pos >= wire.size()) return InvalidArgument("truncated name");
  }
  return FromValidWire(wire);
}

Name Name::FromValidWire(std::span<const uint8_t> wire) {
  Name name;
  name.wire_.assign(reinterpret_cast<const char*>(wire.data()), wire.size());
  return name;
}

void AppendLabelText(std::span<const uint8_t> label, std::string* out) {
  for (uint8_t c : label) {
    switch (c) {
      case '.':
      case '\\':
      case '"':
      case '(':
      case ')':
      case ';':
      case '@':
      case '$':
        out->push_back('\\');
        out->push_back(static_cast<char>(c));
        break;
      default:
        if (c <= 0x20 || c >= 0x7f) {
          char buf[5];
          std::snprintf(buf, sizeof(buf), "\\%03u", static_cast<unsigned>(c));
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
}

std::string Name::ToText() const {
  if (IsRoot()) return ".";
  std::string out;
  out.reserve(wire_.size() + 4);
  auto bytes = wire();
  size_t pos = 0;
  while (bytes[pos] != 0) {
    uint8_t len = bytes[pos];
    AppendLabelText(bytes.subspan(pos + 1, len), &out);
    out.push_back('.');
    pos += 1 + len;
  }
  return out;
}

int Name::LabelCount() const {
  int count = 0;
  size_t pos = 0;
  while (static_cast<uint8_t>(wire_[pos]) != 0) {
    pos += 1 + static_cast<uint8_t>(wire_[pos]);
    ++count;
  }
  return count;
}

namespace {

// AsciiLower on eight bytes at once: every byte in 'A'..'Z' gets 0x20 added, no other
// changes. For each byte b, bit 7 of (b & 0x7f) + (0x80 - 'A') says b & 0x7f >= 'A', and
// of (b & 0x7f) + (0x7f - 'Z') that it is > 'Z' (neither sum carries into the next byte);
// bytes with bit 7 set are not ASCII letters.
uint64_t LowerEight(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHigh = 0x8080808080808080;
  const uint64_t low7 = word & ~kHigh;
  const uint64_t at_least_a = low7 + uint64_t{0x80 - 'A'} * kOnes;
  const uint64_t above_z = low7 + uint64_t{0x7f - 'Z'} * kOnes;
  const uint64_t upper = (at_least_a ^ above_z) & ~word & kHigh;
  return word | (upper >> 2);
}

// AsciiLower of `size` bytes from `from` to `to` (which may be `from`), eight at a time.
void LowerBytes(const char* from, char* to, size_t size) {
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, from + i, 8);
    word = LowerEight(word);
    std::memcpy(to + i, &word, 8);
  }
  for (; i < size; ++i) to[i] = static_cast<char>(AsciiLower(static_cast<uint8_t>(from[i])));
}

}  // namespace

std::string_view Name::LowercaseKey(char* buffer) const {
  // Length bytes are at most 63, below 'A': lowering every byte leaves them as they are.
  // Names are looked up by this key on every update and query.
  LowerBytes(wire_.data(), buffer, wire_.size());
  return {buffer, wire_.size()};
}

void Name::Lowercase() {
  // Every byte, as LowercaseKey: length bytes are below 'A'.
  LowerBytes(wire_.data(), wire_.data(), wire_.size());
}

bool Name::EqualsIgnoreCase(const Name& other) const {
  if (wire_.size() != other.wire_.size()) return false;
  // Length bytes are < 64 and unaffected by lowercasing, so a bytewise compare works.
  for (size_t i = 0; i < wire_.size(); ++i) {
    if (AsciiLower(static_cast<uint8_t>(wire_[i])) != AsciiLower(static_cast<uint8_t>(other.wire_[i]))) {
      return false;
    }
  }
  return true;
}

bool Name::IsSubdomainOf(const Name& ancestor) const {
  if (ancestor.size() > size()) return false;
  size_t pos = 0;
  size_t offset = size() - ancestor.size();
  // Walk labels until we reach the candidate offset; it must be a label boundary.
  while (pos < offset) pos += 1 + static_cast<uint8_t>(wire_[pos]);
  if (pos != offset) return false;
  // Names are usually stored lowercase: the exact compare settles most.
  if (std::memcmp(wire_.data() + offset, ancestor.wire_.data(), ancestor.size()) == 0) return true;
  for (size_t i = 0; i < ancestor.size(); ++i) {
    if (AsciiLower(static_cast<uint8_t>(wire_[offset + i])) !=
        AsciiLower(static_cast<uint8_t>(ancestor.wire_[i]))) {
      return false;
    }
  }
  return true;
}

Name Name::Parent() const { return StripLabels(1); }

Name Name::StripLabels(int n) const {
  size_t pos = 0;
  for (int i = 0; i < n && static_cast<uint8_t>(wire_[pos]) != 0; ++i) {
    pos += 1 + static_cast<uint8_t>(wire_[pos]);
  }
  Name out;
  out.wire_ = wire_.substr(pos);
  return out;
}

std::string_view Name::FirstLabel() const {
  auto len = static_cast<uint8_t>(wire_[0]);
  return std::string_view(wire_).substr(1, len);
}

Result<Name> Name::Prepend(std::string_view label) const {
  if (label.empty() || label.size() > kMaxLabel) return InvalidArgument("bad label length");
  if (size() + 1 + label.size() > kMaxWire) return InvalidArgument("name too long");
  Name out;
  out.wire_.clear();
  out.wire_.push_back(static_cast<char>(label.size()));
  out.wire_ += label;
  out.wire_ += wire_;
  return out;
}

int Name::CanonicalCompare(const Name& other) const {
  // Collect label offsets, then compare from the rightmost label.
  size_t a_offsets[128];
  size_t b_offsets[128];
  int a_count = 0;
  int b_count = 0;
  for (size_t pos = 0; static_cast<uint8_t>(wire_[pos]) != 0; pos += 1 + static_cast<uint8_t>(wire_[pos])) {
    a_offsets[a_count++] = pos;
  }
  for (size_t pos = 0; static_cast<uint8_t>(other.wire_[pos]) != 0;
       pos += 1 + static_cast<uint8_t>(other.wire_[pos])) {
    b_offsets[b_count++] = pos;
  }
  while (a_count > 0 && b_count > 0) {
    size_t ap = a_offsets[--a_count];
    size_t bp = b_offsets[--b_count];
    auto alen = static_cast<uint8_t>(wire_[ap]);
    auto blen = static_cast<uint8_t>(other.wire_[bp]);
    size_t common = std::min(alen, blen);
    for (size_t i = 1; i <= common; ++i) {
      uint8_t ac = AsciiLower(static_cast<uint8_t>(wire_[ap + i]));
      uint8_t bc = AsciiLower(static_cast<uint8_t>(other.wire_[bp + i]));
      if (ac != bc) return ac < bc ? -1 : 1;
    }
    if (alen != blen) return alen < blen ? -1 : 1;
  }
  if (a_count == b_count) return 0;
  return a_count < b_count ? -1 : 1;
}

size_t ReadName(Reader& reader, uint8_t out[Name::kMaxWire], bool lowercase) {
  const uint8_t* msg = reader.message_begin();
  size_t msg_size = reader.message().size();
  size_t pos = reader.offset();
  size_t out_len = 0;
  bool jumped = false;
  size_t resume = 0;  // reader offset after the name, once the first pointer is seen
  // A name has at most 127 labels, so it never needs more than 128 jumps; a longer chain of
  // pointers is only a way to make every name that enters it cost O(message size).
  constexpr int kMaxJumps = 128;
  int jumps = 0;
  while (true) {
    if (pos >= msg_size) {
      reader.Fail();
      return 0;
    }
    uint8_t len = msg[pos];
    if ((len & 0xC0) == 0xC0) {
      if (pos + 1 >= msg_size) {
        reader.Fail();
        return 0;
      }
      size_t target = (static_cast<size_t>(len & 0x3F) << 8) | msg[pos + 1];
      // Only strictly backwards: this both forbids loops and forward references.
      // Pointers into the 12-byte header are refused as Knot does: TSIG covers the original
      // ID, not the one on the wire, so a name built from header bytes could be altered.
      if (target >= pos || target < 12 || ++jumps > kMaxJumps) {
        reader.Fail();
        return 0;
      }
      if (!jumped) {
        resume = pos + 2;
        jumped = true;
      }
      pos = target;
      continue;
    }
    if ((len & 0xC0) != 0) {  // 0x40 and 0x80: obsolete/undefined label types
      reader.Fail();
      return 0;
    }
    if (out_len + 1 + len > Name::kMaxWire || pos + 1 + len > msg_size) {
      reader.Fail();
      return 0;
    }
    out[out_len++] = len;
    if (len == 0) break;
    if (lowercase) {
      for (size_t i = 0; i < len; ++i) out[out_len + i] = AsciiLower(msg[pos + 1 + i]);
    } else {
      std::memcpy(out + out_len, msg + pos + 1, len);
    }
    out_len += len;
    pos += 1 + len;
  }
  size_t end = jumped ? resume : pos + 1;
  reader.Skip(end - reader.offset());
  if (!reader.ok()) return 0;
  return out_len;
}

bool ReadName(Reader& reader, Name* out) {
  uint8_t buf[Name::kMaxWire];
  size_t len = ReadName(reader, buf);
  if (len == 0) return false;
  *out = Name::FromValidWire({buf, len});
  return true;
}

}  // namespace tether::dns
