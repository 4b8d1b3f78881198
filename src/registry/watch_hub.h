// Wakes blocking queries when a service changes: one core::Notifier per watched service,
// made when its first watcher arrives and dropped when its last one leaves. No thread is held
// while a query waits.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/notifier.h"
#include "core/task.h"

namespace trellis::registry {

class WatchHub {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Returns once `changed()` is true, `deadline` has passed, or close() was called.
  // `changed` is evaluated before every wait and after every wake-up.
  core::Task<void> wait(std::string service, std::function<bool()> changed, TimePoint deadline);

  // Wakes the watchers of `service` (call after the change is visible in the state).
  void notify(std::string_view service);
  // Wakes every watcher; later waits return at once. Safe to call repeatedly.
  void close();

  std::size_t watchers() const;

 private:
  struct Channel {
    core::Notifier notifier;
    std::size_t users = 0;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using ChannelMap =
      std::unordered_map<std::string, std::shared_ptr<Channel>, StringHash, std::equal_to<>>;

  std::shared_ptr<Channel> join(const std::string& service);
  void leave(const std::string& service);

  mutable std::mutex mutex_;
  ChannelMap channels_;
  std::atomic<bool> closed_{false};
};

}  // namespace trellis::registry
