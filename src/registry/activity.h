// Counts the registry's coroutines in flight (handlers, sweeper, health checkers) so stop()
// can wait until none of them touches the registry any more.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "core/notifier.h"
#include "core/task.h"

namespace trellis::registry {

class Activity : public std::enable_shared_from_this<Activity> {
 public:
  // Held for as long as a coroutine may touch the registry. Copies count separately. It keeps
  // the counter alive, so a coroutine frame destroyed late (with its io context) is harmless.
  class Guard {
   public:
    explicit Guard(std::shared_ptr<Activity> a);
    Guard(const Guard& other);
    Guard(Guard&& other) noexcept = default;
    Guard& operator=(const Guard&) = delete;
    Guard& operator=(Guard&&) = delete;
    ~Guard();

   private:
    std::shared_ptr<Activity> activity_;
  };

  static std::shared_ptr<Activity> create();
  Guard enter();
  std::size_t active() const { return count_.load(); }

  // Returns once nothing is active. `nudge` runs before every wait: it re-sends the stop
  // signals, so a coroutine that checked them just before they were first sent still sees them.
  core::Task<void> wait_idle(std::function<void()> nudge);

 private:
  Activity() = default;
  void leave();

  std::atomic<std::size_t> count_{0};
  core::Notifier idle_;
};

}  // namespace trellis::registry
