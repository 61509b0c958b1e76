#include "dns/wire/writer.h"

#include "dns/name.h"

namespace tether::dns {

bool Writer::MatchesAt(size_t offset, const uint8_t* suffix) const {
  size_t pos = offset;
  const uint8_t* s = suffix;
  // Bounded: every pointer in our own output points backwards.
  for (int guard = 0; guard < 256; ++guard) {
    uint8_t len = buf_[pos];
    if ((len & 0xC0) == 0xC0) {
      pos = (static_cast<size_t>(len & 0x3F) << 8) | buf_[pos + 1];
      continue;
    }
    if (len != *s) return false;
    if (len == 0) return true;
    for (size_t i = 1; i <= len; ++i) {
      if (AsciiLower(buf_[pos + i]) != AsciiLower(s[i])) return false;
    }
    pos += 1 + len;
    s += 1 + len;
  }
  return false;
}

void Writer::Name(std::span<const uint8_t> wire_name, bool compress) {
  const uint8_t* name = wire_name.data();
  // The labels become compression targets only once the whole name is written: until then
  // the bytes after them are unwritten (or stale after a Rewind), and matching against them
  // could point the name into itself.
  size_t literal[128];  // a name has at most 127 labels
  size_t literal_count = 0;
  size_t pos = 0;
  bool pointer = false;
  while (name[pos] != 0 && !pointer) {
    if (compress) {
      for (size_t i = 0; i < name_count_; ++i) {
        if (MatchesAt(names_[i], name + pos)) {
          NamePointer(names_[i]);
          pointer = true;
          break;
        }
      }
      if (pointer) break;
    }
    uint8_t len = name[pos];
    literal[literal_count++] = size_;
    Bytes({name + pos, static_cast<size_t>(len) + 1});
    if (!ok_) return;
    pos += 1 + len;
  }
  if (!pointer) U8(0);
  if (!ok_) return;
  for (size_t i = 0; i < literal_count; ++i) Remember(literal[i]);
}

void Writer::RememberName(size_t offset) {
  size_t pos = offset;
  while (pos < size_ && buf_[pos] != 0 && (buf_[pos] & 0xC0) == 0) {
    Remember(pos);
    pos += 1 + buf_[pos];
  }
}

}  // namespace tether::dns
