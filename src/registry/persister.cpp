#include "registry/persister.h"

#include <vector>

namespace trellis::registry {

Persister::Persister(const RegistryState& state, std::size_t queue_limit)
    : state_(state), pool_(1, queue_limit) {}

Persister::~Persister() { close(); }

StoredState Persister::open(const std::string& data_dir) {
  StoredState stored;
  pool_.run_sync([&] {
    store_ = open_sqlite_store(data_dir);
    stored = store_->load();
  });
  return stored;
}

void Persister::mark(const InstanceKey& key) {
  std::lock_guard lock(mutex_);
  dirty_.emplace(key.service, key.id);
}

bool Persister::has_dirty() const {
  std::lock_guard lock(mutex_);
  return !dirty_.empty();
}

void Persister::write_dirty(bool record_index) {
  if (!store_) throw StoreClosed();
  std::set<std::pair<std::string, std::string>> keys;
  {
    std::lock_guard lock(mutex_);
    keys.swap(dirty_);
  }
  // Nothing dirty: an earlier job (which ran before this one) already wrote it.
  if (keys.empty() && !record_index) return;
  std::vector<RowSync> rows;
  rows.reserve(keys.size());
  for (const auto& [service, id] : keys) rows.push_back({{service, id}, state_.get(service, id)});
  try {
    store_->apply(rows, state_.index());
  } catch (...) {
    std::lock_guard lock(mutex_);
    dirty_.merge(keys);
    throw;
  }
}

core::Task<void> Persister::flush() {
  if (closed_.load()) throw StoreClosed();
  co_await pool_.run([this] { write_dirty(false); });
}

void Persister::flush_sync() {
  if (closed_.load()) throw StoreClosed();
  pool_.run_sync([this] { write_dirty(true); });
}

core::Task<void> Persister::close_async() {
  if (closed_.exchange(true)) co_return;
  co_await pool_.run([this] { store_.reset(); });
}

void Persister::close() {
  if (closed_.exchange(true)) return;
  pool_.run_sync([this] { store_.reset(); });
  pool_.stop();
}

}  // namespace trellis::registry
