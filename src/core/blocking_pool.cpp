#include "core/blocking_pool.h"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <future>

namespace trellis::core {

namespace asio = boost::asio;

struct BlockingPool::Impl {
  asio::thread_pool pool;
  explicit Impl(int threads) : pool(static_cast<std::size_t>(threads)) {}
};

BlockingPool::BlockingPool(int threads, std::size_t queue_limit)
    : impl_(std::make_unique<Impl>(threads < 1 ? 1 : threads)), queue_limit_(queue_limit) {}

BlockingPool::~BlockingPool() { stop(); }

void BlockingPool::stop() {
  if (!impl_) return;
  impl_->pool.join();
}

Task<void> BlockingPool::run(std::function<void()> job) {
  if (queued_.fetch_add(1) >= queue_limit_) {
    queued_.fetch_sub(1);
    throw PoolBusy();
  }
  auto ex = co_await asio::this_coro::executor;
  std::exception_ptr error;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&](auto handler) {
        asio::post(impl_->pool, [&, ex, h = std::move(handler)]() mutable {
          try {
            job();
          } catch (...) {
            error = std::current_exception();
          }
          queued_.fetch_sub(1);
          // Resume the coroutine on its own io thread, not on the pool.
          asio::post(ex, std::move(h));
        });
      },
      asio::use_awaitable);
  if (error) std::rethrow_exception(error);
}

void BlockingPool::run_sync(std::function<void()> job) {
  std::promise<void> done;
  asio::post(impl_->pool, [&] {
    try {
      job();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  done.get_future().get();
}

}  // namespace trellis::core
