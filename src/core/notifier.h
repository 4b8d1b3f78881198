// Wakes coroutines on any io thread when something changes: the building block of blocking
// queries (registry watches, later config watches). Thread-safe.
#pragma once

#include <chrono>
#include <list>
#include <memory>
#include <mutex>

#include "core/task.h"

namespace trellis::core {

class Notifier {
 public:
  Notifier();
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Waits until notify_all() or `timeout`; true when notified. The caller must check its
  // condition before waiting and again after: a notification is not a value.
  Task<bool> wait(std::chrono::milliseconds timeout);
  void notify_all();
  std::size_t waiting() const;

 private:
  struct Waiter;
  mutable std::mutex mutex_;
  std::list<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace trellis::core
