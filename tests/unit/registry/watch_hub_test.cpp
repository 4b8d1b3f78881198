#include "registry/watch_hub.h"

#include <gtest/gtest.h>

#include <atomic>

#include "test_support.h"

namespace trellis::registry {
namespace {

using std::chrono::minutes;
using testing::run_on;
using testing::start_on;

class RegistryWatchHubTest : public ::testing::Test {
 protected:
  RegistryWatchHubTest() { rt.start(); }
  ~RegistryWatchHubTest() override {
    // Let every watcher return before the hub goes away.
    hub.close();
    for (int i = 0; i < 1000 && hub.watchers() > 0; ++i) drain();
    EXPECT_EQ(hub.watchers(), 0u);
  }
  std::future<void> wait(std::string service, std::function<bool()> changed) {
    return start_on<void>(rt, [this, service, changed] {
      return hub.wait(service, changed, std::chrono::steady_clock::now() + minutes(10));
    });
  }
  void drain() {
    run_on<void>(rt, []() -> core::Task<void> { co_return; });
  }
  static bool ready(std::future<void>& f) {
    return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }

  core::Runtime rt{1};
  WatchHub hub;
};

TEST_F(RegistryWatchHubTest, NotifyWakesWatchersOfThatServiceOnly) {
  std::atomic<bool> kitchen_changed{false};
  auto kitchen = wait("kitchen", [&] { return kitchen_changed.load(); });
  auto order = wait("order", [] { return false; });
  drain();
  EXPECT_EQ(hub.watchers(), 2u);

  hub.notify("kitchen");  // a notification is not a change
  drain();
  EXPECT_FALSE(ready(kitchen));

  kitchen_changed = true;
  hub.notify("kitchen");
  kitchen.get();
  drain();
  EXPECT_FALSE(ready(order));
  EXPECT_EQ(hub.watchers(), 1u);
}

TEST_F(RegistryWatchHubTest, ANotificationBetweenCheckAndWaitIsNotLost) {
  // The change and its notification happen between the check and the wait.
  std::atomic<int> checks{0};
  auto pending = wait("kitchen", [&] {
    if (checks.fetch_add(1) == 0) {
      hub.notify("kitchen");
      return false;
    }
    return true;
  });
  pending.get();
  EXPECT_EQ(checks.load(), 2);
}

TEST_F(RegistryWatchHubTest, CloseWakesEveryoneAndLaterWaitsReturnAtOnce) {
  auto a = wait("kitchen", [] { return false; });
  auto b = wait("order", [] { return false; });
  drain();
  hub.close();
  a.get();
  b.get();
  wait("kitchen", [] { return false; }).get();
  EXPECT_EQ(hub.watchers(), 0u);
}

TEST_F(RegistryWatchHubTest, ReturnsAtTheDeadline) {
  run_on<void>(rt, [this] {
    return hub.wait(
        "kitchen", [] { return false; },
        std::chrono::steady_clock::now() + std::chrono::milliseconds(10));
  });
  EXPECT_EQ(hub.watchers(), 0u);
}

}  // namespace
}  // namespace trellis::registry
