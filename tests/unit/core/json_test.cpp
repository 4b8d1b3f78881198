#include "core/json.h"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>

namespace trellis::core {
namespace {

using namespace std::chrono_literals;

TEST(Json, ParseErrors) {
  EXPECT_THROW(parse_json_object("{not json"), JsonError);
  EXPECT_THROW(parse_json_object("[1]"), JsonError);
  EXPECT_THROW(parse_json_object(""), JsonError);
  EXPECT_NO_THROW(parse_json_object("{\"a\":1}"));
  std::string deep(1000, '[');
  EXPECT_THROW(parse_json(deep), JsonError);
}

TEST(Json, TypedFields) {
  auto o = parse_json_object(R"({"s":"x","n":5,"b":true,"o":{},"bad":"5","d":"1m30s"})");
  EXPECT_EQ(required_string(o, "s"), "x");
  EXPECT_EQ(required_int(o, "n"), 5);
  EXPECT_EQ(optional_bool(o, "b"), true);
  EXPECT_NE(optional_object(o, "o"), nullptr);
  EXPECT_EQ(optional_string(o, "missing"), std::nullopt);
  EXPECT_THROW(required_string(o, "missing"), JsonError);
  EXPECT_THROW(required_int(o, "bad"), JsonError);
  EXPECT_THROW(required_string(o, "n"), JsonError);
  EXPECT_EQ(optional_duration(o, "d"), 90s);
  EXPECT_EQ(optional_duration(o, "n"), 5s);
  EXPECT_THROW(optional_duration(o, "s"), JsonError);
}

TEST(Json, Durations) {
  EXPECT_EQ(parse_duration("10s"), 10s);
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("2m"), 120s);
  EXPECT_EQ(parse_duration("1h30m"), 5400s);
  EXPECT_EQ(parse_duration("15"), 15s);
  EXPECT_EQ(parse_duration(""), std::nullopt);
  EXPECT_EQ(parse_duration("10x"), std::nullopt);
  EXPECT_EQ(parse_duration("-1s"), std::nullopt);
  EXPECT_EQ(format_duration(15s), "15s");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
}

}  // namespace
}  // namespace trellis::core
