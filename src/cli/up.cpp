// `trellis up FILE`: the control plane in this process, plus every instance of every
// service in the system file as a child process. Ctrl-C stops the children, then the
// control plane.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/control_plane.h"
#include "core/json.h"
#include "core/log.h"
#include "supervisor/process.h"
#include "supervisor/system_file.h"

namespace trellis::cli {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

struct RunningInstance {
  std::string service;
  std::string id;
  std::string log_file;
  supervisor::ChildProcess process;
  bool reported_exit = false;
};

// "host:port" of each passing instance of `service` (empty when the registry does not answer).
std::vector<std::string> passing_addresses(const core::BaseUrl& registry,
                                           const std::string& service) {
  std::vector<std::string> out;
  auto r = core::blocking_call(registry, core::Method::get, "/v1/registry/services/" + service, {}, 2s);
  if (!r.ok() || r->status != 200) return out;
  try {
    auto o = core::parse_json_object(r->body);
    const auto* list = o.if_contains("instances");
    if (!list || !list->is_array()) return out;
    for (const auto& v : list->as_array()) {
      if (!v.is_object()) continue;
      const auto& inst = v.as_object();
      out.push_back(core::optional_string(inst, "host").value_or("?") + ":" +
                    std::to_string(core::optional_int(inst, "port").value_or(0)));
    }
  } catch (const core::JsonError&) {
    out.clear();
  }
  return out;
}

}  // namespace

int up(const std::string& system_file, const std::string& listen, const std::string& data_dir) {
  supervisor::SystemSpec spec;
  try {
    spec = supervisor::load_system_file(system_file);
  } catch (const supervisor::SystemFileError& e) {
    std::cerr << "trellis up: " << e.what() << "\n";
    return 2;
  }
  // Resolve every binary before starting anything.
  std::map<std::string, std::string> binaries;
  for (const auto& s : spec.services) {
    std::string path = supervisor::find_executable(s.binary);
    if (path.empty()) {
      std::cerr << "trellis up: service '" << s.name << "': binary '" << s.binary
                << "' not found next to trellis or on PATH (run `make build`)\n";
      return 1;
    }
    binaries[s.name] = path;
  }
  std::error_code ec;
  fs::create_directories(fs::path(data_dir) / "logs", ec);
  if (ec) {
    std::cerr << "trellis up: cannot create " << data_dir << ": " << ec.message() << "\n";
    return 1;
  }

  core::set_log_component("trellis");
  ControlPlane plane({.listen = listen, .data_dir = data_dir});
  try {
    plane.start();
  } catch (const std::exception& e) {
    std::cerr << "trellis up: " << e.what() << "\n";
    return 1;
  }
  const std::string registry_url = "http://" + plane.address();
  const auto registry = core::BaseUrl::parse(registry_url);

  std::cout << "trellis up: system '" << (spec.name.empty() ? system_file : spec.name) << "'\n"
            << "  control plane  " << registry_url << "  (registry API: " << registry_url
            << "/v1/registry/services)\n"
            << "  data           " << data_dir << "\n";

  std::vector<RunningInstance> instances;
  for (const auto& s : spec.services) {
    for (int n = 1; n <= s.replicas; ++n) {
      RunningInstance inst;
      inst.service = s.name;
      inst.id = s.name + "-" + std::to_string(n);
      inst.log_file = (fs::path(data_dir) / "logs" / (inst.id + ".log")).string();
      supervisor::ProcessSpec ps;
      ps.path = binaries[s.name];
      ps.args = {"--registry", registry_url, "--id", inst.id};
      ps.args.insert(ps.args.end(), s.args.begin(), s.args.end());
      ps.env = s.env;
      ps.log_file = inst.log_file;
      try {
        inst.process.start(ps);
      } catch (const std::exception& e) {
        std::cerr << "trellis up: cannot start " << inst.id << ": " << e.what() << "\n";
        instances.clear();
        plane.stop();
        return 1;
      }
      std::cout << "  " << inst.id << "  pid " << inst.process.pid() << "  log " << inst.log_file
                << "\n";
      instances.push_back(std::move(inst));
    }
  }
  std::cout << std::flush;

  // Report when each service has all its instances registered (or say which did not).
  auto deadline = std::chrono::steady_clock::now() + 15s;
  for (const auto& s : spec.services) {
    std::vector<std::string> seen;
    while (static_cast<int>((seen = passing_addresses(registry, s.name)).size()) < s.replicas &&
           std::chrono::steady_clock::now() < deadline && !plane.wait_for_signal(100ms)) {
    }
    if (plane.stop_requested()) break;
    std::string where;
    for (const auto& a : seen) where += (where.empty() ? "" : ", ") + a;
    std::cout << "  " << s.name << ": " << seen.size() << "/" << s.replicas << " registered"
              << (where.empty() ? "" : " at " + where)
              << (static_cast<int>(seen.size()) < s.replicas ? " (see the logs)" : "") << "\n";
  }
  std::cout << "ready: `trellis services`, `trellis instances kitchen`; Ctrl-C stops everything"
            << std::endl;

  while (!plane.wait_for_signal(250ms)) {
    for (auto& inst : instances) {
      if (inst.reported_exit) continue;
      if (auto status = inst.process.poll()) {
        inst.reported_exit = true;
        core::log(core::LogLevel::warn, "instance exited",
                  {{"id", inst.id}, {"status", *status}, {"log", inst.log_file}});
      }
    }
  }
  std::cout << "trellis up: stopping " << instances.size() << " instances" << std::endl;
  // Stop them in parallel: each gets SIGTERM (deregister, drain), then SIGKILL after 10 s.
  for (auto& inst : instances) inst.process.signal(SIGTERM);
  for (auto& inst : instances) inst.process.stop(10s);
  plane.stop();
  std::cout << "trellis up: stopped" << std::endl;
  return 0;
}

}  // namespace trellis::cli
