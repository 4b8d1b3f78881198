// trellis: the control plane and its CLI in one binary.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/control_plane.h"

int main(int argc, char** argv) {
  using namespace trellis::cli;
  CLI::App app{"Trellis: a microservice platform in one binary.\n"};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions g;
  app.add_option("--registry", g.registry,
                 "registry URL (default: $TRELLIS_REGISTRY or http://" +
                     std::string(kDefaultListen) + ")");

  std::string listen = kDefaultListen, data = kDefaultDataDir, system_file, service;
  int threads = 0;
  bool all = false;

  auto* serve = app.add_subcommand("serve", "run one control-plane component on its own");
  serve->require_subcommand(1);
  auto* serve_reg = serve->add_subcommand("registry", "run the service registry");
  serve_reg->add_option("--listen", listen, "address to listen on")->capture_default_str();
  serve_reg->add_option("--data", data, "data directory (SQLite store)")->capture_default_str();
  serve_reg->add_option("--threads", threads, "io threads (default: one per CPU)")
      ->check(CLI::Range(0, 256));

  auto* upc = app.add_subcommand("up", "run the control plane and the services of a system file");
  upc->add_option("file", system_file, "system file, e.g. examples/cafe/system.yaml")->required();
  upc->add_option("--listen", listen, "control plane address")->capture_default_str();
  upc->add_option("--data", data, "data directory")->capture_default_str();

  auto* services = app.add_subcommand("services", "list registered services");
  services->add_flag("--json", g.json, "print JSON");

  auto* instances = app.add_subcommand("instances", "list the instances of a service");
  instances->add_option("service", service, "service name")->required();
  instances->add_flag("--json", g.json, "print JSON (a list of instances)");
  instances->add_flag("--all", all, "include critical instances");

  app.add_subcommand("version", "print the version");

  if (argc < 2) {
    std::cerr << app.help();
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // The message, then the usage of the (sub)command that was being parsed.
    const CLI::App* at = &app;
    while (!at->get_subcommands().empty()) at = at->get_subcommands().front();
    std::cerr << "trellis: " << e.what() << "\n\n" << at->help();
    return 2;
  }

  try {
    if (*serve_reg) return serve_registry(listen, data, threads);
    if (*upc) return up(system_file, listen, data);
    if (*services) return list_services(g);
    if (*instances) return list_instances(g, service, all);
    if (app.got_subcommand("version")) {
      std::cout << "trellis 0.1.0\n";
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "trellis: " << e.what() << "\n";
    return 1;
  }
  std::cerr << app.help();
  return 2;
}
