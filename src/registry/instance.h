// One registered instance of a service: the model, its JSON form, and the validation of a
// registration body. Every rule a registration must satisfy lives here.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace trellis::registry {

enum class Status { passing, critical };
std::string_view to_string(Status s);

// An active HTTP check: GET http://host:port<path> every `interval`; 2xx is a success.
struct HealthCheck {
  std::string path;
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds timeout{0};
  int failures_before_critical = 1;
  int successes_before_passing = 1;

  bool operator==(const HealthCheck&) const = default;
};

struct Instance {
  std::string service;
  std::string id;
  std::string host;
  std::uint16_t port = 0;
  std::string version;
  std::string zone;
  std::map<std::string, std::string> metadata;  // ordered: stable JSON output
  std::chrono::milliseconds ttl{0};
  std::optional<HealthCheck> check;  // none: TTL only, no active probing
  Status status = Status::passing;
  std::chrono::system_clock::time_point registered_at;

  bool operator==(const Instance&) const = default;
};

// The key of an instance: (service, id).
struct InstanceKey {
  std::string service;
  std::string id;

  bool operator==(const InstanceKey&) const = default;
};

// Defaults for what a registration may omit (see RegistryOptions).
struct RegistrationDefaults {
  std::chrono::milliseconds ttl{15'000};
  std::chrono::milliseconds check_interval{10'000};
  std::chrono::milliseconds check_timeout{5'000};
  int failures_before_critical = 1;
  int successes_before_passing = 1;
};

// A registration that breaks a rule; what() names the field, fit for a 400 detail.
struct InvalidRegistration : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Validates the body of `PUT /v1/registry/instances/{service}/{id}`. `remote` is the peer
// address ("ip:port") that `host` defaults to. Throws InvalidRegistration. The returned
// instance has status passing and no registered_at (the caller stamps it).
Instance parse_registration(std::string_view service, std::string_view id, std::string_view body,
                            std::string_view remote, const RegistrationDefaults& defaults);

// The API form: {"service","id","host","port","version","zone","metadata","ttl","check"?,
// "status","registered_at"}. It is also the stored form.
boost::json::object to_json(const Instance& instance);
// Reads back the stored form (the same rules as a registration, plus status and
// registered_at). Throws InvalidRegistration.
Instance instance_from_json(std::string_view service, std::string_view id, std::string_view json);

// RFC 3339 in UTC with milliseconds, e.g. "2026-01-01T12:00:00.123Z".
std::string format_rfc3339(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view s);

}  // namespace trellis::registry
