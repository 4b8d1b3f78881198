// Blocking queries: GET /v1/registry/services/{service}?index=N&wait=D.
#include <gtest/gtest.h>

#include "registry_fixture.h"

namespace trellis::registry {
namespace {

using core::Method;
using testing::index_header;
using testing::json_body;
using testing::RegistryHarness;

constexpr const char* kKitchen = "/v1/registry/services/kitchen";

bool ready(std::future<core::Response>& f) {
  return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

class RegistryWatchTest : public ::testing::Test {
 protected:
  std::uint64_t kitchen_index() { return index_header(h.call(Method::get, kKitchen)); }
  std::string watch(std::uint64_t index, const char* wait = "5m") {
    return std::string(kKitchen) + "?index=" + std::to_string(index) + "&wait=" + wait;
  }
  RegistryHarness h;
};

TEST_F(RegistryWatchTest, IndexZeroOnAnUnknownServiceAnswersAtOnce) {
  auto r = h.call(Method::get, watch(0));
  ASSERT_EQ(r.status, 200);
  EXPECT_GT(index_header(r), 0u);
  EXPECT_TRUE(json_body(r).at("instances").as_array().empty());
}

TEST_F(RegistryWatchTest, ReturnsWhenTheServiceChanges) {
  std::uint64_t seen = kitchen_index();
  auto pending = h.call_async(Method::get, watch(seen));
  ASSERT_EQ(h.call(Method::put, "/v1/registry/instances/kitchen/k1", R"({"port":1})").status, 200);
  auto r = pending.get();
  ASSERT_EQ(r.status, 200);
  EXPECT_GT(index_header(r), seen);
  auto body = json_body(r);
  EXPECT_EQ(body.at("index").to_number<std::uint64_t>(), index_header(r));
  ASSERT_EQ(body.at("instances").as_array().size(), 1u);
  EXPECT_EQ(body.at("instances").as_array()[0].at("id").as_string(), "k1");
}

TEST_F(RegistryWatchTest, OnlyItsOwnServiceWakesIt) {
  std::uint64_t seen = kitchen_index();
  auto pending = h.call_async(Method::get, watch(seen));
  ASSERT_EQ(h.call(Method::put, "/v1/registry/instances/order/o1", R"({"port":1})").status, 200);
  ASSERT_EQ(h.call(Method::delete_, "/v1/registry/instances/order/o1").status, 200);
  h.drain();
  EXPECT_FALSE(ready(pending));
  ASSERT_EQ(h.call(Method::put, "/v1/registry/instances/kitchen/k1", R"({"port":1})").status, 200);
  EXPECT_GT(index_header(pending.get()), seen);
}

TEST_F(RegistryWatchTest, HeartbeatsDoNotWakeIt) {
  ASSERT_EQ(h.call(Method::put, "/v1/registry/instances/kitchen/k1", R"({"port":1})").status, 200);
  std::uint64_t seen = kitchen_index();
  auto pending = h.call_async(Method::get, watch(seen));
  ASSERT_EQ(h.call(Method::put, "/v1/registry/instances/kitchen/k1/heartbeat").status, 200);
  h.drain();
  EXPECT_FALSE(ready(pending));
  ASSERT_EQ(h.call(Method::delete_, "/v1/registry/instances/kitchen/k1").status, 200);
  auto r = pending.get();
  EXPECT_GT(index_header(r), seen);
  EXPECT_TRUE(json_body(r).at("instances").as_array().empty());
}

TEST_F(RegistryWatchTest, TimesOutWithTheUnchangedSet) {
  ASSERT_EQ(h.call(Method::put, "/v1/registry/instances/kitchen/k1", R"({"port":1})").status, 200);
  std::uint64_t seen = kitchen_index();
  auto r = h.call(Method::get, watch(seen, "50ms"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(index_header(r), seen);
  EXPECT_EQ(json_body(r).at("instances").as_array().size(), 1u);
}

TEST_F(RegistryWatchTest, AnIndexAheadOfTheServiceAnswersAtOnce) {
  // As after a registry restart that lost state: the client resets to what it gets.
  std::uint64_t seen = kitchen_index();
  auto r = h.call(Method::get, watch(seen + 1000));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(index_header(r), seen);
}

TEST_F(RegistryWatchTest, WaitIsOptionalAndInSecondsWhenANumber) {
  std::uint64_t seen = kitchen_index();
  auto pending =
      h.call_async(Method::get, std::string(kKitchen) + "?index=" + std::to_string(seen));
  auto pending_secs = h.call_async(
      Method::get, std::string(kKitchen) + "?index=" + std::to_string(seen) + "&wait=120");
  ASSERT_EQ(h.call(Method::put, "/v1/registry/instances/kitchen/k1", R"({"port":1})").status, 200);
  EXPECT_GT(index_header(pending.get()), seen);
  EXPECT_GT(index_header(pending_secs.get()), seen);
}

TEST_F(RegistryWatchTest, BadIndexOrWaitIs400) {
  for (const char* query :
       {"?index=abc", "?index=-1", "?index=", "?index=1.5", "?index=99999999999999999999",
        "?index=1&wait=soon", "?index=1&wait=-1s", "?wait=xyz"}) {
    auto r = h.call(Method::get, std::string(kKitchen) + query);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(r.content_type, "application/problem+json");
  }
}

TEST_F(RegistryWatchTest, StopAnswersWaitingQueries) {
  std::uint64_t seen = kitchen_index();
  auto pending = h.call_async(Method::get, watch(seen, "10m"));
  h.drain();
  EXPECT_FALSE(ready(pending));
  testing::run_on<void>(h.runtime(), [this] { return h.registry().stop(); });
  auto r = pending.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(index_header(r), seen);
}

TEST(RegistryWatch, WaitIsCappedAtMaxWait) {
  RegistryOptions options;
  options.max_wait = std::chrono::milliseconds(20);
  RegistryHarness h(options);
  auto seen = index_header(h.call(Method::get, kKitchen));
  // Would wait ten minutes without the cap.
  auto r =
      h.call(Method::get, std::string(kKitchen) + "?index=" + std::to_string(seen) + "&wait=10m");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(index_header(r), seen);
}

TEST(RegistryWatch, LeaseExpiryWakesWatchers) {
  RegistryOptions options;
  options.sweep_interval = std::chrono::milliseconds(20);
  RegistryHarness h(options);
  ASSERT_EQ(
      h.call(Method::put, "/v1/registry/instances/kitchen/k1", R"({"port":1,"ttl":"1s"})").status,
      200);
  std::uint64_t seen = index_header(h.call(Method::get, kKitchen));
  // Never renewed: the sweeper removes it about a second later.
  auto r =
      h.call(Method::get, std::string(kKitchen) + "?index=" + std::to_string(seen) + "&wait=60s");
  EXPECT_GT(index_header(r), seen);
  EXPECT_TRUE(json_body(r).at("instances").as_array().empty());
  EXPECT_EQ(h.call(Method::get, "/v1/registry/instances/kitchen/k1").status, 404);
}

}  // namespace
}  // namespace trellis::registry
