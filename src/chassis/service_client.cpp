#include "chassis/service_client.h"

#include <vector>

#include "core/ids.h"

namespace trellis::chassis {

namespace {
std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Keeps an instance's outstanding-request count right on every exit path.
struct Outstanding {
  InstanceStats& stats;
  explicit Outstanding(InstanceStats& s) : stats(s) { stats.outstanding.fetch_add(1); }
  ~Outstanding() { stats.outstanding.fetch_sub(1); }
};
}  // namespace

ServiceClient::ServiceClient(Discovery& discovery, ServiceClientOptions options)
    : discovery_(discovery),
      options_(options),
      http_(options.http),
      balancer_(options.strategy) {}

core::Task<core::HttpResult> ServiceClient::call(std::string_view service, core::Request req,
                                                 CallOptions options) {
  if (!core::valid_name(service))
    co_return core::HttpError{core::ClientError::no_instance,
                              "invalid service name '" + std::string(service) + "'"};
  auto set = discovery_.instances(service);
  if (set->instances.empty()) set = co_await discovery_.ready(service, options_.first_lookup_wait);

  std::vector<std::size_t> tried;
  core::HttpResult last = core::HttpError{core::ClientError::no_instance,
                                          "no healthy instance of '" + std::string(service) + "'"};
  const bool idempotent = core::is_idempotent(req.method);
  for (int attempt = 0; attempt < options.max_attempts; ++attempt) {
    auto pick = balancer_.pick(*set, tried, now_ms());
    if (!pick) break;
    tried.push_back(*pick);
    const Instance& inst = set->instances[*pick];
    core::HttpResult result = core::HttpError{core::ClientError::no_instance, ""};
    {
      Outstanding guard(*inst.stats);
      result = co_await http_.send(inst.endpoint, req, options.timeout);
    }
    if (result.ok()) {
      int s = result->status;
      if ((s == 502 || s == 503) && idempotent && attempt + 1 < options.max_attempts) {
        last = std::move(result);
        continue;
      }
      co_return result;
    }
    const auto& err = result.error();
    if (err.kind == core::ClientError::connect_failed)
      inst.stats->ejected_until_ms.store(now_ms() + options_.ejection.count());
    bool retry = err.not_sent() || (idempotent && err.kind == core::ClientError::connection_lost);
    last = std::move(result);
    if (!retry) break;
  }
  co_return last;
}

core::Task<core::HttpResult> ServiceClient::get(std::string_view service, std::string target) {
  core::Request req;
  req.method = core::Method::get;
  req.target = std::move(target);
  co_return co_await call(service, std::move(req));
}

core::Task<core::HttpResult> ServiceClient::post(std::string_view service, std::string target,
                                                 std::string json_body) {
  core::Request req;
  req.method = core::Method::post;
  req.target = std::move(target);
  req.headers.set("Content-Type", "application/json");
  req.body = std::move(json_body);
  co_return co_await call(service, std::move(req));
}

}  // namespace trellis::chassis
