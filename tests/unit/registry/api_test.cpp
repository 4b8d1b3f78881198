#include <gtest/gtest.h>

#include "registry_fixture.h"

namespace trellis::registry {
namespace {

using core::Method;
using testing::index_header;
using testing::json_body;
using testing::RegistryHarness;

constexpr const char* kK1 = "/v1/registry/instances/kitchen/k1";

class RegistryApiTest : public ::testing::Test {
 protected:
  RegistryHarness h;
};

TEST_F(RegistryApiTest, RegisterAnswersWithTheIndexAndTheInstance) {
  std::uint64_t before = h.registry().index();
  auto r =
      h.call(Method::put, kK1, R"({"port":41234,"version":"1.0.0","metadata":{"weight":"2"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = json_body(r);
  EXPECT_EQ(body.at("index").to_number<std::uint64_t>(), before + 1);
  EXPECT_EQ(index_header(r), before + 1);
  const auto& inst = body.at("instance").as_object();
  EXPECT_EQ(inst.at("service").as_string(), "kitchen");
  EXPECT_EQ(inst.at("id").as_string(), "k1");
  EXPECT_EQ(inst.at("host").as_string(), "10.1.2.3");  // from the peer address
  EXPECT_EQ(inst.at("port").to_number<int>(), 41234);
  EXPECT_EQ(inst.at("version").as_string(), "1.0.0");
  EXPECT_EQ(inst.at("zone").as_string(), "");
  EXPECT_EQ(inst.at("metadata").as_object().at("weight").as_string(), "2");
  EXPECT_EQ(inst.at("ttl").as_string(), "15s");
  EXPECT_EQ(inst.at("status").as_string(), "passing");
  EXPECT_FALSE(inst.contains("check"));
  EXPECT_TRUE(inst.at("registered_at").as_string().ends_with("Z"));

  auto got = h.call(Method::get, kK1);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(json_body(got), inst);
  EXPECT_EQ(index_header(got), before + 1);
}

TEST_F(RegistryApiTest, ReRegisterReplaces) {
  ASSERT_EQ(h.call(Method::put, kK1, R"({"port":1000,"version":"1"})").status, 200);
  auto r = h.call(Method::put, kK1, R"({"port":2000,"host":"10.0.0.9"})");
  ASSERT_EQ(r.status, 200);
  auto got = json_body(h.call(Method::get, kK1));
  EXPECT_EQ(got.at("port").to_number<int>(), 2000);
  EXPECT_EQ(got.at("host").as_string(), "10.0.0.9");
  EXPECT_EQ(got.at("version").as_string(), "");
  auto list = json_body(h.call(Method::get, "/v1/registry/services/kitchen"));
  EXPECT_EQ(list.at("instances").as_array().size(), 1u);
}

TEST_F(RegistryApiTest, BadBodiesAre400AndChangeNothing) {
  ASSERT_EQ(h.call(Method::put, kK1, R"({"port":1000})").status, 200);
  auto original = h.call(Method::get, kK1).body;
  std::uint64_t index = h.registry().index();
  const char* bodies[] = {
      "",
      "{\"port\":",
      "not json",
      R"(["port",1])",
      R"({"host":"h"})",
      R"({"port":"1000"})",
      R"({"port":70000})",
      R"({"port":1,"host":"a b"})",
      R"({"port":1,"metadata":{"k":1}})",
      R"({"port":1,"ttl":"forever"})",
      R"({"port":1,"ttl":"0s"})",
      R"({"port":1,"check":{"path":"health"}})",
      R"({"port":1,"check":{"path":"/h","interval":"2s","timeout":"3s"}})",
  };
  for (const char* body : bodies) {
    for (const char* target : {kK1, "/v1/registry/instances/kitchen/k2"}) {
      auto r = h.call(Method::put, target, body);
      EXPECT_EQ(r.status, 400) << body;
      EXPECT_EQ(r.content_type, "application/problem+json");
      EXPECT_FALSE(json_body(r).at("detail").as_string().empty());
      EXPECT_EQ(index_header(r), index);
    }
  }
  EXPECT_EQ(h.registry().index(), index);
  EXPECT_EQ(h.call(Method::get, kK1).body, original);
  EXPECT_EQ(h.call(Method::get, "/v1/registry/instances/kitchen/k2").status, 404);
}

TEST_F(RegistryApiTest, DetailNamesTheField) {
  auto r = h.call(Method::put, kK1, R"({"port":1,"ttl":"forever"})");
  EXPECT_NE(std::string(json_body(r).at("detail").as_string()).find("ttl"), std::string::npos);
}

TEST_F(RegistryApiTest, BadNamesInThePathAre400) {
  EXPECT_EQ(h.call(Method::put, "/v1/registry/instances/-kitchen/k1", R"({"port":1})").status, 400);
  EXPECT_EQ(h.call(Method::put, "/v1/registry/instances/kitchen/k%201", R"({"port":1})").status,
            400);
  EXPECT_EQ(h.call(Method::get, "/v1/registry/instances/kitchen/_k").status, 400);
  EXPECT_EQ(h.call(Method::delete_, "/v1/registry/instances/kitchen/_k").status, 400);
  EXPECT_EQ(h.call(Method::get, "/v1/registry/services/_kitchen").status, 400);
  EXPECT_EQ(h.registry().index(), 1u);
}

TEST_F(RegistryApiTest, HeartbeatRenewsWithoutAChange) {
  ASSERT_EQ(h.call(Method::put, kK1, R"({"port":1,"ttl":"20s"})").status, 200);
  std::uint64_t index = h.registry().index();
  auto r = h.call(Method::put, std::string(kK1) + "/heartbeat");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  auto body = json_body(r);
  EXPECT_EQ(body.at("index").to_number<std::uint64_t>(), index);
  EXPECT_EQ(body.at("ttl").as_string(), "20s");
  EXPECT_EQ(index_header(r), index);
  EXPECT_EQ(h.registry().index(), index);
}

TEST_F(RegistryApiTest, HeartbeatForAnUnknownInstanceIs404) {
  auto r = h.call(Method::put, "/v1/registry/instances/kitchen/nope/heartbeat");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(json_body(r).at("type").as_string(), "https://trellis.dev/problems/unknown-instance");
  EXPECT_TRUE(r.headers.has("X-Trellis-Index"));
}

TEST_F(RegistryApiTest, Deregister) {
  ASSERT_EQ(h.call(Method::put, kK1, R"({"port":1})").status, 200);
  std::uint64_t index = h.registry().index();
  auto r = h.call(Method::delete_, kK1);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json_body(r).at("index").to_number<std::uint64_t>(), index + 1);
  EXPECT_EQ(h.call(Method::get, kK1).status, 404);
  EXPECT_EQ(h.call(Method::delete_, kK1).status, 404);
  EXPECT_EQ(h.call(Method::put, std::string(kK1) + "/heartbeat").status, 404);
  EXPECT_EQ(h.registry().index(), index + 1);
}

TEST_F(RegistryApiTest, ServicesAreListedByNameWithCounts) {
  for (const char* target : {"/v1/registry/instances/order/o1", "/v1/registry/instances/kitchen/k1",
                             "/v1/registry/instances/kitchen/k2"})
    ASSERT_EQ(h.call(Method::put, target, R"({"port":1})").status, 200);
  auto r = h.call(Method::get, "/v1/registry/services");
  ASSERT_EQ(r.status, 200);
  auto body = json_body(r);
  EXPECT_EQ(body.at("index").to_number<std::uint64_t>(), h.registry().index());
  EXPECT_EQ(index_header(r), h.registry().index());
  const auto& services = body.at("services").as_array();
  ASSERT_EQ(services.size(), 2u);
  EXPECT_EQ(services[0].at("name").as_string(), "kitchen");
  EXPECT_EQ(services[0].at("instances").to_number<int>(), 2);
  EXPECT_EQ(services[0].at("passing").to_number<int>(), 2);
  EXPECT_EQ(services[1].at("name").as_string(), "order");

  ASSERT_EQ(h.call(Method::delete_, "/v1/registry/instances/order/o1").status, 200);
  auto after = json_body(h.call(Method::get, "/v1/registry/services"));
  EXPECT_EQ(after.at("services").as_array().size(), 1u);
}

TEST_F(RegistryApiTest, ServiceQuery) {
  ASSERT_EQ(h.call(Method::put, "/v1/registry/instances/kitchen/k2", R"({"port":2})").status, 200);
  ASSERT_EQ(h.call(Method::put, kK1, R"({"port":1})").status, 200);
  auto r = h.call(Method::get, "/v1/registry/services/kitchen");
  ASSERT_EQ(r.status, 200);
  auto body = json_body(r);
  EXPECT_EQ(body.at("service").as_string(), "kitchen");
  EXPECT_EQ(body.at("index").to_number<std::uint64_t>(), h.registry().index());
  EXPECT_EQ(index_header(r), h.registry().index());
  const auto& instances = body.at("instances").as_array();
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0].at("id").as_string(), "k1");
  EXPECT_EQ(instances[1].at("id").as_string(), "k2");
  EXPECT_EQ(instances[0].at("status").as_string(), "passing");

  for (const char* all : {"?all=true", "?all=1", "?all=false", "?all=0"})
    EXPECT_EQ(h.call(Method::get, std::string("/v1/registry/services/kitchen") + all).status, 200);
  EXPECT_EQ(h.call(Method::get, "/v1/registry/services/kitchen?all=maybe").status, 400);
}

TEST_F(RegistryApiTest, UnknownServiceIsAnEmptyList) {
  auto r = h.call(Method::get, "/v1/registry/services/nobody");
  ASSERT_EQ(r.status, 200);
  auto body = json_body(r);
  EXPECT_TRUE(body.at("instances").as_array().empty());
  EXPECT_GE(body.at("index").to_number<std::uint64_t>(), 1u);
}

TEST_F(RegistryApiTest, ChangesAfterStopAre503) {
  ASSERT_EQ(h.call(Method::put, kK1, R"({"port":1})").status, 200);
  h.drain();
  // Stop, but keep the routes served by the stopped registry.
  testing::run_on<void>(h.runtime(), [this] { return h.registry().stop(); });
  auto r = h.call(Method::put, "/v1/registry/instances/kitchen/k2", R"({"port":1})");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(h.call(Method::delete_, kK1).status, 503);
  EXPECT_EQ(h.call(Method::get, kK1).status, 200);
}

}  // namespace
}  // namespace trellis::registry
