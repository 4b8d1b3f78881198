// The lifecycle of health checkers (which one runs, and that cancelled ones end), without
// probing: every checker here sleeps for an hour before its first probe.
#include <gtest/gtest.h>

#include "registry/health_checker.h"
#include "test_support.h"

namespace trellis::registry {
namespace {

using std::chrono::hours;

Instance checked(std::string id) {
  Instance i;
  i.service = "kitchen";
  i.id = std::move(id);
  i.host = "127.0.0.1";
  i.port = 1;
  i.ttl = hours(1);
  i.check = HealthCheck{"/health", hours(1), std::chrono::seconds(1), 1, 1};
  return i;
}

class RegistryHealthCheckersTest : public ::testing::Test {
 protected:
  RegistryHealthCheckersTest() { rt.start(); }
  ~RegistryHealthCheckersTest() override {
    checkers.cancel_all();
    settle(0);
  }
  // Lets the io thread run until `n` checker coroutines are left.
  void settle(std::size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (activity->active() != n && std::chrono::steady_clock::now() < deadline)
      testing::run_on<void>(rt, []() -> core::Task<void> { co_return; });
    EXPECT_EQ(activity->active(), n);
  }

  core::Runtime rt{1};
  std::shared_ptr<Activity> activity = Activity::create();
  HealthCheckers checkers{
      rt, core::ClientOptions{},
      [](const InstanceKey&, std::uint64_t, bool) -> core::Task<bool> { co_return true; },
      activity};
};

TEST_F(RegistryHealthCheckersTest, CancelEndsTheChecker) {
  checkers.start(checked("k1"), 1, hours(1));
  checkers.start(checked("k2"), 2, hours(1));
  settle(2);
  EXPECT_EQ(checkers.running(), 2u);
  checkers.cancel({"kitchen", "k1"}, 1);
  settle(1);
  EXPECT_EQ(checkers.running(), 1u);
}

TEST_F(RegistryHealthCheckersTest, ANewerGenerationReplacesTheOlder) {
  checkers.start(checked("k1"), 1, hours(1));
  checkers.start(checked("k1"), 2, hours(1));
  settle(1);
  EXPECT_EQ(checkers.running(), 1u);
  // A cancel for the older generation (e.g. a racing deregistration) leaves the newer one.
  checkers.cancel({"kitchen", "k1"}, 1);
  settle(1);
  checkers.cancel({"kitchen", "k1"}, 2);
  settle(0);
}

TEST_F(RegistryHealthCheckersTest, AnOlderGenerationStartingLateIsIgnored) {
  checkers.start(checked("k1"), 5, hours(1));
  checkers.start(checked("k1"), 4, hours(1));
  settle(1);
  checkers.cancel({"kitchen", "k1"}, 4);
  settle(1);
  EXPECT_EQ(checkers.running(), 1u);
}

TEST_F(RegistryHealthCheckersTest, CancelAllEndsEveryCheckerAndRefusesNewOnes) {
  checkers.start(checked("k1"), 1, hours(1));
  checkers.start(checked("k2"), 2, hours(1));
  checkers.cancel_all();
  settle(0);
  checkers.start(checked("k3"), 3, hours(1));
  EXPECT_EQ(checkers.running(), 0u);
  EXPECT_EQ(activity->active(), 0u);
}

TEST_F(RegistryHealthCheckersTest, InstancesWithoutACheckAreNotStarted) {
  Instance plain = checked("k1");
  plain.check.reset();
  checkers.start(plain, 1, hours(1));
  EXPECT_EQ(checkers.running(), 0u);
  EXPECT_EQ(activity->active(), 0u);
}

}  // namespace
}  // namespace trellis::registry
