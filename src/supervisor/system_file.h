// The system file (YAML) that `trellis up` runs, e.g. examples/cafe/system.yaml:
//
//   name: cafe
//   services:
//     kitchen:
//       binary: cafe-kitchen   # looked up next to the trellis binary, then on PATH
//       replicas: 3            # default 1, at most 64
//       args: ["--zone", "a"]  # extra flags for every instance
//       env: {KEY: value}
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace trellis::supervisor {

struct ServiceSpec {
  std::string name;
  std::string binary;
  int replicas = 1;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
};

struct SystemSpec {
  std::string name;
  std::vector<ServiceSpec> services;  // in file order
};

struct SystemFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws SystemFileError naming the file and what is wrong.
SystemSpec load_system_file(const std::string& path);
SystemSpec parse_system_yaml(const std::string& text, const std::string& origin);

}  // namespace trellis::supervisor
