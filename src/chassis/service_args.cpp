// Command-line flags every service binary understands (CLI11, kept to this one file).
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

#include "chassis/service.h"
#include "core/client.h"
#include "core/json.h"

namespace trellis::chassis {

ServiceOptions Service::parse_args(std::string name, std::string version, int argc, char** argv) {
  ServiceOptions o;
  o.name = std::move(name);
  o.version = std::move(version);
  CLI::App app{"Trellis service '" + o.name + "' " + o.version};
  std::vector<std::string> meta;
  std::string lb = "p2c", ttl, heartbeat;
  app.add_option("--registry", o.registry,
                 "registry URL (default: $TRELLIS_REGISTRY or http://" +
                     std::string(core::kDefaultControlPlaneListen) + ")");
  app.add_option("--listen", o.server.listen, "address to listen on (default: 127.0.0.1:0)");
  app.add_option("--advertise", o.advertise_host, "host to register (default: the listen host)");
  app.add_option("--id", o.instance_id, "instance id (default: <name>-<random>)");
  app.add_option("--zone", o.zone, "zone label");
  app.add_option("--version", o.version, "version to register (default: " + o.version + ")");
  app.add_option("--meta", meta, "metadata key=value (repeatable), e.g. weight=2");
  app.add_option("--threads", o.threads, "io threads (default: one per CPU)")->check(CLI::Range(0, 256));
  app.add_option("--lb", lb, "load balancing: p2c, round_robin or weighted (default: p2c)");
  app.add_option("--ttl", ttl, "lease TTL, e.g. 15s (default: 15s)");
  app.add_option("--heartbeat", heartbeat, "lease renew interval, e.g. 5s (default: 5s)");
  try {
    app.parse(argc, argv);
    for (const auto& kv : meta) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        throw CLI::ValidationError("--meta", "expects key=value, got '" + kv + "'");
      o.metadata[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    auto s = strategy_from_string(lb);
    if (!s) throw CLI::ValidationError("--lb", "unknown strategy '" + lb + "'");
    o.strategy = *s;
    if (!ttl.empty()) {
      auto d = core::parse_duration(ttl);
      if (!d || d->count() < 1000) throw CLI::ValidationError("--ttl", "expects e.g. 15s");
      o.ttl = *d;
    }
    if (!heartbeat.empty()) {
      auto d = core::parse_duration(heartbeat);
      if (!d || d->count() < 100) throw CLI::ValidationError("--heartbeat", "expects e.g. 5s");
      o.heartbeat = *d;
    }
    if (!o.registry.empty()) core::BaseUrl::parse(o.registry);
    core::BaseUrl::parse(o.server.listen);
  } catch (const CLI::CallForHelp& e) {
    std::exit(app.exit(e));
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    std::exit(2);
  } catch (const std::invalid_argument& e) {
    std::cerr << o.name << ": " << e.what() << "\n";
    std::exit(2);
  }
  return o;
}

}  // namespace trellis::chassis
