#include "registry/state.h"

#include <gtest/gtest.h>

namespace trellis::registry {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Outcome = RegistryState::CheckOutcome;

Instance make(std::string service, std::string id, milliseconds ttl = seconds(10)) {
  Instance i;
  i.service = std::move(service);
  i.id = std::move(id);
  i.host = "127.0.0.1";
  i.port = 8080;
  i.ttl = ttl;
  return i;
}

Instance checked(std::string service, std::string id, int failures, int successes) {
  Instance i = make(std::move(service), std::move(id));
  i.check = HealthCheck{"/health", seconds(1), seconds(1), failures, successes};
  return i;
}

class RegistryStateTest : public ::testing::Test {
 protected:
  RegistryState state;
  RegistryState::TimePoint t0 = RegistryState::Clock::now();
};

TEST_F(RegistryStateTest, PutBumpsTheIndexAndGetReturnsTheInstance) {
  std::uint64_t before = state.index();
  auto put = state.put(make("kitchen", "k1"), t0);
  EXPECT_EQ(put.index, before + 1);
  EXPECT_EQ(state.index(), before + 1);
  EXPECT_EQ(state.service_index("kitchen"), put.index);
  auto got = state.get("kitchen", "k1");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->port, 8080);
  EXPECT_EQ(got->status, Status::passing);
  EXPECT_FALSE(state.get("kitchen", "k2").has_value());
}

TEST_F(RegistryStateTest, ReRegisterReplacesWithANewLeaseAndPassingStatus) {
  auto first = state.put(checked("kitchen", "k1", 1, 1), t0);
  ASSERT_EQ(state.report_check("kitchen", "k1", first.generation, false).outcome,
            Outcome::became_critical);
  Instance replacement = make("kitchen", "k1", seconds(30));
  replacement.port = 9090;
  auto second = state.put(replacement, t0 + seconds(8));
  EXPECT_GT(second.index, first.index);
  EXPECT_NE(second.generation, first.generation);
  auto got = state.get("kitchen", "k1");
  EXPECT_EQ(got->port, 9090);
  EXPECT_EQ(got->status, Status::passing);
  EXPECT_FALSE(got->check.has_value());
  EXPECT_EQ(state.size(), 1u);
  // The new lease: 30 s from the re-registration.
  EXPECT_TRUE(state.expire(t0 + seconds(37)).empty());
  EXPECT_EQ(state.expire(t0 + seconds(38)).size(), 1u);
  // The old generation's checker is stale now.
  EXPECT_EQ(state.report_check("kitchen", "k1", first.generation, true).outcome, Outcome::stale);
}

TEST_F(RegistryStateTest, HeartbeatRenewsWithoutChangingTheIndex) {
  state.put(make("kitchen", "k1"), t0);
  std::uint64_t index = state.index();
  auto renewal = state.renew("kitchen", "k1", t0 + seconds(8));
  ASSERT_TRUE(renewal.has_value());
  EXPECT_EQ(renewal->index, index);
  EXPECT_EQ(renewal->ttl, seconds(10));
  EXPECT_EQ(state.index(), index);
  EXPECT_EQ(state.service_index("kitchen"), index);
  EXPECT_FALSE(state.renew("kitchen", "nope", t0).has_value());
  EXPECT_FALSE(state.renew("nope", "k1", t0).has_value());
}

TEST_F(RegistryStateTest, LeaseExpiresOneTtlAfterTheLastRenewal) {
  state.put(make("kitchen", "k1"), t0);
  state.put(make("kitchen", "k2"), t0);
  state.renew("kitchen", "k1", t0 + seconds(8));
  std::uint64_t index = state.index();

  EXPECT_TRUE(state.expire(t0 + seconds(9)).empty());
  EXPECT_EQ(state.index(), index);

  auto expired = state.expire(t0 + seconds(10));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].key, (InstanceKey{"kitchen", "k2"}));
  EXPECT_EQ(state.index(), index + 1);
  EXPECT_EQ(state.service_index("kitchen"), index + 1);
  EXPECT_FALSE(state.get("kitchen", "k2").has_value());

  EXPECT_TRUE(state.expire(t0 + milliseconds(17'999)).empty());
  EXPECT_EQ(state.expire(t0 + seconds(18)).size(), 1u);
  // The service's index outlives its last instance; the listing drops it.
  EXPECT_EQ(state.service_index("kitchen"), index + 2);
  EXPECT_TRUE(state.services().services.empty());
}

TEST_F(RegistryStateTest, RemoveBumpsTheIndex) {
  auto put = state.put(make("kitchen", "k1"), t0);
  auto removed = state.remove("kitchen", "k1");
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->index, put.index + 1);
  EXPECT_EQ(removed->generation, put.generation);
  EXPECT_FALSE(state.remove("kitchen", "k1").has_value());
  EXPECT_EQ(state.index(), put.index + 1);
}

TEST_F(RegistryStateTest, HealthThresholds) {
  auto put = state.put(checked("kitchen", "k1", 3, 2), t0);
  auto report = [&](bool ok) { return state.report_check("kitchen", "k1", put.generation, ok); };
  std::uint64_t index = state.index();

  EXPECT_EQ(report(false).outcome, Outcome::unchanged);
  EXPECT_EQ(report(false).outcome, Outcome::unchanged);
  EXPECT_EQ(report(true).outcome, Outcome::unchanged);  // resets the failure streak
  EXPECT_EQ(report(false).outcome, Outcome::unchanged);
  EXPECT_EQ(report(false).outcome, Outcome::unchanged);
  EXPECT_EQ(state.index(), index);

  auto critical = report(false);
  EXPECT_EQ(critical.outcome, Outcome::became_critical);
  EXPECT_EQ(critical.index, index + 1);
  EXPECT_EQ(state.service_index("kitchen"), index + 1);
  EXPECT_EQ(state.get("kitchen", "k1")->status, Status::critical);
  EXPECT_EQ(report(false).outcome, Outcome::unchanged);

  EXPECT_EQ(report(true).outcome, Outcome::unchanged);
  EXPECT_EQ(report(false).outcome, Outcome::unchanged);  // resets the success streak
  EXPECT_EQ(report(true).outcome, Outcome::unchanged);
  auto passing = report(true);
  EXPECT_EQ(passing.outcome, Outcome::became_passing);
  EXPECT_EQ(passing.index, index + 2);
  EXPECT_EQ(state.get("kitchen", "k1")->status, Status::passing);
}

TEST_F(RegistryStateTest, ChecksForGoneInstancesAreStale) {
  auto put = state.put(checked("kitchen", "k1", 1, 1), t0);
  EXPECT_TRUE(state.is_current("kitchen", "k1", put.generation));
  state.remove("kitchen", "k1");
  EXPECT_FALSE(state.is_current("kitchen", "k1", put.generation));
  EXPECT_EQ(state.report_check("kitchen", "k1", put.generation, false).outcome, Outcome::stale);
}

TEST_F(RegistryStateTest, ServiceViewFiltersCriticalAndSortsById) {
  state.put(make("kitchen", "k3"), t0);
  auto k1 = state.put(checked("kitchen", "k1", 1, 1), t0);
  state.put(make("kitchen", "k2"), t0);
  state.report_check("kitchen", "k1", k1.generation, false);

  auto passing = state.service("kitchen", false);
  ASSERT_EQ(passing.instances.size(), 2u);
  EXPECT_EQ(passing.instances[0].id, "k2");
  EXPECT_EQ(passing.instances[1].id, "k3");
  EXPECT_EQ(passing.index, state.index());

  auto all = state.service("kitchen", true);
  ASSERT_EQ(all.instances.size(), 3u);
  EXPECT_EQ(all.instances[0].id, "k1");
  EXPECT_EQ(all.instances[0].status, Status::critical);

  auto list = state.services();
  ASSERT_EQ(list.services.size(), 1u);
  EXPECT_EQ(list.services[0].name, "kitchen");
  EXPECT_EQ(list.services[0].instances, 3u);
  EXPECT_EQ(list.services[0].passing, 2u);
}

TEST_F(RegistryStateTest, ServicesAreListedByName) {
  state.put(make("payment", "p1"), t0);
  state.put(make("kitchen", "k1"), t0);
  state.put(make("order", "o1"), t0);
  auto list = state.services();
  ASSERT_EQ(list.services.size(), 3u);
  EXPECT_EQ(list.services[0].name, "kitchen");
  EXPECT_EQ(list.services[1].name, "order");
  EXPECT_EQ(list.services[2].name, "payment");
  EXPECT_EQ(list.index, state.index());
}

TEST_F(RegistryStateTest, UnknownServiceIndexIsTheBaseAndStaysPut) {
  EXPECT_GE(state.base_index(), 1u);
  std::uint64_t unknown = state.service_index("nobody");
  EXPECT_EQ(unknown, state.base_index());
  EXPECT_GT(unknown, 0u);  // a watcher passing 0 is answered at once
  state.put(make("kitchen", "k1"), t0);
  state.put(make("kitchen", "k2"), t0);
  // Other services' changes do not move it: a watcher passing it back keeps waiting.
  EXPECT_EQ(state.service_index("nobody"), unknown);
  EXPECT_EQ(state.service("nobody", true).index, unknown);
  // Its first registration moves it above anything handed out before.
  auto put = state.put(make("nobody", "n1"), t0);
  EXPECT_GT(put.index, unknown);
  EXPECT_EQ(state.service_index("nobody"), put.index);
}

TEST_F(RegistryStateTest, RestoreGivesEveryInstanceAFullTtlFromLoading) {
  Instance a = make("kitchen", "k1", seconds(10));
  Instance b = checked("kitchen", "k2", 1, 1);
  b.status = Status::critical;
  auto restored = state.restore(41, {a, b}, t0 + seconds(100));
  ASSERT_EQ(restored.size(), 2u);
  EXPECT_EQ(state.index(), 41u);
  EXPECT_EQ(state.base_index(), 41u);
  EXPECT_EQ(state.service_index("kitchen"), 41u);
  EXPECT_EQ(state.service_index("unknown"), 41u);
  EXPECT_EQ(state.get("kitchen", "k2")->status, Status::critical);  // kept
  EXPECT_TRUE(state.is_current("kitchen", "k1", restored[0].generation));

  EXPECT_TRUE(state.expire(t0 + milliseconds(109'999)).empty());
  EXPECT_EQ(state.expire(t0 + seconds(110)).size(), 2u);
  EXPECT_EQ(state.index(), 42u);
}

}  // namespace
}  // namespace trellis::registry
