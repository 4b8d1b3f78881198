// Registry + 3 kitchens + order as real processes: discovery, balancing, eviction of a
// killed instance without failures seen by callers, persistence across a registry crash.
#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <set>

#include "core/json.h"
#include "harness.h"

namespace trellis::testing {
namespace {

using namespace std::chrono_literals;

class Cluster : public ::testing::Test {
 protected:
  void start_registry() {
    registry_ = std::make_unique<Proc>(
        "trellis",
        std::vector<std::string>{"serve", "registry", "--listen", "127.0.0.1:" + std::to_string(port_),
                                 "--data", data_.path},
        data_.path);
    ASSERT_TRUE(eventually([&] {
      auto r = http_get(url_, "/v1/registry/services");
      return r.ok() && r->status == 200;
    })) << registry_->log();
  }
  std::unique_ptr<Proc> start_service(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--registry", url_, "--ttl", "3s", "--heartbeat", "1s"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Proc>(name, args, data_.path);
  }
  // Passing instances of `service` as the registry lists them.
  std::vector<boost::json::object> instances(const std::string& service) {
    auto r = http_get(url_, "/v1/registry/services/" + service);
    std::vector<boost::json::object> out;
    if (!r.ok() || r->status != 200) return out;
    auto o = core::parse_json_object(r->body);
    for (const auto& v : o.at("instances").as_array()) out.push_back(v.as_object());
    return out;
  }
  std::string service_url(const boost::json::object& inst) {
    return "http://" + std::string(inst.at("host").as_string()) + ":" +
           std::to_string(inst.at("port").to_number<int>());
  }

  TempDir data_;
  std::uint16_t port_ = free_port();
  std::string url_ = "http://127.0.0.1:" + std::to_string(port_);
  std::unique_ptr<Proc> registry_;
};

TEST_F(Cluster, KitchensAreDiscoveredBalancedAndEvictedWithoutCallerFailures) {
  start_registry();
  std::vector<std::unique_ptr<Proc>> kitchens;
  for (int i = 0; i < 3; ++i) kitchens.push_back(start_service("cafe-kitchen", {"--id", "kitchen-" + std::to_string(i)}));
  auto order = start_service("cafe-order");
  ASSERT_TRUE(eventually([&] { return instances("kitchen").size() == 3; })) << registry_->log();
  ASSERT_TRUE(eventually([&] { return instances("order").size() == 1; }));
  const std::string order_url = service_url(instances("order")[0]);

  // order's calls spread over the three kitchens.
  std::set<std::string> seen;
  ASSERT_TRUE(eventually([&] {
    auto r = http_get(order_url, "/menu");
    if (!r.ok() || r->status != 200) return false;
    seen.insert(std::string(core::parse_json_object(r->body).at("instance").as_string()));
    return seen.size() == 3;
  })) << "kitchens seen: " << seen.size();

  auto placed = http(order_url, core::Method::post, "/orders", R"({"item":"latte"})");
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(placed->status, 201) << placed->body;

  // kill -9 one kitchen: it leaves the healthy set within its TTL, and every GET through
  // order keeps succeeding meanwhile.
  kitchens[0]->kill9();
  int calls = 0, failures = 0;
  bool evicted = eventually(
      [&] {
        for (int i = 0; i < 5; ++i) {
          auto r = http_get(order_url, "/menu");
          ++calls;
          if (!r.ok() || r->status != 200) ++failures;
        }
        auto now = instances("kitchen");
        return now.size() == 2;
      },
      10s);
  EXPECT_TRUE(evicted);
  EXPECT_GT(calls, 0);
  EXPECT_EQ(failures, 0) << "of " << calls << " calls";
  for (const auto& inst : instances("kitchen")) EXPECT_NE(inst.at("id").as_string(), "kitchen-0");

  // A graceful stop deregisters before the process exits (not by lease expiry).
  EXPECT_EQ(kitchens[1]->terminate(), 0);
  EXPECT_EQ(instances("kitchen").size(), 1u);
}

TEST_F(Cluster, AnInstanceTheRegistryForgotRegistersAgain) {
  start_registry();
  auto kitchen = start_service("cafe-kitchen", {"--id", "kitchen-9"});
  ASSERT_TRUE(eventually([&] { return instances("kitchen").size() == 1; }));
  // The registry loses the instance (as after losing its store); the next heartbeat gets 404
  // and the chassis registers again.
  auto removed = http(url_, core::Method::delete_, "/v1/registry/instances/kitchen/kitchen-9");
  ASSERT_TRUE(removed.ok());
  ASSERT_EQ(removed->status, 200);
  EXPECT_TRUE(eventually([&] { return instances("kitchen").size() == 1; }, 10s)) << kitchen->log();
  EXPECT_NE(kitchen->log().find("registering again"), std::string::npos);
}

TEST_F(Cluster, RegistryCrashLosesNoRegistration) {
  start_registry();
  for (const char* id : {"a", "b"}) {
    auto r = http(url_, core::Method::put, std::string("/v1/registry/instances/kitchen/") + id,
                  R"({"host":"127.0.0.1","port":9,"ttl":"60s"})");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
  }
  auto before = http_get(url_, "/v1/registry/services/kitchen");
  ASSERT_TRUE(before.ok());
  auto index_before = core::parse_json_object(before->body).at("index").to_number<std::uint64_t>();

  registry_->kill9();
  start_registry();
  auto after = instances("kitchen");
  EXPECT_EQ(after.size(), 2u);
  auto r = http_get(url_, "/v1/registry/services/kitchen");
  ASSERT_TRUE(r.ok());
  EXPECT_GE(core::parse_json_object(r->body).at("index").to_number<std::uint64_t>(), index_before);
  // Heartbeats are accepted for the restored instances.
  auto hb = http(url_, core::Method::put, "/v1/registry/instances/kitchen/a/heartbeat");
  ASSERT_TRUE(hb.ok());
  EXPECT_EQ(hb->status, 200);
}

TEST_F(Cluster, RunningServicesSurviveRegistryRestart) {
  start_registry();
  auto kitchen = start_service("cafe-kitchen");
  ASSERT_TRUE(eventually([&] { return instances("kitchen").size() == 1; }));
  registry_->terminate();
  start_registry();
  EXPECT_EQ(instances("kitchen").size(), 1u);
  // Still there after more than one TTL: heartbeats resumed against the new process.
  auto until = std::chrono::steady_clock::now() + 4s;
  EXPECT_FALSE(eventually([&] { return instances("kitchen").size() != 1; }, 4s));
  EXPECT_GE(std::chrono::steady_clock::now(), until);
}

TEST_F(Cluster, CallsKeepWorkingWhileTheRegistryIsDown) {
  start_registry();
  auto k1 = start_service("cafe-kitchen");
  auto k2 = start_service("cafe-kitchen");
  auto order = start_service("cafe-order");
  ASSERT_TRUE(eventually([&] { return instances("kitchen").size() == 2 && instances("order").size() == 1; }));
  const std::string order_url = service_url(instances("order")[0]);
  ASSERT_TRUE(eventually([&] {
    auto r = http_get(order_url, "/menu");
    return r.ok() && r->status == 200;
  }));
  registry_->kill9();
  // Discovery keeps the last known set: calls need no registry.
  for (int i = 0; i < 20; ++i) {
    auto r = http_get(order_url, "/menu");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << r->body;
  }
  auto placed = http(order_url, core::Method::post, "/orders", R"({"item":"espresso"})");
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(placed->status, 201) << placed->body;
}

TEST_F(Cluster, BadInputGets4xxAndRegistryKeepsServing) {
  start_registry();
  auto put = [&](const std::string& target, const std::string& body) {
    return http(url_, core::Method::put, target, body);
  };
  for (const auto& [target, body] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/registry/instances/kitchen/x", "{not json"},
           {"/v1/registry/instances/kitchen/x", "{}"},
           {"/v1/registry/instances/kitchen/x", R"({"port":70000})"},
           {"/v1/registry/instances/kitchen/x", R"({"port":"80"})"},
           {"/v1/registry/instances/kitchen/x", R"({"port":80,"ttl":"soon"})"},
           {"/v1/registry/instances/kitchen/bad%20id", R"({"port":80})"},
           {"/v1/registry/instances/-bad/x", R"({"port":80})"},
       }) {
    auto r = put(target, body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400) << target << " " << body << " -> " << r->body;
    EXPECT_EQ(r->content_type, "application/problem+json");
  }
  EXPECT_TRUE(instances("kitchen").empty());

  auto big = put("/v1/registry/instances/kitchen/x", std::string(2 * 1024 * 1024, ' '));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->status, 413);

  auto hb = http(url_, core::Method::put, "/v1/registry/instances/kitchen/nobody/heartbeat");
  ASSERT_TRUE(hb.ok());
  EXPECT_EQ(hb->status, 404);

  auto ok = put("/v1/registry/instances/kitchen/x", R"({"port":8080})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(instances("kitchen").size(), 1u);
}

}  // namespace
}  // namespace trellis::testing
