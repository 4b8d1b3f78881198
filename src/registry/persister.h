// Keeps the store in line with memory. A change marks its instance key dirty; a flush runs one
// job on the blocking pool that writes every dirty key as the state holds it *at that moment*
// (row written when the instance exists, deleted when not) together with the current index.
// Jobs are idempotent and run one at a time, so however changes interleave the last write of a
// row reflects the latest state, and a flush that returns means every change marked before it
// is on disk. A failed write leaves its keys dirty for the next flush.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "core/blocking_pool.h"
#include "core/task.h"
#include "registry/state.h"
#include "registry/store.h"

namespace trellis::registry {

// The store is closed: the registry is stopping.
struct StoreClosed : std::runtime_error {
  StoreClosed() : std::runtime_error("the registry store is closed") {}
};

class Persister {
 public:
  // `queue_limit`: flushes that may wait for the pool before flush() throws core::PoolBusy.
  Persister(const RegistryState& state, std::size_t queue_limit);
  ~Persister();

  // Opens the store on the pool thread and returns what it holds. Throws std::runtime_error.
  StoredState open(const std::string& data_dir);

  void mark(const InstanceKey& key);
  bool has_dirty() const;

  // Writes every dirty key. Throws core::PoolBusy, StoreClosed, or the store's error.
  core::Task<void> flush();
  // As flush(), from outside any coroutine (start-up); always records the index.
  void flush_sync();

  // Closes the store and stops the pool; later flushes throw StoreClosed.
  void close();
  // As close(), without blocking the calling io thread (Registry::stop runs on one).
  core::Task<void> close_async();

 private:
  void write_dirty(bool record_index);  // on the pool thread

  const RegistryState& state_;
  core::BlockingPool pool_;
  std::unique_ptr<Store> store_;  // used only on the pool thread
  mutable std::mutex mutex_;
  std::set<std::pair<std::string, std::string>> dirty_;
  std::atomic<bool> closed_{false};
};

}  // namespace trellis::registry
