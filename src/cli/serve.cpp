#include <iostream>

#include "cli/commands.h"
#include "cli/control_plane.h"
#include "core/log.h"

namespace trellis::cli {

int serve_registry(const std::string& listen, const std::string& data_dir, int threads) {
  core::set_log_component("registry");
  ControlPlane plane({.listen = listen, .data_dir = data_dir, .threads = threads});
  try {
    plane.start();
  } catch (const std::exception& e) {
    std::cerr << "trellis serve registry: " << e.what() << "\n";
    return 1;
  }
  std::cout << "registry listening on http://" << plane.address() << " (data: " << data_dir
            << ")" << std::endl;
  plane.wait_for_signal();
  plane.stop();
  return 0;
}

}  // namespace trellis::cli
