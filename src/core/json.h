// JSON is Boost.JSON. These helpers give the checked reads every API needs: a wrong type or a
// missing field becomes a JsonError with a message fit for a 400 detail, never a crash.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace trellis::core {

struct JsonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses `text`; throws JsonError naming the position of a syntax error.
boost::json::value parse_json(std::string_view text);
// Parses and requires an object.
boost::json::object parse_json_object(std::string_view text);

std::string to_json(const boost::json::value& v);

// Field readers. `required_*` throw JsonError when absent; `optional_*` return nullopt.
// Both throw JsonError when the field has the wrong type.
std::string required_string(const boost::json::object& o, std::string_view key);
std::optional<std::string> optional_string(const boost::json::object& o, std::string_view key);
std::int64_t required_int(const boost::json::object& o, std::string_view key);
std::optional<std::int64_t> optional_int(const boost::json::object& o, std::string_view key);
std::optional<bool> optional_bool(const boost::json::object& o, std::string_view key);
const boost::json::object* optional_object(const boost::json::object& o, std::string_view key);

// Durations as Go/Consul write them: "10s", "500ms", "1m", "1h30m"; a bare number is seconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view s);
std::string format_duration(std::chrono::milliseconds d);
// A duration field that may be a string ("10s") or a number of seconds.
std::optional<std::chrono::milliseconds> optional_duration(const boost::json::object& o,
                                                           std::string_view key);

}  // namespace trellis::core
