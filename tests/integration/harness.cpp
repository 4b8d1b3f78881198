#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>


#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace trellis::testing {

namespace fs = std::filesystem;

std::string bin_dir() { return TRELLIS_BIN_DIR; }
std::string binary(const std::string& name) { return bin_dir() + "/" + name; }

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "trellis-test-XXXXXX").string();
  path = ::mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path, ec);
}

Proc::Proc(const std::string& name, std::vector<std::string> args, const std::string& log_dir) {
  static int counter = 0;
  log_file_ = log_dir + "/" + name + "-" + std::to_string(++counter) + ".log";
  supervisor::ProcessSpec spec;
  spec.path = binary(name);
  spec.args = std::move(args);
  spec.log_file = log_file_;
  process_.start(spec);
}

Proc::~Proc() {
  if (process_.running()) process_.stop(std::chrono::seconds(5));
}

void Proc::kill9() {
  process_.signal(SIGKILL);
  eventually([&] { return !process_.running(); }, std::chrono::seconds(5));
}

int Proc::terminate(std::chrono::milliseconds grace) { return process_.stop(grace); }

std::string Proc::log() const {
  std::ifstream in(log_file_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

core::HttpResult http(const std::string& base_url, core::Method method, const std::string& target,
                      const std::string& body, std::chrono::milliseconds timeout) {
  return core::blocking_call(core::BaseUrl::parse(base_url), method, target, body, timeout);
}

core::HttpResult http_get(const std::string& base_url, const std::string& target) {
  return http(base_url, core::Method::get, target);
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace trellis::testing
