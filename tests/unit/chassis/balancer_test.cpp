#include "chassis/balancer.h"

#include <gtest/gtest.h>

#include <map>

#include "chassis/discovery.h"
#include "chassis/registrar.h"
#include "core/json.h"

namespace trellis::chassis {
namespace {

InstanceSet make_set(std::vector<int> weights) {
  InstanceSet set;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    Instance inst;
    inst.id = "i";
    inst.id += std::to_string(i);
    inst.endpoint = {"127.0.0.1", static_cast<std::uint16_t>(1000 + i)};
    inst.weight = weights[i];
    set.instances.push_back(std::move(inst));
  }
  return set;
}

std::map<std::size_t, int> distribution(Balancer& b, const InstanceSet& set, int picks) {
  std::map<std::size_t, int> counts;
  for (int i = 0; i < picks; ++i) ++counts[*b.pick(set, {}, 0)];
  return counts;
}

TEST(Balancer, RoundRobinVisitsEachInTurn) {
  Balancer b(Strategy::round_robin, 1);
  auto set = make_set({1, 1, 1});
  auto counts = distribution(b, set, 300);
  EXPECT_EQ(counts[0], 100);
  EXPECT_EQ(counts[1], 100);
  EXPECT_EQ(counts[2], 100);
}

TEST(Balancer, WeightedFollowsWeights) {
  Balancer b(Strategy::weighted, 42);
  auto set = make_set({1, 3});
  auto counts = distribution(b, set, 40'000);
  // Expected 10,000 / 30,000; a fixed seed keeps this deterministic, the band is generous.
  EXPECT_NEAR(counts[0], 10'000, 600);
  EXPECT_NEAR(counts[1], 30'000, 600);
}

TEST(Balancer, P2cSpreadsEvenlyWhenIdle) {
  Balancer b(Strategy::p2c, 7);
  auto set = make_set({1, 1, 1});
  auto counts = distribution(b, set, 30'000);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(counts[i], 10'000, 600) << i;
}

TEST(Balancer, P2cAvoidsTheBusiestInstance) {
  Balancer b(Strategy::p2c, 7);
  auto set = make_set({1, 1, 1});
  set.instances[1].stats->outstanding = 50;
  auto counts = distribution(b, set, 3'000);
  // Instance 1 only wins when both choices... it never does: any pair containing it has a
  // less loaded partner.
  EXPECT_EQ(counts[1], 0);
  EXPECT_GT(counts[0], 1'000);
  EXPECT_GT(counts[2], 1'000);
}

TEST(Balancer, SkipsExcludedAndEjected) {
  Balancer b(Strategy::round_robin, 1);
  auto set = make_set({1, 1, 1});
  std::vector<std::size_t> tried{0};
  set.instances[1].stats->ejected_until_ms = 1'000;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b.pick(set, tried, 500), 2u);
  // Once the ejection has passed, instance 1 is eligible again.
  std::map<std::size_t, int> seen;
  for (int i = 0; i < 10; ++i) ++seen[*b.pick(set, tried, 2'000)];
  EXPECT_GT(seen[1], 0);
}

TEST(Balancer, AllEjectedStillPicks) {
  Balancer b(Strategy::p2c, 1);
  auto set = make_set({1, 1});
  for (auto& i : set.instances) i.stats->ejected_until_ms = 1'000;
  EXPECT_TRUE(b.pick(set, {}, 0).has_value());
}

TEST(Balancer, NothingLeftIsNullopt) {
  Balancer b;
  auto set = make_set({1, 1});
  std::vector<std::size_t> tried{0, 1};
  EXPECT_FALSE(b.pick(set, tried, 0).has_value());
  EXPECT_FALSE(b.pick(make_set({}), {}, 0).has_value());
}

TEST(Balancer, StrategyNames) {
  EXPECT_EQ(strategy_from_string("p2c"), Strategy::p2c);
  EXPECT_EQ(strategy_from_string("round_robin"), Strategy::round_robin);
  EXPECT_EQ(strategy_from_string("weighted"), Strategy::weighted);
  EXPECT_EQ(strategy_from_string("random"), std::nullopt);
}

TEST(Discovery, ParsesRegistryListing) {
  auto set = parse_instance_set("kitchen", R"({"service":"kitchen","index":7,"instances":[
      {"id":"b","host":"127.0.0.1","port":2,"metadata":{"weight":"5"}},
      {"id":"a","host":"127.0.0.1","port":1,"version":"1.0","zone":"z"}]})");
  EXPECT_EQ(set->index, 7u);
  ASSERT_EQ(set->instances.size(), 2u);
  EXPECT_EQ(set->instances[0].id, "a");  // sorted by id
  EXPECT_EQ(set->instances[0].version, "1.0");
  EXPECT_EQ(set->instances[1].weight, 5);
}

TEST(Discovery, RejectsBadListings) {
  EXPECT_THROW(parse_instance_set("k", "{}"), core::JsonError);
  EXPECT_THROW(parse_instance_set("k", R"({"instances":[{"id":"a","host":"h","port":0}]})"),
               core::JsonError);
  EXPECT_THROW(parse_instance_set("k", R"({"instances":[{"id":"a"}]})"), core::JsonError);
  EXPECT_THROW(parse_instance_set("k", "not json"), core::JsonError);
}

TEST(Registrar, RegistrationBody) {
  Registration r;
  r.host = "127.0.0.1";
  r.port = 4000;
  r.version = "2.0";
  r.metadata["weight"] = "3";
  std::string body = registration_body(r);
  EXPECT_NE(body.find(R"("port":4000)"), std::string::npos);
  EXPECT_NE(body.find(R"("ttl":"15s")"), std::string::npos);
  EXPECT_NE(body.find(R"("path":"/health")"), std::string::npos);
  EXPECT_NE(body.find(R"("weight":"3")"), std::string::npos);
  r.check_path.clear();
  EXPECT_EQ(registration_body(r).find("check"), std::string::npos);
}

}  // namespace
}  // namespace trellis::chassis

namespace trellis::chassis {
namespace {

TEST(Discovery, RejectsInvalidServiceNames) {
  core::Runtime runtime(1);
  Discovery discovery(runtime, {.registry = core::BaseUrl::parse("http://127.0.0.1:1")});
  EXPECT_THROW(discovery.watch("kitchen?all=1"), std::invalid_argument);
  EXPECT_THROW(discovery.instances("../x"), std::invalid_argument);
}

}  // namespace
}  // namespace trellis::chassis
