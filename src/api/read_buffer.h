// ReadBuffer: the bytes read from one connection and not parsed yet. The socket reads into
// the free space at the end (Prepare/Commit); the parser consumes from the front. Kept per
// connection, so its storage is reused from request to request; it only grows (doubling)
// when a request's header arrives in many pieces.
//
// Not thread-safe: one connection's loop thread uses it.
#pragma once

#include <cstring>
#include <memory>
#include <span>
#include <string_view>

namespace tether::api {

class ReadBuffer {
 public:
  explicit ReadBuffer(size_t initial_capacity = 2048) : initial_capacity_(initial_capacity) {}

  std::string_view data() const { return {storage_.get() + begin_, end_ - begin_}; }
  size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }

  // Free space of at least `min_space` bytes at the end, moving or growing the storage.
  std::span<char> Prepare(size_t min_space) {
    if (capacity_ - end_ < min_space && begin_ > 0) {
      std::memmove(storage_.get(), storage_.get() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (capacity_ - end_ < min_space) {
      size_t capacity = capacity_ == 0 ? initial_capacity_ : capacity_;
      while (capacity - end_ < min_space) capacity *= 2;
      auto storage = std::make_unique<char[]>(capacity);
      if (end_ > 0) std::memcpy(storage.get(), storage_.get(), end_);
      storage_ = std::move(storage);
      capacity_ = capacity;
    }
    return {storage_.get() + end_, capacity_ - end_};
  }
  // REQUIRES: count <= the size of the last Prepare()'s span.
  void Commit(size_t count) { end_ += count; }
  // REQUIRES: count <= size().
  void Consume(size_t count) {
    begin_ += count;
    if (begin_ == end_) begin_ = end_ = 0;  // cheap reset: the next read starts at the front
  }
  // Replaces the first `count` unconsumed bytes with `bytes`. REQUIRES: count <= size().
  void ReplacePrefix(size_t count, std::string_view bytes) {
    if (count == 0 && bytes.empty()) return;
    const size_t rest = size() - count;
    if (bytes.size() > count) Prepare(bytes.size() - count);
    char* front = storage_.get() + begin_;
    std::memmove(front + bytes.size(), front + count, rest);
    std::memcpy(front, bytes.data(), bytes.size());
    end_ = begin_ + bytes.size() + rest;
  }

 private:
  size_t initial_capacity_;
  std::unique_ptr<char[]> storage_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace tether::api
