// The control plane process: one HTTP server on the admin address with every component this
// process runs mounted on it (today: the registry). `trellis up` and `trellis serve` share it.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/client.h"
#include "core/router.h"
#include "core/runtime.h"
#include "core/server.h"
#include "registry/registry.h"

namespace trellis::cli {

// Where the control plane listens and where the CLI looks when told nothing else.
inline constexpr const char* kDefaultListen = core::kDefaultControlPlaneListen;
inline constexpr const char* kDefaultDataDir = ".trellis";

struct ControlPlaneOptions {
  std::string listen = kDefaultListen;
  std::string data_dir = kDefaultDataDir;
  int threads = 0;
};

class ControlPlane {
 public:
  explicit ControlPlane(ControlPlaneOptions options);
  ~ControlPlane();
  // Opens the stores, binds, starts the io threads. Throws on a bad address or store.
  void start();
  std::string address() const;
  // Blocks until SIGINT/SIGTERM (or request_stop()).
  void wait_for_signal();
  // As wait_for_signal(), for at most `timeout`; true when a stop was requested.
  bool wait_for_signal(std::chrono::milliseconds timeout);
  void request_stop();
  bool stop_requested() const;
  // Drains the HTTP server, stops the components, stops the io threads.
  void stop();

 private:
  struct State;
  ControlPlaneOptions options_;
  std::unique_ptr<core::Runtime> runtime_;
  core::Router router_;
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<core::HttpServer> server_;
  std::unique_ptr<State> state_;
};

}  // namespace trellis::cli
