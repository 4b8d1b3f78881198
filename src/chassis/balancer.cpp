#include "chassis/balancer.h"

#include <algorithm>
#include <vector>

namespace trellis::chassis {

std::optional<Strategy> strategy_from_string(std::string_view s) {
  if (s == "round_robin" || s == "round-robin") return Strategy::round_robin;
  if (s == "weighted") return Strategy::weighted;
  if (s == "p2c" || s == "least_request") return Strategy::p2c;
  return std::nullopt;
}

Balancer::Balancer(Strategy s, std::uint64_t seed) : strategy_(s), rng_state_(seed | 1) {}

std::uint64_t Balancer::next_random() {
  // splitmix64 over an atomic counter: lock-free and safe from any io thread.
  std::uint64_t z = rng_state_.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::optional<std::size_t> Balancer::pick(const InstanceSet& set,
                                          std::span<const std::size_t> exclude,
                                          std::int64_t now_ms) {
  const auto& all = set.instances;
  // Candidates: not yet tried, and not ejected — unless every untried one is ejected
  // (then try them anyway rather than fail: the ejection may be stale).
  std::vector<std::size_t> candidates;
  candidates.reserve(all.size());
  for (bool allow_ejected : {false, true}) {
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (std::find(exclude.begin(), exclude.end(), i) != exclude.end()) continue;
      bool ejected = all[i].stats->ejected_until_ms.load(std::memory_order_relaxed) > now_ms;
      if (ejected && !allow_ejected) continue;
      candidates.push_back(i);
    }
    if (!candidates.empty()) break;
  }
  if (candidates.empty()) return std::nullopt;
  if (candidates.size() == 1) return candidates[0];

  switch (strategy_) {
    case Strategy::round_robin: {
      auto n = counter_.fetch_add(1, std::memory_order_relaxed);
      return candidates[n % candidates.size()];
    }
    case Strategy::weighted: {
      std::uint64_t total = 0;
      for (auto i : candidates) total += static_cast<std::uint64_t>(all[i].weight);
      std::uint64_t r = next_random() % total;
      for (auto i : candidates) {
        auto w = static_cast<std::uint64_t>(all[i].weight);
        if (r < w) return i;
        r -= w;
      }
      return candidates.back();
    }
    case Strategy::p2c: {
      std::size_t a = next_random() % candidates.size();
      std::size_t b = next_random() % (candidates.size() - 1);
      if (b >= a) ++b;  // two distinct candidates
      auto ia = candidates[a], ib = candidates[b];
      int la = all[ia].stats->outstanding.load(std::memory_order_relaxed);
      int lb = all[ib].stats->outstanding.load(std::memory_order_relaxed);
      return lb < la ? ib : ia;
    }
  }
  return candidates[0];
}

}  // namespace trellis::chassis
