// Helpers for integration tests: real trellis and example processes on 127.0.0.1 with
// ephemeral ports, blocking HTTP calls, and polling with a deadline (never sleeps as sync).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/client.h"
#include "supervisor/process.h"

namespace trellis::testing {

// Directory holding the built binaries (trellis, cafe-kitchen, ...).
std::string bin_dir();
std::string binary(const std::string& name);
// A port that was free a moment ago on 127.0.0.1.
std::uint16_t free_port();
// A fresh temporary directory, removed by the caller's TempDir.
struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
};

// A child process whose output goes to a log file; stopped (TERM, then KILL) on destruction.
class Proc {
 public:
  Proc(const std::string& name, std::vector<std::string> args, const std::string& log_dir);
  ~Proc();
  pid_t pid() const { return process_.pid(); }
  void kill9();
  int terminate(std::chrono::milliseconds grace = std::chrono::seconds(10));
  bool running() { return process_.running(); }
  std::string log() const;

 private:
  supervisor::ChildProcess process_;
  std::string log_file_;
};

core::HttpResult http(const std::string& base_url, core::Method method, const std::string& target,
                      const std::string& body = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));
core::HttpResult http_get(const std::string& base_url, const std::string& target);

// Polls `condition` every 50 ms until it holds or `deadline` passes; returns the last result.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds deadline = std::chrono::seconds(20));

}  // namespace trellis::testing
