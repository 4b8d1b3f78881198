// A small bounded pool for blocking work (SQLite, file I/O) so io threads never block.
// A coroutine calls `co_await pool.run(job)`: the job runs on a pool thread and the coroutine
// resumes on its own executor. When more than `queue_limit` jobs wait, run() throws PoolBusy.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>

#include "core/task.h"

namespace trellis::core {

struct PoolBusy : std::runtime_error {
  PoolBusy() : std::runtime_error("blocking pool queue is full") {}
};

class BlockingPool {
 public:
  BlockingPool(int threads, std::size_t queue_limit);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Rethrows what the job throws.
  Task<void> run(std::function<void()> job);
  // Runs a job outside any coroutine (start-up, tests) and waits for it.
  void run_sync(std::function<void()> job);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<std::size_t> queued_{0};
  std::size_t queue_limit_;
};

}  // namespace trellis::core
