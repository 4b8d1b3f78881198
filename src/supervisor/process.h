// Child processes of `trellis up`: started with fork/exec, output to a log file, told to
// exit with SIGTERM when trellis itself dies (PR_SET_PDEATHSIG), stopped TERM-then-KILL.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace trellis::supervisor {

struct ProcessSpec {
  std::string path;               // executable
  std::vector<std::string> args;  // without argv[0]
  std::map<std::string, std::string> env;  // added to the inherited environment
  std::string log_file;           // stdout and stderr, appended; empty: inherit
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) noexcept;

  // Throws std::system_error when fork fails; an exec failure shows as exit code 127.
  void start(const ProcessSpec& spec);
  pid_t pid() const { return pid_; }
  bool running();
  // The exit status once the process ended (waitpid WNOHANG); a signal death is 128+signal.
  std::optional<int> poll();
  void signal(int sig);
  // SIGTERM, wait up to `grace`, then SIGKILL; returns the exit status.
  int stop(std::chrono::milliseconds grace);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Finds `binary`: as given when it contains '/', else next to the running executable, else on
// PATH. Empty when not found.
std::string find_executable(const std::string& binary);

}  // namespace trellis::supervisor
