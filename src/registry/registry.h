// The service registry: instances register with a lease (TTL) that heartbeats renew, may be
// probed by active HTTP health checks, and are found by service name — with Consul-style
// blocking queries on a change index. State is kept in memory and persisted in SQLite.
//
// Lifecycle: construct, start(), mount() on a router, serve; then stop the HTTP server, await
// stop(), and only then destroy the Registry.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/router.h"
#include "core/runtime.h"
#include "core/task.h"

namespace trellis::registry {

struct RegistryOptions {
  // SQLite file <data_dir>/registry.db (the directory is created). Default: empty = in memory.
  std::string data_dir;
  // Lease TTL when a registration names none. Default: 15 s.
  std::chrono::milliseconds default_ttl{15'000};
  // How often expired leases are removed. Default: 1 s.
  std::chrono::milliseconds sweep_interval{1'000};
  // Blocking query wait when `index` is given without `wait`. Default: 5 min (as Consul).
  std::chrono::milliseconds default_wait{300'000};
  // Longest blocking query wait; longer requests are capped. Default: 10 min.
  std::chrono::milliseconds max_wait{600'000};
  // Health check settings a registration's `check` may omit.
  std::chrono::milliseconds default_check_interval{10'000};  // Default: 10 s
  std::chrono::milliseconds default_check_timeout{5'000};    // Default: 5 s
  int default_failures_before_critical = 1;                  // Default: 1 (the first failure flips)
  int default_successes_before_passing = 1;                  // Default: 1
};

class Registry {
 public:
  Registry(core::Runtime& rt, RegistryOptions options);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Opens or creates the store, loads every instance with a full fresh TTL from now, and starts
  // the sweeper and the health checks. Throws std::runtime_error when the store cannot be opened.
  void start();
  // Stops the sweeper and the checks, answers blocking queries, waits for in-flight handlers,
  // flushes and closes the store. Later changes are refused with 503.
  core::Task<void> stop();

  // Adds the /v1/registry/... routes (see api.cpp for the HTTP API).
  void mount(core::Router& router);

  // The current change index.
  std::uint64_t index() const;

  struct Impl;  // internal: registry_impl.h

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace trellis::registry
