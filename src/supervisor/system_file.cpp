#include "supervisor/system_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "core/ids.h"

namespace trellis::supervisor {

namespace {
[[noreturn]] void fail(const std::string& origin, const std::string& what) {
  throw SystemFileError(origin + ": " + what);
}

std::string scalar(const YAML::Node& n, const std::string& origin, const std::string& where) {
  if (!n.IsScalar()) fail(origin, where + " must be a string");
  return n.as<std::string>();
}
}  // namespace

SystemSpec parse_system_yaml(const std::string& text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail(origin, std::string("invalid YAML: ") + e.what());
  }
  if (!root.IsMap()) fail(origin, "expected a mapping with 'name' and 'services'");
  SystemSpec spec;
  if (root["name"]) spec.name = scalar(root["name"], origin, "name");
  const YAML::Node services = root["services"];
  if (!services || !services.IsMap() || services.size() == 0)
    fail(origin, "'services' must map service names to their settings");
  for (const auto& kv : services) {
    ServiceSpec s;
    s.name = scalar(kv.first, origin, "a service name");
    if (!core::valid_name(s.name)) fail(origin, "invalid service name '" + s.name + "'");
    const YAML::Node& body = kv.second;
    if (!body.IsMap()) fail(origin, "service '" + s.name + "' must be a mapping");
    if (!body["binary"]) fail(origin, "service '" + s.name + "' needs 'binary'");
    s.binary = scalar(body["binary"], origin, s.name + ".binary");
    if (s.binary.empty()) fail(origin, "service '" + s.name + "' has an empty 'binary'");
    if (body["replicas"]) {
      try {
        s.replicas = body["replicas"].as<int>();
      } catch (const YAML::Exception&) {
        fail(origin, s.name + ".replicas must be a whole number");
      }
      if (s.replicas < 1 || s.replicas > 64) fail(origin, s.name + ".replicas must be 1..64");
    }
    if (const auto args = body["args"]) {
      if (!args.IsSequence()) fail(origin, s.name + ".args must be a list");
      for (const auto& a : args) s.args.push_back(scalar(a, origin, s.name + ".args[]"));
    }
    if (const auto env = body["env"]) {
      if (!env.IsMap()) fail(origin, s.name + ".env must be a mapping");
      for (const auto& e : env)
        s.env[scalar(e.first, origin, s.name + ".env key")] =
            scalar(e.second, origin, s.name + ".env value");
    }
    spec.services.push_back(std::move(s));
  }
  return spec;
}

SystemSpec load_system_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw SystemFileError(path + ": cannot open the system file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_system_yaml(ss.str(), path);
}

}  // namespace trellis::supervisor
