// Active health checks against a real HTTP endpoint on loopback.
#include <gtest/gtest.h>

#include <atomic>

#include "core/server.h"
#include "registry_fixture.h"

namespace trellis::registry {
namespace {

using core::Method;
using testing::index_header;
using testing::json_body;
using testing::RegistryHarness;

// A service's /health endpoint whose answer the test sets.
class HealthEndpoint {
 public:
  explicit HealthEndpoint(core::Runtime& rt) : runtime_(rt) {
    router_.get("/health", [this](core::Request&) -> core::Task<core::Response> {
      co_return core::Response::text(status_.load(), "ok?");
    });
    server_ = std::make_unique<core::HttpServer>(rt, router_);
    server_->start();
  }
  ~HealthEndpoint() { stop(); }
  void stop() {
    if (!server_) return;
    testing::run_on<void>(runtime_, [this] { return server_->stop(); });
    server_.reset();
  }
  void answer(int status) { status_.store(status); }
  std::uint16_t port() const { return server_->port(); }

 private:
  core::Runtime& runtime_;
  std::atomic<int> status_{200};
  core::Router router_;
  std::unique_ptr<core::HttpServer> server_;
};

std::string registration(std::uint16_t port) {
  return R"({"host":"127.0.0.1","port":)" + std::to_string(port) +
         R"(,"ttl":"1h","check":{"path":"/health","interval":"1s","timeout":"1s"}})";
}

// Waits (blocking query) until the kitchen service changes after `seen`; returns the body.
boost::json::object next_change(RegistryHarness& h, std::uint64_t seen) {
  auto r = h.call(Method::get,
                  "/v1/registry/services/kitchen?all=true&wait=60s&index=" + std::to_string(seen));
  EXPECT_EQ(r.status, 200);
  EXPECT_GT(index_header(r), seen) << "no change within the wait";
  return json_body(r);
}

std::string status_of_k1(const boost::json::object& body) {
  const auto& instances = body.at("instances").as_array();
  if (instances.size() != 1) return "missing";
  return std::string(instances[0].at("status").as_string());
}

TEST(RegistryHealthCheck, FailingCheckTurnsCriticalAndBackToPassing) {
  testing::TempDir dir;
  RegistryOptions options;
  options.data_dir = dir.str();
  RegistryHarness h(options);
  HealthEndpoint health(h.runtime());
  health.answer(503);

  auto put = h.call(Method::put, "/v1/registry/instances/kitchen/k1", registration(health.port()));
  ASSERT_EQ(put.status, 200) << put.body;
  std::uint64_t seen = index_header(put);

  auto critical = next_change(h, seen);
  EXPECT_EQ(status_of_k1(critical), "critical");
  seen = critical.at("index").to_number<std::uint64_t>();
  // Left out of default listings, counted in the summary.
  auto passing_only = json_body(h.call(Method::get, "/v1/registry/services/kitchen"));
  EXPECT_TRUE(passing_only.at("instances").as_array().empty());
  auto summary = json_body(h.call(Method::get, "/v1/registry/services"));
  EXPECT_EQ(summary.at("services").as_array()[0].at("instances").to_number<int>(), 1);
  EXPECT_EQ(summary.at("services").as_array()[0].at("passing").to_number<int>(), 0);

  // The transition is stored: a restart keeps it.
  h.restart();
  auto reloaded = json_body(h.call(Method::get, "/v1/registry/instances/kitchen/k1"));
  EXPECT_EQ(reloaded.at("status").as_string(), "critical");
  seen = index_header(h.call(Method::get, "/v1/registry/services/kitchen"));

  health.answer(200);
  auto recovered = next_change(h, seen);
  EXPECT_EQ(status_of_k1(recovered), "passing");

  ASSERT_EQ(h.call(Method::delete_, "/v1/registry/instances/kitchen/k1").status, 200);
  h.close();
  health.stop();
}

TEST(RegistryHealthCheck, UnreachableEndpointIsAFailure) {
  RegistryHarness h;
  // Bind and release a port so nothing listens on it.
  std::uint16_t port;
  {
    HealthEndpoint gone(h.runtime());
    port = gone.port();
  }
  auto put = h.call(Method::put, "/v1/registry/instances/kitchen/k1", registration(port));
  ASSERT_EQ(put.status, 200);
  EXPECT_EQ(status_of_k1(next_change(h, index_header(put))), "critical");
}

}  // namespace
}  // namespace trellis::registry
