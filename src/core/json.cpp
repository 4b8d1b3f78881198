#include "core/json.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

namespace trellis::core {

namespace json = boost::json;

json::value parse_json(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec) throw JsonError("malformed JSON: " + ec.message());
  return v;
}

json::object parse_json_object(std::string_view text) {
  if (text.empty()) throw JsonError("a JSON object body is required");
  json::value v = parse_json(text);
  if (!v.is_object()) throw JsonError("the body must be a JSON object");
  return std::move(v.as_object());
}

std::string to_json(const json::value& v) { return json::serialize(v); }

namespace {
const json::value* field(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return nullptr;
  return &it->value();
}
[[noreturn]] void wrong_type(std::string_view key, std::string_view expected) {
  throw JsonError("field '" + std::string(key) + "' must be " + std::string(expected));
}
}  // namespace

std::optional<std::string> optional_string(const json::object& o, std::string_view key) {
  const json::value* v = field(o, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) wrong_type(key, "a string");
  return std::string(v->as_string());
}

std::string required_string(const json::object& o, std::string_view key) {
  auto s = optional_string(o, key);
  if (!s) throw JsonError("field '" + std::string(key) + "' is required");
  return *s;
}

std::optional<std::int64_t> optional_int(const json::object& o, std::string_view key) {
  const json::value* v = field(o, key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->as_uint64());
  if (v->is_double()) {
    double d = v->as_double();
    if (d == static_cast<double>(static_cast<std::int64_t>(d)) && d > -9e18 && d < 9e18)
      return static_cast<std::int64_t>(d);
  }
  wrong_type(key, "an integer");
}

std::int64_t required_int(const json::object& o, std::string_view key) {
  auto n = optional_int(o, key);
  if (!n) throw JsonError("field '" + std::string(key) + "' is required");
  return *n;
}

std::optional<bool> optional_bool(const json::object& o, std::string_view key) {
  const json::value* v = field(o, key);
  if (!v) return std::nullopt;
  if (!v->is_bool()) wrong_type(key, "true or false");
  return v->as_bool();
}

const json::object* optional_object(const json::object& o, std::string_view key) {
  const json::value* v = field(o, key);
  if (!v) return nullptr;
  if (!v->is_object()) wrong_type(key, "an object");
  return &v->as_object();
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  // A bare number means seconds.
  {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec == std::errc{} && p == s.data() + s.size())
      return n < 0 || n > 100'000'000 ? std::nullopt
                                      : std::optional(std::chrono::milliseconds(n * 1000));
  }
  std::int64_t total_ms = 0;
  while (!s.empty()) {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || n < 0 || n > 100'000'000) return std::nullopt;
    s.remove_prefix(static_cast<std::size_t>(p - s.data()));
    std::int64_t unit_ms = 0;
    if (s.starts_with("ms")) {
      unit_ms = 1;
      s.remove_prefix(2);
    } else if (s.starts_with("s")) {
      unit_ms = 1000;
      s.remove_prefix(1);
    } else if (s.starts_with("m")) {
      unit_ms = 60'000;
      s.remove_prefix(1);
    } else if (s.starts_with("h")) {
      unit_ms = 3'600'000;
      s.remove_prefix(1);
    } else {
      return std::nullopt;
    }
    total_ms += n * unit_ms;
    if (total_ms > 100'000'000'000) return std::nullopt;
  }
  return std::chrono::milliseconds(total_ms);
}

std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  return std::to_string(ms / 1000) + "s";
}

std::optional<std::chrono::milliseconds> optional_duration(const json::object& o,
                                                           std::string_view key) {
  const json::value* v = field(o, key);
  if (!v) return std::nullopt;
  if (v->is_string()) {
    auto d = parse_duration(v->as_string());
    if (!d) wrong_type(key, "a duration such as \"10s\" or \"500ms\"");
    return d;
  }
  if (v->is_int64() || v->is_uint64() || v->is_double()) {
    double secs = v->to_number<double>();
    if (secs < 0 || secs > 1e8) wrong_type(key, "a duration such as \"10s\" or \"500ms\"");
    return std::chrono::milliseconds(static_cast<std::int64_t>(secs * 1000));
  }
  wrong_type(key, "a duration such as \"10s\" or \"500ms\"");
}

}  // namespace trellis::core
