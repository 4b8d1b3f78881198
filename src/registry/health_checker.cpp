#include "registry/health_checker.h"

#include <vector>

#include "core/log.h"

namespace trellis::registry {

namespace {
// Instance names cannot contain '/', so this key is unambiguous.
std::string key_string(const InstanceKey& key) { return key.service + "/" + key.id; }
}  // namespace

HealthCheckers::HealthCheckers(core::Runtime& runtime, core::ClientOptions client_options,
                               Report report, std::shared_ptr<Activity> activity)
    : runtime_(runtime),
      client_(client_options),
      report_(std::move(report)),
      activity_(std::move(activity)) {}

void HealthCheckers::start(const Instance& instance, std::uint64_t generation,
                           std::chrono::milliseconds first_delay) {
  if (!instance.check) return;
  auto checker = std::make_shared<Checker>();
  checker->generation = generation;
  InstanceKey key{instance.service, instance.id};
  std::shared_ptr<Checker> replaced;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    auto& slot = checkers_[key_string(key)];
    // Two registrations of one key may race: the newest generation wins.
    if (slot && slot->generation > generation) return;
    replaced = std::exchange(slot, checker);
  }
  if (replaced) stop(*replaced);
  int context =
      static_cast<int>(next_context_.fetch_add(1) % static_cast<unsigned>(runtime_.size()));
  runtime_.spawn(
      [this, checker, key, to = core::Endpoint{instance.host, instance.port},
       check = *instance.check, first_delay, guard = activity_->enter()]() mutable {
        return run(checker, key, to, check, first_delay, std::move(guard));
      },
      context);
}

void HealthCheckers::cancel(const InstanceKey& key, std::uint64_t generation) {
  std::shared_ptr<Checker> cancelled;
  {
    std::lock_guard lock(mutex_);
    auto it = checkers_.find(key_string(key));
    if (it == checkers_.end() || it->second->generation > generation) return;
    cancelled = std::move(it->second);
    checkers_.erase(it);
  }
  stop(*cancelled);
}

void HealthCheckers::cancel_all() {
  std::unordered_map<std::string, std::shared_ptr<Checker>> all;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    all.swap(checkers_);
  }
  for (auto& [key, checker] : all) stop(*checker);
}

std::size_t HealthCheckers::running() const {
  std::lock_guard lock(mutex_);
  return checkers_.size();
}

void HealthCheckers::stop(Checker& checker) {
  checker.cancelled.store(true);
  checker.wake.notify_all();
}

void HealthCheckers::forget(const std::string& key, const std::shared_ptr<Checker>& checker) {
  std::lock_guard lock(mutex_);
  auto it = checkers_.find(key);
  if (it != checkers_.end() && it->second == checker) checkers_.erase(it);
}

core::Task<void> HealthCheckers::run(std::shared_ptr<Checker> checker, InstanceKey key,
                                     core::Endpoint to, HealthCheck check,
                                     std::chrono::milliseconds delay, Activity::Guard guard) {
  (void)guard;  // held until the checker ends
  for (;;) {
    // Read the epoch before the flag: a cancel() in between still ends the wait at once.
    std::uint64_t seen = checker->wake.epoch();
    if (checker->cancelled.load()) break;
    co_await checker->wake.wait(seen, delay);
    if (checker->cancelled.load()) break;
    bool success = co_await probe(to, check);
    if (checker->cancelled.load()) break;
    if (!co_await report_(key, checker->generation, success)) break;
    delay = check.interval;
  }
  forget(key_string(key), checker);
}

core::Task<bool> HealthCheckers::probe(const core::Endpoint& to, const HealthCheck& check) const {
  core::Request req;
  req.method = core::Method::get;
  req.target = check.path;
  req.headers.set("User-Agent", "trellis-registry");
  try {
    core::HttpResult result = co_await client_.send(to, std::move(req), check.timeout);
    co_return result.ok() && result->status >= 200 && result->status < 300;
  } catch (const std::exception& e) {
    core::log(core::LogLevel::warn, "health check failed to run", {{"error", e.what()}});
    co_return false;
  }
}

}  // namespace trellis::registry
