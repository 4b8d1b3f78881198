// A running Registry on its own 1-thread runtime, mounted on a router, for API-level tests.
// One io thread makes the order of spawned coroutines deterministic: a query started before a
// change has reached its wait when the change runs.
#pragma once

#include <memory>

#include "core/router.h"
#include "core/runtime.h"
#include "registry/registry.h"
#include "test_support.h"

namespace trellis::registry::testing {

class RegistryHarness {
 public:
  explicit RegistryHarness(RegistryOptions options = {}) : options_(std::move(options)) {
    runtime_.start();
    open();
  }
  ~RegistryHarness() { close(); }

  // Stops the registry (as a shutdown would) and starts a new one on the same options.
  void restart() {
    close();
    router_ = core::Router{};
    open();
  }

  void close() {
    if (!registry_) return;
    run_on<void>(runtime_, [this] { return registry_->stop(); });
    registry_.reset();
  }

  std::future<core::Response> call_async(core::Method method, std::string target,
                                         std::string body = {}) {
    auto req =
        std::make_shared<core::Request>(make_request(method, std::move(target), std::move(body)));
    return start_on<core::Response>(runtime_, [this, req] { return router_.dispatch(*req); });
  }
  core::Response call(core::Method method, std::string target, std::string body = {}) {
    return call_async(method, std::move(target), std::move(body)).get();
  }
  // Returns once every handler queued on the io thread before it has run.
  void drain() {
    run_on<void>(runtime_, []() -> core::Task<void> { co_return; });
  }

  Registry& registry() { return *registry_; }
  core::Runtime& runtime() { return runtime_; }

 private:
  void open() {
    registry_ = std::make_unique<Registry>(runtime_, options_);
    registry_->start();
    registry_->mount(router_);
  }

  RegistryOptions options_;
  core::Runtime runtime_{1};
  core::Router router_;
  std::unique_ptr<Registry> registry_;
};

inline std::uint64_t index_header(const core::Response& r) {
  return std::stoull(std::string(r.headers.get("X-Trellis-Index")));
}

}  // namespace trellis::registry::testing
