// What discovery knows about one service: an immutable snapshot of its healthy instances.
// Per-instance counters (outstanding requests, ejection) live in shared InstanceStats that
// survive snapshot replacement, so load-balancing state is not reset by every update.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/client.h"

namespace trellis::chassis {

struct InstanceStats {
  std::atomic<int> outstanding{0};
  // steady_clock milliseconds until which the instance is skipped after a connect failure.
  std::atomic<std::int64_t> ejected_until_ms{0};
};

struct Instance {
  std::string id;
  core::Endpoint endpoint;
  std::string version;
  std::string zone;
  int weight = 1;  // metadata "weight", 1..1000
  std::map<std::string, std::string> metadata;
  std::shared_ptr<InstanceStats> stats = std::make_shared<InstanceStats>();
};

struct InstanceSet {
  std::string service;
  std::uint64_t index = 0;
  std::vector<Instance> instances;
};

}  // namespace trellis::chassis
