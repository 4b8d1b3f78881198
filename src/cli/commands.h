// The trellis subcommands. Each returns the process exit code: 0 ok, 1 failed, 2 usage.
#pragma once

#include <string>

namespace trellis::cli {

struct GlobalOptions {
  std::string registry;  // --registry URL, else $TRELLIS_REGISTRY, else the default
  bool json = false;
};

int serve_registry(const std::string& listen, const std::string& data_dir, int threads);
int up(const std::string& system_file, const std::string& listen, const std::string& data_dir);
int list_services(const GlobalOptions& g);
int list_instances(const GlobalOptions& g, const std::string& service, bool all);

// The registry URL the CLI talks to.
std::string registry_url(const GlobalOptions& g);

}  // namespace trellis::cli
