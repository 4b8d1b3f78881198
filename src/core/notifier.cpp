#include "core/notifier.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace trellis::core {

namespace asio = boost::asio;

// A waiter is a timer on the waiting coroutine's own executor; notify cancels it there.
struct Notifier::Waiter {
  asio::steady_timer timer;
  bool notified = false;  // touched only on the timer's executor
  explicit Waiter(const asio::any_io_executor& ex) : timer(ex) {}
};

Notifier::Notifier() = default;

Notifier::~Notifier() { notify_all(); }

std::uint64_t Notifier::epoch() const {
  std::lock_guard lock(mutex_);
  return epoch_;
}

Task<bool> Notifier::wait(std::chrono::milliseconds timeout) {
  co_return co_await wait(epoch(), timeout);
}

Task<bool> Notifier::wait(std::uint64_t seen_epoch, std::chrono::milliseconds timeout) {
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiter->timer.expires_after(timeout);
  {
    std::lock_guard lock(mutex_);
    if (epoch_ != seen_epoch) co_return true;
    waiters_.push_back(waiter);
  }
  co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  {
    std::lock_guard lock(mutex_);
    // notify_all() empties the list; only erase if we are still in it.
    for (auto i = waiters_.begin(); i != waiters_.end(); ++i)
      if (*i == waiter) {
        waiters_.erase(i);
        break;
      }
  }
  co_return waiter->notified;
}

void Notifier::notify_all() {
  std::list<std::shared_ptr<Waiter>> woken;
  {
    std::lock_guard lock(mutex_);
    ++epoch_;
    woken.swap(waiters_);
  }
  for (auto& w : woken) {
    asio::post(w->timer.get_executor(), [w] {
      w->notified = true;
      w->timer.cancel();
    });
  }
}

std::size_t Notifier::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

}  // namespace trellis::core
