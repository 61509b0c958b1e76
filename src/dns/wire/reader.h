// Reader: a bounds-checked cursor over bytes received from outside (a packet, a file, a
// database blob). The first failed read latches an error: every later read returns zero or
// an empty span and ok() stays false, so a parser may read a whole structure and check
// once. Never trusts a length: every count is capped by the bytes remaining.
//
// A Reader is a view: the bytes must outlive it. It also remembers the start of the whole
// message, so that compressed names inside a sub-reader (RDATA) can be followed. Not
// thread-safe; cheap to copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tether::dns {

class Reader {
 public:
  Reader() = default;
  explicit Reader(std::span<const uint8_t> message)
      : message_(message.data()), pos_(message.data()), end_(message.data() + message.size()) {}

  bool ok() const { return ok_; }
  // Marks the reader failed (for a semantic error found by the caller).
  void Fail() {
    ok_ = false;
    pos_ = end_;
  }

  size_t offset() const { return static_cast<size_t>(pos_ - message_); }
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  bool empty() const { return pos_ == end_; }
  const uint8_t* position() const { return pos_; }
  // The whole message this reader (or its parent) was created over, up to this reader's end.
  std::span<const uint8_t> message() const {
    return {message_, static_cast<size_t>(end_ - message_)};
  }
  const uint8_t* message_begin() const { return message_; }

  uint8_t U8() {
    if (!Need(1)) return 0;
    return *pos_++;
  }
  uint16_t U16() {
    if (!Need(2)) return 0;
    auto value = static_cast<uint16_t>((pos_[0] << 8) | pos_[1]);
    pos_ += 2;
    return value;
  }
  uint32_t U32() {
    if (!Need(4)) return 0;
    uint32_t value = (static_cast<uint32_t>(pos_[0]) << 24) | (static_cast<uint32_t>(pos_[1]) << 16) |
                     (static_cast<uint32_t>(pos_[2]) << 8) | pos_[3];
    pos_ += 4;
    return value;
  }
  std::span<const uint8_t> Bytes(size_t n) {
    if (!Need(n)) return {};
    std::span<const uint8_t> out(pos_, n);
    pos_ += n;
    return out;
  }
  std::span<const uint8_t> Rest() { return Bytes(remaining()); }
  void Skip(size_t n) {
    if (Need(n)) pos_ += n;
  }

  // A reader over the next n bytes (e.g. RDATA limited to RDLENGTH); this reader moves
  // past them. If fewer than n bytes remain, both readers are failed.
  Reader Sub(size_t n) {
    Reader sub;
    sub.message_ = message_;
    if (!Need(n)) {
      sub.ok_ = false;
      return sub;
    }
    sub.pos_ = pos_;
    sub.end_ = pos_ + n;
    pos_ += n;
    return sub;
  }

 private:
  bool Need(size_t n) {
    if (!ok_ || static_cast<size_t>(end_ - pos_) < n) {
      Fail();
      return false;
    }
    return true;
  }

  const uint8_t* message_ = nullptr;
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  bool ok_ = true;
};

}  // namespace tether::dns
