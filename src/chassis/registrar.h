// Keeps one instance registered: registers, renews the lease every heartbeat interval,
// re-registers when the registry answers 404 (it lost or expired the instance), keeps
// trying while the registry is unreachable, and deregisters on shutdown.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <string>

#include "core/client.h"
#include "core/task.h"

namespace trellis::chassis {

struct Registration {
  core::BaseUrl registry;
  std::string service;
  std::string id;
  std::string host;
  std::uint16_t port = 0;
  std::string version;
  std::string zone;
  std::map<std::string, std::string> metadata;
  std::chrono::milliseconds ttl{15'000};
  std::chrono::milliseconds heartbeat{5'000};
  std::string check_path = "/health";  // empty: TTL only
  std::chrono::milliseconds check_interval{10'000};
};

// The JSON body of PUT /v1/registry/instances/{service}/{id}.
std::string registration_body(const Registration& r);

class RegistrationLoop {
 public:
  explicit RegistrationLoop(Registration r);
  // Runs until stop(); register → heartbeat every interval → re-register on 404.
  core::Task<void> run();
  void stop() { stopping_ = true; }
  // Removes the instance from the registry (best effort, short timeout).
  core::Task<bool> deregister();
  bool registered() const { return registered_; }

 private:
  core::Task<bool> register_once();
  Registration r_;
  core::HttpClient http_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> registered_{false};
};

}  // namespace trellis::chassis
