#include "registry/instance.h"

#include <boost/json/value.hpp>

#include <cctype>
#include <cstdio>
#include <ctime>

#include "core/ids.h"
#include "core/json.h"

namespace trellis::registry {

namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t kMaxHost = 253;
constexpr std::size_t kMaxLabel = 128;  // version, zone
constexpr std::size_t kMaxMetadataEntries = 64;
constexpr std::size_t kMaxMetadataValue = 512;
constexpr milliseconds kMinTtl{1'000};
constexpr milliseconds kMaxTtl{24 * 3'600'000};
constexpr milliseconds kMinInterval{1'000};
constexpr milliseconds kMaxInterval{3'600'000};
constexpr int kMaxThreshold = 100;

[[noreturn]] void invalid(std::string_view field, std::string_view rule) {
  throw InvalidRegistration("field '" + std::string(field) + "' " + std::string(rule));
}

// The IP part of a peer address: "10.0.0.1:4000" → "10.0.0.1", "[::1]:4000" or "::1:4000" → "::1".
std::string host_of(std::string_view remote) {
  if (remote.starts_with('[')) {
    auto close = remote.find(']');
    return close == std::string_view::npos ? std::string{}
                                           : std::string(remote.substr(1, close - 1));
  }
  auto colon = remote.rfind(':');
  return std::string(remote.substr(0, colon));
}

std::string read_host(const json::object& body, std::string_view remote) {
  std::optional<std::string> host = core::optional_string(body, "host");
  if (!host) {
    std::string peer = host_of(remote);
    if (peer.empty()) invalid("host", "is required (the peer address is unknown)");
    return peer;
  }
  if (host->empty() || host->size() > kMaxHost) invalid("host", "must be 1 to 253 characters");
  for (unsigned char c : *host)
    if (std::isspace(c) || std::iscntrl(c) || c == '/')
      invalid("host", "must not contain whitespace or '/'");
  return *host;
}

std::string read_label(const json::object& body, std::string_view field) {
  std::string s = core::optional_string(body, field).value_or("");
  if (s.size() > kMaxLabel) invalid(field, "must be at most 128 bytes");
  return s;
}

std::map<std::string, std::string> read_metadata(const json::object& body) {
  std::map<std::string, std::string> out;
  const json::object* md = core::optional_object(body, "metadata");
  if (!md) return out;
  if (md->size() > kMaxMetadataEntries) invalid("metadata", "must have at most 64 entries");
  for (const auto& kv : *md) {
    std::string_view key = kv.key();
    if (!core::valid_name(key))
      invalid("metadata", "key '" + std::string(key) + "' is not a valid name ([A-Za-z0-9._-])");
    if (!kv.value().is_string())
      invalid("metadata", "value of '" + std::string(key) + "' must be a string");
    const json::string& v = kv.value().get_string();
    if (v.size() > kMaxMetadataValue)
      invalid("metadata", "value of '" + std::string(key) + "' must be at most 512 bytes");
    out.emplace(std::string(key), std::string(v));
  }
  return out;
}

milliseconds read_duration(const json::object& o, std::string_view field, std::string_view name,
                           milliseconds fallback, milliseconds min, milliseconds max,
                           std::string_view range) {
  milliseconds d = core::optional_duration(o, field).value_or(fallback);
  if (d < min || d > max) invalid(name, "must be " + std::string(range));
  return d;
}

int read_threshold(const json::object& o, std::string_view field, std::string_view name,
                   int fallback) {
  std::int64_t n = core::optional_int(o, field).value_or(fallback);
  if (n < 1 || n > kMaxThreshold) invalid(name, "must be an integer from 1 to 100");
  return static_cast<int>(n);
}

std::optional<HealthCheck> read_check(const json::object& body,
                                      const RegistrationDefaults& defaults) {
  const json::object* c = core::optional_object(body, "check");
  if (!c) return std::nullopt;
  HealthCheck check;
  std::optional<std::string> path;
  try {
    path = core::optional_string(*c, "path");
  } catch (const core::JsonError&) {
    invalid("check.path", "must be a string");
  }
  if (!path) invalid("check.path", "is required when 'check' is given");
  if (path->empty() || path->front() != '/') invalid("check.path", "must start with '/'");
  for (unsigned char ch : *path)
    if (std::isspace(ch) || std::iscntrl(ch)) invalid("check.path", "must not contain whitespace");
  check.path = *path;
  try {
    check.interval = read_duration(*c, "interval", "check.interval", defaults.check_interval,
                                   kMinInterval, kMaxInterval, "from 1s to 1h");
    check.timeout = read_duration(*c, "timeout", "check.timeout",
                                  std::min(defaults.check_timeout, check.interval), milliseconds{1},
                                  check.interval, "positive and at most check.interval");
    check.failures_before_critical =
        read_threshold(*c, "failures_before_critical", "check.failures_before_critical",
                       defaults.failures_before_critical);
    check.successes_before_passing =
        read_threshold(*c, "successes_before_passing", "check.successes_before_passing",
                       defaults.successes_before_passing);
  } catch (const core::JsonError& e) {
    // The core helpers name the inner field only; say where it sits.
    throw InvalidRegistration(std::string("check: ") + e.what());
  }
  return check;
}

Instance parse_object(std::string_view service, std::string_view id, const json::object& body,
                      std::string_view remote, const RegistrationDefaults& defaults) {
  if (!core::valid_name(service))
    throw InvalidRegistration(
        "service name must be 1 to 128 of [A-Za-z0-9._-], starting alphanumeric");
  if (!core::valid_name(id))
    throw InvalidRegistration(
        "instance id must be 1 to 128 of [A-Za-z0-9._-], starting alphanumeric");
  Instance inst;
  inst.service = service;
  inst.id = id;
  try {
    std::int64_t port = core::required_int(body, "port");
    if (port < 1 || port > 65535) invalid("port", "must be an integer from 1 to 65535");
    inst.port = static_cast<std::uint16_t>(port);
    inst.host = read_host(body, remote);
    inst.version = read_label(body, "version");
    inst.zone = read_label(body, "zone");
    inst.metadata = read_metadata(body);
    inst.ttl = read_duration(body, "ttl", "ttl", defaults.ttl, kMinTtl, kMaxTtl, "from 1s to 24h");
    inst.check = read_check(body, defaults);
  } catch (const core::JsonError& e) {
    throw InvalidRegistration(e.what());
  }
  return inst;
}

}  // namespace

std::string_view to_string(Status s) { return s == Status::passing ? "passing" : "critical"; }

Instance parse_registration(std::string_view service, std::string_view id, std::string_view body,
                            std::string_view remote, const RegistrationDefaults& defaults) {
  json::object o;
  try {
    o = core::parse_json_object(body);
  } catch (const core::JsonError& e) {
    throw InvalidRegistration(e.what());
  }
  return parse_object(service, id, o, remote, defaults);
}

json::object to_json(const Instance& inst) {
  json::object o;
  o["service"] = inst.service;
  o["id"] = inst.id;
  o["host"] = inst.host;
  o["port"] = inst.port;
  o["version"] = inst.version;
  o["zone"] = inst.zone;
  json::object md;
  for (const auto& [k, v] : inst.metadata) md[k] = v;
  o["metadata"] = std::move(md);
  o["ttl"] = core::format_duration(inst.ttl);
  if (inst.check) {
    json::object c;
    c["path"] = inst.check->path;
    c["interval"] = core::format_duration(inst.check->interval);
    c["timeout"] = core::format_duration(inst.check->timeout);
    c["failures_before_critical"] = inst.check->failures_before_critical;
    c["successes_before_passing"] = inst.check->successes_before_passing;
    o["check"] = std::move(c);
  }
  o["status"] = to_string(inst.status);
  o["registered_at"] = format_rfc3339(inst.registered_at);
  return o;
}

Instance instance_from_json(std::string_view service, std::string_view id, std::string_view text) {
  json::object o;
  try {
    o = core::parse_json_object(text);
  } catch (const core::JsonError& e) {
    throw InvalidRegistration(e.what());
  }
  if (!o.contains("host")) invalid("host", "is required");
  Instance inst = parse_object(service, id, o, {}, RegistrationDefaults{});
  try {
    std::string status = core::required_string(o, "status");
    if (status == "passing")
      inst.status = Status::passing;
    else if (status == "critical")
      inst.status = Status::critical;
    else
      invalid("status", "must be \"passing\" or \"critical\"");
    auto at = parse_rfc3339(core::required_string(o, "registered_at"));
    if (!at) invalid("registered_at", "must be an RFC 3339 UTC time");
    inst.registered_at = *at;
  } catch (const core::JsonError& e) {
    throw InvalidRegistration(e.what());
  }
  return inst;
}

std::string format_rfc3339(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int frac = static_cast<int>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view s) {
  // Only the form format_rfc3339 writes (fraction optional): YYYY-MM-DDTHH:MM:SS[.fff]Z.
  int year, mon, day, hour, min, sec, consumed = 0;
  std::string text(s);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &mon, &day, &hour, &min, &sec,
                  &consumed) != 6 ||
      consumed != 19)
    return std::nullopt;
  std::string_view rest = s.substr(19);
  int frac_ms = 0;
  if (rest.starts_with('.')) {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front()))) {
      if (digits < 3) frac_ms = frac_ms * 10 + (rest.front() - '0');
      ++digits;
      rest.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) frac_ms *= 10;
  }
  if (rest != "Z") return std::nullopt;
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  std::time_t secs = timegm(&tm);
  return std::chrono::system_clock::time_point(std::chrono::seconds(secs) + milliseconds(frac_ms));
}

}  // namespace trellis::registry
