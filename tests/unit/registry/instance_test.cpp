#include "registry/instance.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace trellis::registry {
namespace {

using std::chrono::milliseconds;

Instance parse(std::string_view body, std::string_view remote = "10.1.2.3:40000") {
  return parse_registration("kitchen", "k1", body, remote, RegistrationDefaults{});
}

TEST(RegistryInstance, MinimalBodyTakesDefaults) {
  Instance i = parse(R"({"port":8080})");
  EXPECT_EQ(i.service, "kitchen");
  EXPECT_EQ(i.id, "k1");
  EXPECT_EQ(i.host, "10.1.2.3");
  EXPECT_EQ(i.port, 8080);
  EXPECT_EQ(i.version, "");
  EXPECT_EQ(i.zone, "");
  EXPECT_TRUE(i.metadata.empty());
  EXPECT_EQ(i.ttl, milliseconds(15'000));
  EXPECT_FALSE(i.check.has_value());
  EXPECT_EQ(i.status, Status::passing);
}

TEST(RegistryInstance, FullBody) {
  Instance i = parse(R"({"host":"127.0.0.1","port":41234,"version":"1.0.0","zone":"local",
      "metadata":{"weight":"2"},"ttl":"20s","extra":{"ignored":true},
      "check":{"path":"/health","interval":"3s","timeout":"2s",
               "failures_before_critical":3,"successes_before_passing":2}})");
  EXPECT_EQ(i.host, "127.0.0.1");
  EXPECT_EQ(i.port, 41234);
  EXPECT_EQ(i.version, "1.0.0");
  EXPECT_EQ(i.zone, "local");
  EXPECT_EQ(i.metadata.at("weight"), "2");
  EXPECT_EQ(i.ttl, milliseconds(20'000));
  ASSERT_TRUE(i.check.has_value());
  EXPECT_EQ(i.check->path, "/health");
  EXPECT_EQ(i.check->interval, milliseconds(3'000));
  EXPECT_EQ(i.check->timeout, milliseconds(2'000));
  EXPECT_EQ(i.check->failures_before_critical, 3);
  EXPECT_EQ(i.check->successes_before_passing, 2);
}

TEST(RegistryInstance, TtlAsNumberOfSeconds) {
  EXPECT_EQ(parse(R"({"port":1,"ttl":30})").ttl, milliseconds(30'000));
  EXPECT_EQ(parse(R"({"port":1,"ttl":1.5})").ttl, milliseconds(1'500));
}

TEST(RegistryInstance, CheckDefaults) {
  RegistrationDefaults d;
  d.check_interval = milliseconds(4'000);
  d.check_timeout = milliseconds(9'000);  // above the interval: capped to it
  d.failures_before_critical = 2;
  Instance i = parse_registration("s", "i", R"({"port":1,"check":{"path":"/h"}})", "1.2.3.4:5", d);
  ASSERT_TRUE(i.check.has_value());
  EXPECT_EQ(i.check->interval, milliseconds(4'000));
  EXPECT_EQ(i.check->timeout, milliseconds(4'000));
  EXPECT_EQ(i.check->failures_before_critical, 2);
  EXPECT_EQ(i.check->successes_before_passing, 1);
}

TEST(RegistryInstance, HostDefaultsToThePeerAddress) {
  EXPECT_EQ(parse(R"({"port":1})", "[::1]:4000").host, "::1");
  EXPECT_EQ(parse(R"({"port":1})", "::1:4000").host, "::1");
  EXPECT_THROW(parse(R"({"port":1})", ""), InvalidRegistration);
}

std::string long_body(std::string_view head, std::size_t n, char c, std::string_view tail) {
  return std::string(head) + std::string(n, c) + std::string(tail);
}

std::string many_metadata() {
  std::string body = R"({"port":1,"metadata":{)";
  for (int i = 0; i < 65; ++i) {
    if (i > 0) body += ',';
    body += "\"k";
    body += std::to_string(i);
    body += "\":\"v\"";
  }
  body += "}}";
  return body;
}

TEST(RegistryInstance, RejectsEachBadFieldWithADetailNamingIt) {
  struct Case {
    std::string body;
    std::string names;  // what the error detail must mention
  };
  const Case cases[] = {
      {"", "body"},
      {"{", "malformed"},
      {"[1]", "object"},
      {"{}", "port"},
      {R"({"port":"80"})", "port"},
      {R"({"port":0})", "port"},
      {R"({"port":65536})", "port"},
      {R"({"port":1.5})", "port"},
      {R"({"port":-1})", "port"},
      {R"({"port":1,"host":""})", "host"},
      {R"({"port":1,"host":"a b"})", "host"},
      {R"({"port":1,"host":"a/b"})", "host"},
      {R"({"port":1,"host":5})", "host"},
      {long_body(R"({"port":1,"host":")", 254, 'h', R"("})"), "host"},
      {long_body(R"({"port":1,"version":")", 129, 'v', R"("})"), "version"},
      {R"({"port":1,"zone":7})", "zone"},
      {R"({"port":1,"metadata":[]})", "metadata"},
      {R"({"port":1,"metadata":{"k":1}})", "metadata"},
      {R"({"port":1,"metadata":{"bad key":"v"}})", "metadata"},
      {long_body(R"({"port":1,"metadata":{"k":")", 513, 'x', R"("}})"), "metadata"},
      {many_metadata(), "metadata"},
      {R"({"port":1,"ttl":"abc"})", "ttl"},
      {R"({"port":1,"ttl":"500ms"})", "ttl"},
      {R"({"port":1,"ttl":"25h"})", "ttl"},
      {R"({"port":1,"ttl":true})", "ttl"},
      {R"({"port":1,"check":"/health"})", "check"},
      {R"({"port":1,"check":{}})", "check.path"},
      {R"({"port":1,"check":{"path":5}})", "check.path"},
      {R"({"port":1,"check":{"path":"health"}})", "check.path"},
      {R"({"port":1,"check":{"path":"/h","interval":"500ms"}})", "check.interval"},
      {R"({"port":1,"check":{"path":"/h","interval":"2h"}})", "check.interval"},
      {R"({"port":1,"check":{"path":"/h","interval":"2s","timeout":"3s"}})", "check.timeout"},
      {R"({"port":1,"check":{"path":"/h","interval":"x"}})", "interval"},
      {R"({"port":1,"check":{"path":"/h","failures_before_critical":0}})",
       "check.failures_before_critical"},
      {R"({"port":1,"check":{"path":"/h","successes_before_passing":"2"}})",
       "successes_before_passing"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    try {
      parse(c.body);
      ADD_FAILURE() << "accepted";
    } catch (const InvalidRegistration& e) {
      EXPECT_NE(std::string(e.what()).find(c.names), std::string::npos) << "detail: " << e.what();
    }
  }
}

TEST(RegistryInstance, RejectsBadNames) {
  RegistrationDefaults d;
  EXPECT_THROW(parse_registration("bad name", "i", R"({"port":1})", "1.2.3.4:5", d),
               InvalidRegistration);
  EXPECT_THROW(parse_registration("s", "-i", R"({"port":1})", "1.2.3.4:5", d), InvalidRegistration);
  EXPECT_THROW(parse_registration("s", "", R"({"port":1})", "1.2.3.4:5", d), InvalidRegistration);
}

TEST(RegistryInstance, JsonRoundTrip) {
  Instance i = parse(R"({"host":"h","port":2,"version":"v","zone":"z","metadata":{"a":"b"},
      "ttl":"90s","check":{"path":"/h","interval":"2s","timeout":"1500ms"}})");
  i.status = Status::critical;
  i.registered_at = std::chrono::system_clock::time_point(milliseconds(1'767'225'600'123));
  boost::json::object o = to_json(i);
  EXPECT_EQ(o.at("status").as_string(), "critical");
  EXPECT_EQ(o.at("ttl").as_string(), "90s");
  EXPECT_EQ(o.at("check").as_object().at("timeout").as_string(), "1500ms");
  EXPECT_EQ(o.at("registered_at").as_string(), "2026-01-01T00:00:00.123Z");
  Instance back = instance_from_json("kitchen", "k1", boost::json::serialize(o));
  EXPECT_EQ(back, i);
}

TEST(RegistryInstance, NoCheckMeansNoCheckField) {
  EXPECT_FALSE(to_json(parse(R"({"port":1})")).contains("check"));
}

TEST(RegistryInstance, Rfc3339) {
  auto t = parse_rfc3339("2026-03-04T05:06:07.089Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(format_rfc3339(*t), "2026-03-04T05:06:07.089Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-03-04T05:06:07Z")), "2026-03-04T05:06:07.000Z");
  EXPECT_FALSE(parse_rfc3339("2026-03-04 05:06:07Z").has_value());
  EXPECT_FALSE(parse_rfc3339("2026-03-04T05:06:07").has_value());
  EXPECT_FALSE(parse_rfc3339("yesterday").has_value());
}

}  // namespace
}  // namespace trellis::registry
