#include "cli/control_plane.h"

#include <boost/json/object.hpp>

#include <condition_variable>
#include <future>
#include <mutex>

#include "core/log.h"

namespace trellis::cli {

struct ControlPlane::State {
  std::mutex mutex;
  std::condition_variable cv;
  bool stop = false;
};

ControlPlane::ControlPlane(ControlPlaneOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {}

ControlPlane::~ControlPlane() {
  if (runtime_) {
    runtime_->stop();
    runtime_->join();
  }
}

void ControlPlane::start() {
  runtime_ = std::make_unique<core::Runtime>(options_.threads);
  registry::RegistryOptions ro;
  ro.data_dir = options_.data_dir;
  registry_ = std::make_unique<registry::Registry>(*runtime_, ro);
  registry_->start();
  registry_->mount(router_);
  router_.get("/health", [](core::Request&) -> core::Task<core::Response> {
    co_return core::Response::json(200, {{"status", "UP"}});
  });
  server_ = std::make_unique<core::HttpServer>(*runtime_, router_,
                                               core::ServerOptions{.listen = options_.listen});
  server_->start();
  runtime_->on_shutdown_signal([this] { request_stop(); });
  runtime_->start();
  core::log(core::LogLevel::info, "control plane listening",
            {{"address", server_->address()}, {"data", options_.data_dir}});
}

std::string ControlPlane::address() const { return server_ ? server_->address() : ""; }

void ControlPlane::request_stop() {
  std::lock_guard lock(state_->mutex);
  state_->stop = true;
  state_->cv.notify_all();
}

bool ControlPlane::stop_requested() const {
  std::lock_guard lock(state_->mutex);
  return state_->stop;
}

void ControlPlane::wait_for_signal() {
  std::unique_lock lock(state_->mutex);
  state_->cv.wait(lock, [&] { return state_->stop; });
}

bool ControlPlane::wait_for_signal(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  return state_->cv.wait_for(lock, timeout, [&] { return state_->stop; });
}

void ControlPlane::stop() {
  if (!runtime_) return;
  std::promise<void> done;
  runtime_->spawn([this, &done]() -> core::Task<void> {
    // The registry first: it answers its blocking queries, which would otherwise hold the
    // server's drain for their whole wait.
    co_await registry_->stop();
    co_await server_->stop();
    done.set_value();
  });
  done.get_future().wait();
  runtime_->stop();
  runtime_->join();
  core::log(core::LogLevel::info, "control plane stopped");
}

}  // namespace trellis::cli
