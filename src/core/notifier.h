// Wakes coroutines on any io thread when something changes: the building block of blocking
// queries (registry watches, later config watches). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
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

  // The number of notify_all() calls so far. Read it before checking a condition, then pass
  // it to wait(): a notification that lands between the check and the wait is not lost.
  std::uint64_t epoch() const;
  // Waits until a notify_all() after `seen_epoch` or `timeout`; true when notified (at once
  // when one already happened). The caller checks its condition again afterwards.
  Task<bool> wait(std::uint64_t seen_epoch, std::chrono::milliseconds timeout);
  // As above, counting only notifications from now on.
  Task<bool> wait(std::chrono::milliseconds timeout);
  void notify_all();
  std::size_t waiting() const;

 private:
  struct Waiter;
  mutable std::mutex mutex_;
  std::uint64_t epoch_ = 0;
  std::list<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace trellis::core
