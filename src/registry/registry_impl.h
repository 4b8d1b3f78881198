// The registry's parts wired together, and the operations the HTTP API calls. Internal.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/notifier.h"
#include "core/runtime.h"
#include "core/task.h"
#include "registry/activity.h"
#include "registry/health_checker.h"
#include "registry/instance.h"
#include "registry/persister.h"
#include "registry/registry.h"
#include "registry/state.h"
#include "registry/watch_hub.h"

namespace trellis::registry {

// The registry is stopping (or not started): changes are refused.
struct RegistryUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Registry::Impl {
  Impl(core::Runtime& rt, RegistryOptions options);

  void start();
  core::Task<void> stop();

  // Every operation below is called with an Activity guard held (see api.cpp). The mutating
  // ones return once the change is stored; they throw RegistryUnavailable, core::PoolBusy, or
  // the store's std::runtime_error — the change then stays in memory and is stored later.
  core::Task<RegistryState::Put> put(Instance instance);
  core::Task<std::optional<std::uint64_t>> remove(std::string service, std::string id);
  // Waits until the index of `service` differs from `seen`, `wait` passes, or stop().
  core::Task<void> wait_for_change(std::string service, std::uint64_t seen,
                                   std::chrono::milliseconds wait);
  bool accepting() const { return started_.load() && !stopping_.load(); }

  RegistrationDefaults registration_defaults() const;

  core::Runtime& runtime_;
  const RegistryOptions options_;
  std::shared_ptr<Activity> activity_;
  RegistryState state_;
  Persister persister_;
  WatchHub watches_;
  HealthCheckers checkers_;
  core::Notifier stop_signal_;  // wakes the sweeper
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  bool stopped_ = false;

 private:
  core::Task<void> sweep_loop(Activity::Guard guard);
  core::Task<void> sweep_once();
  core::Task<bool> on_check_result(const InstanceKey& key, std::uint64_t generation, bool success);
  // Stores the marked keys; failures are logged (the keys stay dirty for the next sweep).
  core::Task<void> flush_logged(std::string_view what);
  void send_stop_signals();
};

}  // namespace trellis::registry
