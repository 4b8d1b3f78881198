// `trellis services` and `trellis instances`: read the registry and print a table or JSON.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "core/client.h"
#include "core/ids.h"
#include "core/json.h"

namespace trellis::cli {

namespace json = boost::json;

std::string registry_url(const GlobalOptions& g) {
  return g.registry.empty() ? core::default_registry_url() : g.registry;
}

namespace {

// GETs `target` from the registry; prints why on failure and returns nullopt.
std::optional<json::object> fetch(const GlobalOptions& g, const std::string& target) {
  std::string url = registry_url(g);
  core::BaseUrl base;
  try {
    base = core::BaseUrl::parse(url);
  } catch (const std::invalid_argument& e) {
    std::cerr << "trellis: --registry: " << e.what() << "\n";
    return std::nullopt;
  }
  auto r = core::blocking_call(base, core::Method::get, target);
  if (!r.ok()) {
    std::cerr << "trellis: registry at " << url << " unreachable: " << r.error().detail << "\n";
    return std::nullopt;
  }
  if (r->status != 200) {
    std::cerr << "trellis: registry answered " << r->status << ": " << r->body << "\n";
    return std::nullopt;
  }
  try {
    return core::parse_json_object(r->body);
  } catch (const core::JsonError& e) {
    std::cerr << "trellis: registry answer is not JSON: " << e.what() << "\n";
    return std::nullopt;
  }
}

std::string field(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return "";
  if (it->value().is_string()) return std::string(it->value().as_string());
  return json::serialize(it->value());
}

void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

}  // namespace

int list_services(const GlobalOptions& g) {
  auto body = fetch(g, "/v1/registry/services");
  if (!body) return 1;
  const json::value* list = body->if_contains("services");
  if (!list || !list->is_array()) {
    std::cerr << "trellis: registry answer has no 'services' list\n";
    return 1;
  }
  if (g.json) {
    std::cout << json::serialize(*list) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"SERVICE", "INSTANCES", "PASSING"}};
  for (const auto& s : list->as_array())
    if (s.is_object())
      rows.push_back({field(s.as_object(), "name"), field(s.as_object(), "instances"),
                      field(s.as_object(), "passing")});
  print_table(rows);
  return 0;
}

int list_instances(const GlobalOptions& g, const std::string& service, bool all) {
  if (!core::valid_name(service)) {
    std::cerr << "trellis: invalid service name '" << service << "'\n";
    return 2;
  }
  auto body = fetch(g, "/v1/registry/services/" + service + (all ? "?all=true" : ""));
  if (!body) return 1;
  const json::value* list = body->if_contains("instances");
  if (!list || !list->is_array()) {
    std::cerr << "trellis: registry answer has no 'instances' list\n";
    return 1;
  }
  if (g.json) {
    std::cout << json::serialize(*list) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"ID", "ADDRESS", "VERSION", "ZONE", "STATUS"}};
  for (const auto& v : list->as_array()) {
    if (!v.is_object()) continue;
    const auto& o = v.as_object();
    rows.push_back({field(o, "id"), field(o, "host") + ":" + field(o, "port"), field(o, "version"),
                    field(o, "zone"), field(o, "status")});
  }
  print_table(rows);
  return 0;
}

}  // namespace trellis::cli
