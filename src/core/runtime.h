// The io runtime: N threads, each running its own io_context (concurrency hint 1, so Asio
// takes no locks) — nothing is shared between threads on the request path. Services spread
// work over the contexts; the HTTP server opens one SO_REUSEPORT acceptor on each.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "core/task.h"

namespace boost::asio {
class io_context;
}

namespace trellis::core {

// CPUs this process may run on (respects taskset / cgroup cpusets), at least 1.
int available_cpus();

class Runtime {
 public:
  // threads <= 0: one per available CPU.
  explicit Runtime(int threads = 0);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  int size() const { return static_cast<int>(contexts_.size()); }
  boost::asio::io_context& context(int index);

  // Starts a coroutine on context `index` (default 0). An exception escaping it is logged.
  void spawn(std::function<Task<void>()> fn, int index = 0);

  // Calls `fn` once on SIGINT or SIGTERM (from an io thread).
  void on_shutdown_signal(std::function<void()> fn);

  // Runs every context on its own thread (the calling thread runs context 0) until stop().
  void run();
  // Starts the threads and returns; join() waits for them.
  void start();
  void join();
  // Stops every context; run()/join() return once the threads finish their current handler.
  void stop();

 private:
  struct Signals;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<std::thread> threads_;
  std::unique_ptr<Signals> signals_;
};

// Suspends the calling coroutine for `d`.
Task<void> sleep_for(std::chrono::milliseconds d);

}  // namespace trellis::core
