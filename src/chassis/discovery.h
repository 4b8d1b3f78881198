// Discovery client: a per-service cache of healthy instances, kept current in the background
// by registry blocking queries. Lookups read the cache only (no registry call on the request
// path); while the registry is unreachable the last known set is kept.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "chassis/instance_set.h"
#include "core/client.h"
#include "core/notifier.h"
#include "core/runtime.h"

namespace trellis::chassis {

struct DiscoveryOptions {
  core::BaseUrl registry;
  // Blocking query wait sent to the registry. Default: 60 s.
  std::chrono::milliseconds watch_wait{60'000};
  // Retry delay after a failed query (doubles up to retry_max). Default: 500 ms .. 5 s.
  std::chrono::milliseconds retry_min{500};
  std::chrono::milliseconds retry_max{5'000};
};

class Discovery {
 public:
  Discovery(core::Runtime& runtime, DiscoveryOptions options);
  ~Discovery();

  // Starts watching `service` (idempotent). Call at start-up for known dependencies.
  // Service names must satisfy core::valid_name (std::invalid_argument otherwise).
  void watch(std::string_view service);
  // The current snapshot; starts a watch on first use. Never null; may be empty.
  std::shared_ptr<const InstanceSet> instances(std::string_view service);
  // As instances(), but waits (up to `timeout`) for the first answer of a new watch.
  core::Task<std::shared_ptr<const InstanceSet>> ready(std::string_view service,
                                                       std::chrono::milliseconds timeout);
  void stop();

 private:
  struct Entry {
    std::shared_ptr<const InstanceSet> set;
    bool loaded = false;
    core::Notifier loaded_signal;
  };
  // The entry of `service`, starting its watch when it is new.
  Entry& watched(std::string_view service);
  core::Task<void> watch_loop(std::string service);
  void publish(const std::string& service, std::shared_ptr<InstanceSet> next);

  core::Runtime& runtime_;
  DiscoveryOptions options_;
  core::HttpClient http_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<Entry>> entries_;
  std::atomic<bool> stopping_{false};
};

// Parses a registry listing body into an InstanceSet; throws core::JsonError.
std::shared_ptr<InstanceSet> parse_instance_set(std::string_view service, std::string_view body);

}  // namespace trellis::chassis
