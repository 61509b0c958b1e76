// Writer: builds a DNS message into a caller-owned buffer, with name compression
// (RFC 1035 4.1.4). A write past the limit latches an error (ok() == false); the caller
// rewinds to a Mark taken before the record set that did not fit and sets TC. Not
// thread-safe; one Writer per message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace tether::dns {

class Writer {
 public:
  static constexpr size_t kMaxCompressionEntries = 96;

  // REQUIRES: `buffer` holds at least `limit` bytes and outlives the writer.
  Writer(uint8_t* buffer, size_t limit) : buf_(buffer), limit_(limit) {}

  bool ok() const { return ok_; }
  size_t size() const { return size_; }
  size_t limit() const { return limit_; }
  uint8_t* data() { return buf_; }
  std::span<const uint8_t> view() const { return {buf_, size_}; }

  void U8(uint8_t v) {
    if (Need(1)) buf_[size_++] = v;
  }
  void U16(uint16_t v) {
    if (!Need(2)) return;
    buf_[size_] = static_cast<uint8_t>(v >> 8);
    buf_[size_ + 1] = static_cast<uint8_t>(v);
    size_ += 2;
  }
  void U32(uint32_t v) {
    if (!Need(4)) return;
    buf_[size_] = static_cast<uint8_t>(v >> 24);
    buf_[size_ + 1] = static_cast<uint8_t>(v >> 16);
    buf_[size_ + 2] = static_cast<uint8_t>(v >> 8);
    buf_[size_ + 3] = static_cast<uint8_t>(v);
    size_ += 4;
  }
  void Bytes(std::span<const uint8_t> bytes) {
    if (bytes.empty() || !Need(bytes.size())) return;
    std::memcpy(buf_ + size_, bytes.data(), bytes.size());
    size_ += bytes.size();
  }
  // Overwrites two bytes already written (e.g. a count or RDLENGTH).
  void PatchU16(size_t offset, uint16_t v) {
    if (offset + 2 > size_) return;
    buf_[offset] = static_cast<uint8_t>(v >> 8);
    buf_[offset + 1] = static_cast<uint8_t>(v);
  }

  // A compression pointer to a name already in the message. REQUIRES: offset < 0x4000.
  void NamePointer(size_t offset) { U16(static_cast<uint16_t>(0xC000 | offset)); }

  // Writes an uncompressed wire name. With `compress`, the longest suffix already present
  // in the message is replaced by a pointer. Either way the labels written literally are
  // remembered as targets for later names.
  void Name(std::span<const uint8_t> wire_name, bool compress);

  // Registers a name that is already in the buffer (e.g. the question copied verbatim) as
  // a compression target. REQUIRES: a well-formed uncompressed name at `offset`.
  void RememberName(size_t offset);

  struct Mark {
    size_t size;
    size_t names;
  };
  Mark GetMark() const { return {size_, name_count_}; }
  // Drops everything written after `mark` and clears a latched error.
  void Rewind(Mark mark) {
    size_ = mark.size;
    name_count_ = mark.names;
    ok_ = true;
  }
  // Lowers or raises the limit (never above the buffer the caller provided).
  void set_limit(size_t limit) { limit_ = limit; }

 private:
  bool Need(size_t n) {
    // size_ may exceed a limit lowered by set_limit(): compare without wrapping around.
    if (!ok_ || size_ > limit_ || limit_ - size_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  // Does the name at buffer offset `offset` equal the uncompressed `suffix`?
  bool MatchesAt(size_t offset, const uint8_t* suffix) const;
  void Remember(size_t offset) {
    if (offset < 0x4000 && name_count_ < kMaxCompressionEntries) names_[name_count_++] = static_cast<uint16_t>(offset);
  }

  uint8_t* buf_;
  size_t limit_;
  size_t size_ = 0;
  bool ok_ = true;
  size_t name_count_ = 0;
  uint16_t names_[kMaxCompressionEntries];
};

}  // namespace tether::dns
