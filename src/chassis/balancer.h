// Client-side load balancing over an InstanceSet.
//  - round_robin: each instance in turn.
//  - weighted: random, proportional to metadata "weight".
//  - p2c (default): power of two choices — two random instances, the one with fewer
//    outstanding requests wins; spreads load well without global coordination.
// Instances ejected after a connect failure are skipped while others remain.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string_view>

#include "chassis/instance_set.h"

namespace trellis::chassis {

enum class Strategy { round_robin, weighted, p2c };

std::optional<Strategy> strategy_from_string(std::string_view s);

class Balancer {
 public:
  explicit Balancer(Strategy s = Strategy::p2c, std::uint64_t seed = std::random_device{}());

  // Index into set.instances, skipping `exclude` (indices already tried); nullopt when none.
  std::optional<std::size_t> pick(const InstanceSet& set, std::span<const std::size_t> exclude,
                                  std::int64_t now_ms);
  Strategy strategy() const { return strategy_; }

 private:
  Strategy strategy_;
  std::atomic<std::uint64_t> counter_{0};
  std::atomic<std::uint64_t> rng_state_;
  std::uint64_t next_random();
};

}  // namespace trellis::chassis
