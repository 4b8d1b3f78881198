// Durable storage of the registry: the instance rows and the index. Blocking — call it only
// from the registry's BlockingPool thread. Leases are not stored: after a restart every
// instance gets a fresh TTL.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "registry/instance.h"

namespace trellis::registry {

struct StoredState {
  std::uint64_t index = 0;  // 0 for a new store
  std::vector<Instance> instances;
};

// One row to bring in line with memory: written when `instance` is set, deleted when not.
struct RowSync {
  InstanceKey key;
  std::optional<Instance> instance;
};

class Store {
 public:
  virtual ~Store() = default;
  // Every stored instance and the stored index. Rows that cannot be read are skipped (logged).
  virtual StoredState load() = 0;
  // Applies `rows` and records `index`, in one durable transaction. Throws std::runtime_error.
  virtual void apply(const std::vector<RowSync>& rows, std::uint64_t index) = 0;
};

// SQLite file `<data_dir>/registry.db` (the directory is created), or an in-memory database
// when `data_dir` is empty. Throws std::runtime_error when it cannot be opened.
std::unique_ptr<Store> open_sqlite_store(const std::string& data_dir);

}  // namespace trellis::registry
