#include "core/runtime.h"

#include <sched.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log.h"

namespace trellis::core {

namespace asio = boost::asio;


namespace {
// io_context::shutdown() (destroying every pending handler and coroutine frame) is protected;
// Runtime needs it to tear all contexts down before destroying any of them.
class RuntimeContext : public asio::io_context {
 public:
  RuntimeContext() : asio::io_context(1) {}
  void destroy_pending_work() { shutdown(); }
};
}  // namespace

int available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(hc);
}

struct Runtime::Signals {
  asio::signal_set set;
  std::function<void()> fn;
  explicit Signals(asio::io_context& ctx) : set(ctx, SIGINT, SIGTERM) {}
};

Runtime::Runtime(int threads) {
  if (threads <= 0) threads = available_cpus();
  for (int i = 0; i < threads; ++i) contexts_.push_back(std::make_unique<RuntimeContext>());
}

Runtime::~Runtime() {
  stop();
  join();
  signals_.reset();
  // A coroutine left pending on one context may own objects bound to another (a server owns
  // one acceptor per context). Destroy every pending frame while all contexts still exist.
  for (auto& c : contexts_) static_cast<RuntimeContext&>(*c).destroy_pending_work();
}

asio::io_context& Runtime::context(int index) {
  return *contexts_.at(static_cast<std::size_t>(index) % contexts_.size());
}

void Runtime::spawn(std::function<Task<void>()> fn, int index) {
  asio::co_spawn(context(index), std::move(fn), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log(LogLevel::error, "background task failed", {{"error", ex.what()}});
    }
  });
}

void Runtime::on_shutdown_signal(std::function<void()> fn) {
  signals_ = std::make_unique<Signals>(*contexts_[0]);
  signals_->fn = std::move(fn);
  signals_->set.async_wait([s = signals_.get()](const boost::system::error_code& ec, int) {
    if (!ec && s->fn) s->fn();
  });
}

void Runtime::start() {
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] {
      auto guard = asio::make_work_guard(*contexts_[i]);
      contexts_[i]->run();
    });
  }
}

void Runtime::run() {
  start();
  join();
}

void Runtime::join() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void Runtime::stop() {
  for (auto& c : contexts_) c->stop();
}

Task<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace trellis::core
