// The registry's in-memory state: instances by service, the change index, leases and health
// counters. Pure bookkeeping — no I/O, no clocks: every time-dependent method takes `now`, so
// tests drive time by hand. Thread-safe (one mutex; every method is a short critical section).
//
// Index semantics (like Consul's X-Consul-Index): the global index grows by one on every change
// of the instance set or of an instance's status; heartbeats do not change it. Each service
// remembers the index of its last change, also after its last instance is gone. A service never
// seen has the base index — the index the state started from — which stays fixed, so a watcher
// that passes back what it was given blocks until that service really changes, and a watcher
// passing 0 is answered at once (the base index is at least 1).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "registry/instance.h"

namespace trellis::registry {

class RegistryState {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  // `base_index` (at least 1) is the index of the empty state.
  explicit RegistryState(std::uint64_t base_index = 1);

  // Every put() gets a new generation: a health checker reports with the generation it was
  // started for, so results for a replaced instance are ignored.
  struct Put {
    std::uint64_t index = 0;
    std::uint64_t generation = 0;
    Instance instance;  // as stored (status passing)
  };
  // Adds or replaces; the lease runs for instance.ttl from `now`.
  Put put(Instance instance, TimePoint now);
  struct Removed {
    InstanceKey key;
    std::uint64_t generation = 0;  // of the removed instance
  };
  struct Removal {
    std::uint64_t index = 0;  // the new index
    std::uint64_t generation = 0;
  };
  // nullopt when unknown.
  std::optional<Removal> remove(std::string_view service, std::string_view id);

  struct Renewal {
    std::uint64_t index = 0;
    std::chrono::milliseconds ttl{0};
  };
  // Renews the lease for one more TTL from `now`; nullopt when unknown.
  std::optional<Renewal> renew(std::string_view service, std::string_view id, TimePoint now);

  // Removes every instance whose lease ended at or before `now` (one index bump for all).
  std::vector<Removed> expire(TimePoint now);

  enum class CheckOutcome { stale, unchanged, became_passing, became_critical };
  struct CheckResult {
    CheckOutcome outcome = CheckOutcome::stale;
    std::uint64_t index = 0;  // the new index when the status changed
  };
  // Counts one active-check result against the instance's thresholds. `stale` when the
  // instance is gone or was replaced since `generation` (its checker should stop).
  CheckResult report_check(std::string_view service, std::string_view id, std::uint64_t generation,
                           bool success);
  bool is_current(std::string_view service, std::string_view id, std::uint64_t generation) const;

  std::optional<Instance> get(std::string_view service, std::string_view id) const;

  struct ServiceView {
    std::uint64_t index = 0;
    std::vector<Instance> instances;  // sorted by id
  };
  ServiceView service(std::string_view name, bool include_critical) const;
  std::uint64_t service_index(std::string_view name) const;

  struct ServiceSummary {
    std::string name;
    std::size_t instances = 0;
    std::size_t passing = 0;
  };
  struct ServiceList {
    std::uint64_t index = 0;
    std::vector<ServiceSummary> services;  // sorted by name; only services with instances
  };
  ServiceList services() const;

  std::uint64_t index() const;
  std::uint64_t base_index() const;
  std::size_t size() const;

  struct Restored {
    InstanceKey key;
    std::uint64_t generation = 0;
    Instance instance;
  };
  // Replaces everything with `instances` (e.g. loaded from the store), each with a full TTL
  // from `now`; `index` becomes both the current and the base index. Does not count as a change.
  std::vector<Restored> restore(std::uint64_t index, std::vector<Instance> instances,
                                TimePoint now);

 private:
  struct Entry {
    Instance instance;
    TimePoint deadline;
    std::uint64_t generation = 0;
    int failures = 0;   // consecutive failed checks
    int successes = 0;  // consecutive successful checks
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;
  struct Service {
    std::uint64_t index = 0;  // of its last change
    StringMap<Entry> instances;
  };

  Entry* find(std::string_view service, std::string_view id);
  const Entry* find(std::string_view service, std::string_view id) const;
  std::uint64_t bump(Service& s);

  mutable std::mutex mutex_;
  std::uint64_t index_;
  std::uint64_t base_index_;
  std::uint64_t next_generation_ = 1;
  StringMap<Service> services_;
};

}  // namespace trellis::registry
