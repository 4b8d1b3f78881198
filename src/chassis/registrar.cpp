#include "chassis/registrar.h"

#include <boost/json/object.hpp>

#include "core/json.h"
#include "core/log.h"
#include "core/runtime.h"

namespace trellis::chassis {

using namespace std::chrono_literals;
using core::LogLevel;

std::string registration_body(const Registration& r) {
  boost::json::object o;
  o["host"] = r.host;
  o["port"] = r.port;
  o["version"] = r.version;
  o["zone"] = r.zone;
  boost::json::object meta;
  for (const auto& [k, v] : r.metadata) meta[k] = v;
  o["metadata"] = std::move(meta);
  o["ttl"] = core::format_duration(r.ttl);
  if (!r.check_path.empty()) {
    boost::json::object check;
    check["path"] = r.check_path;
    check["interval"] = core::format_duration(r.check_interval);
    o["check"] = std::move(check);
  }
  return core::to_json(o);
}

namespace {
core::ClientOptions short_timeouts() {
  core::ClientOptions o;
  o.connect_timeout = 1s;
  o.request_timeout = 3s;
  return o;
}
}  // namespace

RegistrationLoop::RegistrationLoop(Registration r) : r_(std::move(r)), http_(short_timeouts()) {}

core::Task<bool> RegistrationLoop::register_once() {
  auto result = co_await http_.put_json(
      r_.registry.endpoint,
      r_.registry.base_path + "/v1/registry/instances/" + r_.service + "/" + r_.id,
      registration_body(r_));
  if (result.ok() && result->status == 200) {
    core::log(LogLevel::info, "registered",
              {{"service", r_.service}, {"id", r_.id}, {"port", r_.port}});
    co_return true;
  }
  core::log(LogLevel::warn, "registration failed",
            {{"service", r_.service},
             {"error", result.ok() ? std::to_string(result->status) + " " + result->body
                                   : result.error().detail}});
  co_return false;
}

core::Task<void> RegistrationLoop::run() {
  const std::string beat = r_.registry.base_path + "/v1/registry/instances/" + r_.service + "/" +
                           r_.id + "/heartbeat";
  while (!stopping_) {
    if (!registered_) {
      registered_ = co_await register_once();
      if (!registered_) {
        co_await core::sleep_for(1s);
        continue;
      }
    }
    co_await core::sleep_for(r_.heartbeat);
    if (stopping_) break;
    core::Request req;
    req.method = core::Method::put;
    req.target = beat;
    auto result = co_await http_.send(r_.registry.endpoint, std::move(req));
    if (result.ok() && result->status == 404) {
      core::log(LogLevel::warn, "registry forgot this instance; registering again",
                {{"id", r_.id}});
      registered_ = false;
    } else if (!result.ok()) {
      // Keep the registration: a restarted registry gives every instance a full TTL.
      core::log(LogLevel::warn, "heartbeat failed", {{"error", result.error().detail}});
    }
  }
}

core::Task<bool> RegistrationLoop::deregister() {
  stopping_ = true;
  core::Request req;
  req.method = core::Method::delete_;
  req.target = r_.registry.base_path + "/v1/registry/instances/" + r_.service + "/" + r_.id;
  auto result = co_await http_.send(r_.registry.endpoint, std::move(req), 2s);
  registered_ = false;
  co_return result.ok() && (result->status == 200 || result->status == 404);
}

}  // namespace trellis::chassis
