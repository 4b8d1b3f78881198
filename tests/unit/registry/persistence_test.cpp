// The registry across restarts, with a SQLite store in a temporary directory.
#include <gtest/gtest.h>

#include <fstream>

#include "registry_fixture.h"

namespace trellis::registry {
namespace {

using core::Method;
using testing::index_header;
using testing::json_body;
using testing::RegistryHarness;
using testing::TempDir;

RegistryOptions in(const TempDir& dir) {
  RegistryOptions options;
  options.data_dir = dir.str();
  return options;
}

TEST(RegistryPersistence, InstancesAndIndexSurviveARestart) {
  TempDir dir;
  RegistryHarness h(in(dir));
  ASSERT_EQ(h.call(Method::put, "/v1/registry/instances/kitchen/k1",
                   R"({"port":1,"zone":"z","metadata":{"weight":"3"},"ttl":"30s"})")
                .status,
            200);
  ASSERT_EQ(h.call(Method::put, "/v1/registry/instances/kitchen/k2", R"({"port":2})").status, 200);
  ASSERT_EQ(h.call(Method::delete_, "/v1/registry/instances/kitchen/k2").status, 200);
  auto before = h.call(Method::get, "/v1/registry/instances/kitchen/k1").body;
  std::uint64_t index = h.registry().index();

  h.restart();
  EXPECT_EQ(h.call(Method::get, "/v1/registry/instances/kitchen/k1").body, before);
  EXPECT_EQ(h.call(Method::get, "/v1/registry/instances/kitchen/k2").status, 404);
  std::uint64_t after_restart = h.registry().index();
  EXPECT_GT(after_restart, index);
  // A watcher holding an index from before the restart is answered at once.
  auto r =
      h.call(Method::get, "/v1/registry/services/kitchen?wait=5m&index=" + std::to_string(index));
  EXPECT_GT(index_header(r), index);
  EXPECT_EQ(json_body(r).at("instances").as_array().size(), 1u);

  // Restarting again without changes still never goes backwards.
  h.restart();
  EXPECT_GE(h.registry().index(), after_restart);
  ASSERT_EQ(h.call(Method::put, "/v1/registry/instances/kitchen/k3", R"({"port":3})").status, 200);
  EXPECT_GT(h.registry().index(), after_restart);
}

TEST(RegistryPersistence, ExpiredLeasesAreRemovedFromTheStore) {
  TempDir dir;
  RegistryOptions options = in(dir);
  options.sweep_interval = std::chrono::milliseconds(20);
  RegistryHarness h(options);
  ASSERT_EQ(
      h.call(Method::put, "/v1/registry/instances/kitchen/k1", R"({"port":1,"ttl":"1s"})").status,
      200);
  ASSERT_EQ(
      h.call(Method::put, "/v1/registry/instances/kitchen/k2", R"({"port":2,"ttl":"1h"})").status,
      200);
  std::uint64_t seen = index_header(h.call(Method::get, "/v1/registry/services/kitchen"));
  auto r =
      h.call(Method::get, "/v1/registry/services/kitchen?wait=60s&index=" + std::to_string(seen));
  ASSERT_GT(index_header(r), seen);

  h.restart();
  EXPECT_EQ(h.call(Method::get, "/v1/registry/instances/kitchen/k1").status, 404);
  EXPECT_EQ(h.call(Method::get, "/v1/registry/instances/kitchen/k2").status, 200);
}

TEST(RegistryPersistence, LoadedInstancesGetAFreshLease) {
  TempDir dir;
  RegistryOptions options = in(dir);
  RegistryHarness h(options);
  ASSERT_EQ(
      h.call(Method::put, "/v1/registry/instances/kitchen/k1", R"({"port":1,"ttl":"1h"})").status,
      200);
  h.restart();
  // Renewable at once: the lease exists without a re-registration.
  auto hb = h.call(Method::put, "/v1/registry/instances/kitchen/k1/heartbeat");
  EXPECT_EQ(hb.status, 200);
  EXPECT_EQ(json_body(hb).at("ttl").as_string(), "3600s");
}

TEST(RegistryPersistence, StartFailsOnAStoreItCannotOpen) {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "not a directory";
  core::Runtime rt(1);
  RegistryOptions options;
  options.data_dir = (dir.path() / "file").string();
  Registry registry(rt, options);
  EXPECT_THROW(registry.start(), std::runtime_error);
}

}  // namespace
}  // namespace trellis::registry
