// Mutex, MutexLock and Guarded<T>: std::mutex with clang thread-safety annotations, and a
// value that can only be reached while its lock is held (in the manner of PowerDNS's
// LockGuarded<T>). Thread-safe by construction.
#pragma once

#include <condition_variable>
#include <mutex>
#include <utility>

#include "base/thread_annotations.h"

namespace tether {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // BasicLockable, so that std::condition_variable_any can wait on a held Mutex:
  //   MutexLock lock(mu_); while (!ready_) cv_.wait(mu_);
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  std::mutex& native() { return mu_; }

 private:
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// Guarded<T>: Lock() returns a handle that holds the mutex for its lifetime.
template <class T>
class Guarded {
 public:
  Guarded() = default;
  explicit Guarded(T value) : value_(std::move(value)) {}

  class Handle {
   public:
    Handle(std::mutex& mu, T& value) : lock_(mu), value_(value) {}
    T* operator->() { return &value_; }
    T& operator*() { return value_; }
    std::unique_lock<std::mutex>& lock() { return lock_; }

   private:
    std::unique_lock<std::mutex> lock_;
    T& value_;
  };

  Handle Lock() { return Handle(mu_, value_); }

 private:
  std::mutex mu_;
  T value_;
};

}  // namespace tether
