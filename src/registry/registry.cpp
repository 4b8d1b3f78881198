#include "registry/registry.h"

#include <functional>
#include <set>
#include <stdexcept>

#include "core/log.h"
#include "registry/registry_impl.h"

namespace trellis::registry {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

// Store flushes that may queue for the pool before changes are answered with 503.
constexpr std::size_t kStoreQueueLimit = 1024;
// Connect timeout of health checks (the request part has the check's own timeout).
constexpr milliseconds kMaxCheckConnectTimeout{2'000};

void validate(const RegistryOptions& o) {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("registry options: ") + what);
  };
  require(o.default_ttl >= milliseconds{1'000} && o.default_ttl <= milliseconds{86'400'000},
          "default_ttl must be from 1s to 24h");
  require(o.sweep_interval > milliseconds{0}, "sweep_interval must be positive");
  require(o.default_wait >= milliseconds{0} && o.max_wait >= milliseconds{0},
          "default_wait and max_wait must not be negative");
  require(o.default_check_interval >= milliseconds{1'000} &&
              o.default_check_interval <= milliseconds{3'600'000},
          "default_check_interval must be from 1s to 1h");
  require(o.default_check_timeout > milliseconds{0}, "default_check_timeout must be positive");
  require(o.default_failures_before_critical >= 1 && o.default_failures_before_critical <= 100 &&
              o.default_successes_before_passing >= 1 && o.default_successes_before_passing <= 100,
          "check thresholds must be from 1 to 100");
}

core::ClientOptions check_client_options(const RegistryOptions& o) {
  core::ClientOptions c;
  c.connect_timeout = std::min(o.default_check_timeout, kMaxCheckConnectTimeout);
  c.max_response_bytes = 64 * 1024;  // a health body is small; its content is not read
  c.max_idle_per_host = 2;
  return c;
}

// Loaded instances start their checks spread over one interval, not all at once.
milliseconds stagger(const InstanceKey& key, milliseconds interval) {
  auto h = std::hash<std::string>{}(key.service + "/" + key.id);
  return milliseconds(
      static_cast<milliseconds::rep>(h % static_cast<std::size_t>(interval.count())));
}

}  // namespace

Registry::Impl::Impl(core::Runtime& rt, RegistryOptions options)
    : runtime_(rt),
      options_((validate(options), std::move(options))),
      activity_(Activity::create()),
      persister_(state_, kStoreQueueLimit),
      checkers_(
          rt, check_client_options(options_),
          [this](const InstanceKey& key, std::uint64_t generation, bool success) {
            return on_check_result(key, generation, success);
          },
          activity_) {}

RegistrationDefaults Registry::Impl::registration_defaults() const {
  return RegistrationDefaults{
      options_.default_ttl, options_.default_check_interval, options_.default_check_timeout,
      options_.default_failures_before_critical, options_.default_successes_before_passing};
}

void Registry::Impl::start() {
  if (started_.load() || stopped_) throw std::logic_error("the registry was already started");
  StoredState stored = persister_.open(options_.data_dir);
  // A restart counts as a change: the index continues above anything handed out before.
  auto restored = state_.restore(stored.index + 1, std::move(stored.instances), Clock::now());
  persister_.flush_sync();
  started_.store(true);
  for (const auto& r : restored)
    if (r.instance.check)
      checkers_.start(r.instance, r.generation, stagger(r.key, r.instance.check->interval));
  runtime_.spawn(
      [this, guard = activity_->enter()]() mutable { return sweep_loop(std::move(guard)); }, 0);
  core::log(core::LogLevel::info, "registry started",
            {{"instances", restored.size()},
             {"index", state_.index()},
             {"store", options_.data_dir.empty() ? std::string("memory") : options_.data_dir}});
}

void Registry::Impl::send_stop_signals() {
  stop_signal_.notify_all();
  checkers_.cancel_all();
  watches_.close();
}

core::Task<void> Registry::Impl::stop() {
  if (!started_.load() || stopped_) co_return;
  stopped_ = true;
  stopping_.store(true);
  send_stop_signals();
  co_await activity_->wait_idle([this] { send_stop_signals(); });
  if (persister_.has_dirty()) co_await flush_logged("final flush");
  co_await persister_.close_async();
  core::log(core::LogLevel::info, "registry stopped", {{"index", state_.index()}});
}

core::Task<RegistryState::Put> Registry::Impl::put(Instance instance) {
  if (!accepting()) throw RegistryUnavailable("the registry is not running");
  // Millisecond precision: what the stored and API forms carry.
  instance.registered_at = std::chrono::floor<milliseconds>(std::chrono::system_clock::now());
  RegistryState::Put result = state_.put(std::move(instance), Clock::now());
  const Instance& stored = result.instance;
  InstanceKey key{stored.service, stored.id};
  if (stored.check)
    checkers_.start(stored, result.generation, stored.check->interval);
  else
    checkers_.cancel(key, result.generation);
  persister_.mark(key);
  watches_.notify(key.service);
  co_await persister_.flush();
  co_return result;
}

core::Task<std::optional<std::uint64_t>> Registry::Impl::remove(std::string service,
                                                                std::string id) {
  if (!accepting()) throw RegistryUnavailable("the registry is not running");
  auto removed = state_.remove(service, id);
  if (!removed) co_return std::nullopt;
  InstanceKey key{std::move(service), std::move(id)};
  checkers_.cancel(key, removed->generation);
  persister_.mark(key);
  watches_.notify(key.service);
  co_await persister_.flush();
  co_return removed->index;
}

core::Task<void> Registry::Impl::wait_for_change(std::string service, std::uint64_t seen,
                                                 milliseconds wait) {
  // Returns when the index moved either way: up (a change) or down (the watcher's index is
  // from before a restart that lost state; Consul clients then reset).
  auto changed = [this, &service, seen] {
    return stopping_.load() || state_.service_index(service) != seen;
  };
  co_await watches_.wait(service, changed, Clock::now() + wait);
}

core::Task<void> Registry::Impl::sweep_loop(Activity::Guard guard) {
  (void)guard;  // held until the loop ends
  for (;;) {
    std::uint64_t seen = stop_signal_.epoch();
    if (stopping_.load()) break;
    co_await stop_signal_.wait(seen, options_.sweep_interval);
    if (stopping_.load()) break;
    co_await sweep_once();
  }
}

core::Task<void> Registry::Impl::sweep_once() {
  auto expired = state_.expire(Clock::now());
  std::set<std::string> services;
  for (const auto& e : expired) {
    checkers_.cancel(e.key, e.generation);
    persister_.mark(e.key);
    services.insert(e.key.service);
    core::log(core::LogLevel::info, "lease expired",
              {{"service", e.key.service}, {"id", e.key.id}});
  }
  for (const auto& s : services) watches_.notify(s);
  // Also retries writes that failed earlier (pool busy, store error).
  if (persister_.has_dirty()) co_await flush_logged("sweep");
}

core::Task<bool> Registry::Impl::on_check_result(const InstanceKey& key, std::uint64_t generation,
                                                 bool success) {
  auto result = state_.report_check(key.service, key.id, generation, success);
  using Outcome = RegistryState::CheckOutcome;
  if (result.outcome == Outcome::stale) co_return false;
  if (result.outcome == Outcome::unchanged) co_return true;
  core::log(core::LogLevel::info, "health status changed",
            {{"service", key.service},
             {"id", key.id},
             {"status", result.outcome == Outcome::became_passing ? "passing" : "critical"},
             {"index", result.index}});
  persister_.mark(key);
  watches_.notify(key.service);
  co_await flush_logged("health transition");
  co_return true;
}

core::Task<void> Registry::Impl::flush_logged(std::string_view what) {
  std::string error;
  try {
    co_await persister_.flush();
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty())
    core::log(core::LogLevel::warn, "registry store write failed; will retry",
              {{"during", what}, {"error", error}});
}

// --- the public class -------------------------------------------------------------------

Registry::Registry(core::Runtime& rt, RegistryOptions options)
    : impl_(std::make_unique<Impl>(rt, std::move(options))) {}

Registry::~Registry() {
  if (impl_->started_.load() && !impl_->stopped_)
    core::log(core::LogLevel::error, "registry destroyed without stop()");
}

void Registry::start() { impl_->start(); }

core::Task<void> Registry::stop() { return impl_->stop(); }

std::uint64_t Registry::index() const { return impl_->state_.index(); }

}  // namespace trellis::registry
