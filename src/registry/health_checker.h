// Active HTTP health checks: one coroutine per checked instance, spread over the runtime's io
// contexts. Each sends GET http://host:port<path> every interval (2xx = success) and reports
// the result; the registry applies the thresholds (RegistryState::report_check).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/client.h"
#include "core/notifier.h"
#include "core/runtime.h"
#include "core/task.h"
#include "registry/activity.h"
#include "registry/instance.h"

namespace trellis::registry {

class HealthCheckers {
 public:
  // Receives every result; returns false when the instance is gone or replaced (the checker
  // then stops).
  using Report = std::function<core::Task<bool>(const InstanceKey& key, std::uint64_t generation,
                                                bool success)>;

  HealthCheckers(core::Runtime& runtime, core::ClientOptions client_options, Report report,
                 std::shared_ptr<Activity> activity);

  // Starts checking `instance` (which has a check) as `generation`, first after `first_delay`.
  // Replaces the checker of an older generation of the same key; ignored when a newer one runs.
  void start(const Instance& instance, std::uint64_t generation,
             std::chrono::milliseconds first_delay);
  // Stops the checker of `key` if its generation is `generation` or older.
  void cancel(const InstanceKey& key, std::uint64_t generation);
  // Stops every checker and refuses new ones. Safe to call repeatedly.
  void cancel_all();

  std::size_t running() const;

 private:
  struct Checker {
    std::uint64_t generation = 0;
    std::atomic<bool> cancelled{false};
    core::Notifier wake;  // cancel() wakes the checker out of its sleep
  };

  core::Task<void> run(std::shared_ptr<Checker> checker, InstanceKey key, core::Endpoint to,
                       HealthCheck check, std::chrono::milliseconds delay, Activity::Guard guard);
  core::Task<bool> probe(const core::Endpoint& to, const HealthCheck& check) const;
  void forget(const std::string& key, const std::shared_ptr<Checker>& checker);
  static void stop(Checker& checker);

  core::Runtime& runtime_;
  core::HttpClient client_;
  Report report_;
  std::shared_ptr<Activity> activity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<Checker>> checkers_;  // by "service/id"
  std::atomic<unsigned> next_context_{0};
  bool closed_ = false;  // guarded by mutex_
};

}  // namespace trellis::registry
