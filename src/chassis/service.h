// A Trellis service in a few lines:
//
//   int main(int argc, char** argv) {
//     auto svc = trellis::chassis::Service::from_args("kitchen", "1.0.0", argc, argv);
//     svc.get("/menu", [](trellis::core::Request&) -> trellis::core::Task<trellis::core::Response> {
//       co_return trellis::core::Response::text(200, "espresso");
//     });
//     return svc.run();
//   }
//
// run() binds the port (ephemeral by default), registers with the registry, renews the lease,
// re-registers after a 404 or a registry restart, serves /health, /health/live,
// /health/ready and /info, and on SIGTERM/SIGINT deregisters first, then drains.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "chassis/balancer.h"
#include "chassis/discovery.h"
#include "chassis/service_client.h"
#include "core/router.h"
#include "core/server.h"

namespace trellis::chassis {

struct ServiceOptions {
  std::string name;
  std::string version = "0.0.0";
  // Registry base URL. Default: core::default_registry_url() ($TRELLIS_REGISTRY, else
  // http://127.0.0.1:7700).
  std::string registry;
  // Instance id. Default: <name>-<8 random hex>.
  std::string instance_id;
  // Host registered for callers to reach this instance. Default: the listen host.
  std::string advertise_host;
  std::string zone;
  std::map<std::string, std::string> metadata;
  int threads = 0;  // io threads. Default: one per available CPU
  std::chrono::milliseconds ttl{15'000};       // lease TTL. Default: 15 s
  std::chrono::milliseconds heartbeat{5'000};  // renew interval. Default: 5 s
  // Ask the registry to probe /health. Default: every 10 s.
  std::chrono::milliseconds check_interval{10'000};
  Strategy strategy = Strategy::p2c;
  core::ServerOptions server;  // listen address, limits; default listen 127.0.0.1:0
};

class Service {
 public:
  explicit Service(ServiceOptions options);
  ~Service();
  Service(Service&&) = delete;

  // Reads the common flags (--registry, --listen, --advertise, --id, --zone, --meta k=v,
  // --threads, --lb); prints usage and exits 2 on a bad flag, 0 on --help.
  static ServiceOptions parse_args(std::string name, std::string version, int argc, char** argv);

  core::Router& routes() { return router_; }
  Service& get(std::string_view path, core::Handler h);
  Service& post(std::string_view path, core::Handler h);
  Service& put(std::string_view path, core::Handler h);
  Service& del(std::string_view path, core::Handler h);

  // Declares a dependency so its instances are watched from start-up.
  Service& uses(std::string_view service);
  ServiceClient& client() { return *client_; }
  Discovery& discovery() { return *discovery_; }
  core::Runtime& runtime() { return *runtime_; }
  const ServiceOptions& options() const { return options_; }
  const std::string& instance_id() const { return options_.instance_id; }

  // Starts serving and registering without blocking (tests); port() is valid afterwards.
  void start();
  std::uint16_t port() const;
  // Deregisters, drains, and stops the io threads.
  void shutdown();
  // start(), then block until SIGINT/SIGTERM and shut down. Returns the exit code.
  int run();

 private:
  struct Registrar;
  void add_builtin_routes();

  ServiceOptions options_;
  std::unique_ptr<core::Runtime> runtime_;
  core::Router router_;
  std::unique_ptr<core::HttpServer> server_;
  std::unique_ptr<Discovery> discovery_;
  std::unique_ptr<ServiceClient> client_;
  std::unique_ptr<Registrar> registrar_;
  std::atomic<bool> ready_{false};
  std::chrono::system_clock::time_point started_at_;
};

}  // namespace trellis::chassis
