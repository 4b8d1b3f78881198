#include "chassis/discovery.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>

#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"

namespace trellis::chassis {

using namespace std::chrono_literals;

std::shared_ptr<InstanceSet> parse_instance_set(std::string_view service, std::string_view body) {
  auto root = core::parse_json_object(body);
  auto set = std::make_shared<InstanceSet>();
  set->service = service;
  set->index = static_cast<std::uint64_t>(core::optional_int(root, "index").value_or(0));
  auto it = root.find("instances");
  if (it == root.end() || !it->value().is_array())
    throw core::JsonError("registry answer has no 'instances' array");
  for (const auto& v : it->value().as_array()) {
    if (!v.is_object()) throw core::JsonError("instance entry is not an object");
    const auto& o = v.as_object();
    Instance inst;
    inst.id = core::required_string(o, "id");
    inst.endpoint.host = core::required_string(o, "host");
    auto port = core::required_int(o, "port");
    if (port < 1 || port > 65535) throw core::JsonError("instance port out of range");
    inst.endpoint.port = static_cast<std::uint16_t>(port);
    inst.version = core::optional_string(o, "version").value_or("");
    inst.zone = core::optional_string(o, "zone").value_or("");
    if (const auto* meta = core::optional_object(o, "metadata")) {
      for (const auto& [k, mv] : *meta)
        if (mv.is_string()) inst.metadata[std::string(k)] = std::string(mv.as_string());
    }
    if (auto w = inst.metadata.find("weight"); w != inst.metadata.end()) {
      int weight = std::atoi(w->second.c_str());
      inst.weight = std::clamp(weight, 1, 1000);
    }
    set->instances.push_back(std::move(inst));
  }
  std::sort(set->instances.begin(), set->instances.end(),
            [](const Instance& a, const Instance& b) { return a.id < b.id; });
  return set;
}

Discovery::Discovery(core::Runtime& runtime, DiscoveryOptions options)
    : runtime_(runtime), options_(std::move(options)) {
  core::ClientOptions co;
  co.request_timeout = options_.watch_wait + 10s;
  http_ = core::HttpClient(co);
}

Discovery::~Discovery() { stop(); }

void Discovery::stop() { stopping_ = true; }

Discovery::Entry& Discovery::watched(std::string_view service) {
  if (!core::valid_name(service))
    throw std::invalid_argument("invalid service name '" + std::string(service) + "'");
  Entry* e = nullptr;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(std::string(service));
    if (it != entries_.end()) return *it->second;
    auto fresh = std::make_unique<Entry>();
    auto empty = std::make_shared<InstanceSet>();
    empty->service = service;
    fresh->set = std::move(empty);
    e = entries_.emplace(std::string(service), std::move(fresh)).first->second.get();
  }
  runtime_.spawn([this, s = std::string(service)] { return watch_loop(s); });
  return *e;
}

void Discovery::watch(std::string_view service) { watched(service); }

std::shared_ptr<const InstanceSet> Discovery::instances(std::string_view service) {
  Entry& e = watched(service);
  std::lock_guard lock(mutex_);
  return e.set;
}

core::Task<std::shared_ptr<const InstanceSet>> Discovery::ready(std::string_view service,
                                                                std::chrono::milliseconds timeout) {
  Entry& e = watched(service);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::uint64_t seen = e.loaded_signal.epoch();
    {
      std::lock_guard lock(mutex_);
      if (e.loaded) co_return e.set;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) break;
    co_await e.loaded_signal.wait(seen, left);
  }
  std::lock_guard lock(mutex_);
  co_return e.set;
}

void Discovery::publish(const std::string& service, std::shared_ptr<InstanceSet> next) {
  Entry* e = nullptr;
  {
    std::lock_guard lock(mutex_);
    e = entries_.at(service).get();
    // Keep each surviving instance's counters so balancing state carries over.
    std::unordered_map<std::string_view, const Instance*> previous;
    for (const auto& old : e->set->instances) previous.emplace(old.id, &old);
    for (auto& inst : next->instances) {
      auto it = previous.find(inst.id);
      if (it != previous.end() && it->second->endpoint.port == inst.endpoint.port &&
          it->second->endpoint.host == inst.endpoint.host)
        inst.stats = it->second->stats;
    }
    e->set = std::move(next);
    e->loaded = true;
  }
  e->loaded_signal.notify_all();
}

core::Task<void> Discovery::watch_loop(std::string service) {
  std::uint64_t index = 0;
  auto delay = options_.retry_min;
  const std::string base = options_.registry.base_path + "/v1/registry/services/" + service;
  const std::string wait = std::to_string(options_.watch_wait.count()) + "ms";
  while (!stopping_) {
    std::string target = base + "?index=" + std::to_string(index) + "&wait=" + wait;
    auto result = co_await http_.get(options_.registry.endpoint, target);
    if (stopping_) break;
    bool ok = false;
    if (result.ok() && result->status == 200) {
      try {
        auto set = parse_instance_set(service, result->body);
        // An index that went backwards means the registry lost its state: start over.
        index = set->index < index ? 0 : set->index;
        publish(service, std::move(set));
        ok = true;
      } catch (const std::exception& e) {
        core::log(core::LogLevel::warn, "discovery: bad registry answer",
                  {{"service", service}, {"error", e.what()}});
      }
    } else {
      core::log(core::LogLevel::warn, "discovery: registry unreachable, keeping last known set",
                {{"service", service},
                 {"error", result.ok() ? "status " + std::to_string(result->status)
                                       : result.error().detail}});
    }
    if (ok) {
      delay = options_.retry_min;
      continue;
    }
    co_await core::sleep_for(delay);
    delay = std::min(delay * 2, options_.retry_max);
  }
}

}  // namespace trellis::chassis
