#include "registry/activity.h"

namespace trellis::registry {

namespace {
// How often wait_idle() re-sends the stop signals while waiting.
constexpr std::chrono::milliseconds kNudgeEvery{50};
}  // namespace

Activity::Guard::Guard(std::shared_ptr<Activity> a) : activity_(std::move(a)) {
  activity_->count_.fetch_add(1);
}

Activity::Guard::Guard(const Guard& other) : Guard(other.activity_) {}

Activity::Guard::~Guard() {
  if (activity_) activity_->leave();
}

std::shared_ptr<Activity> Activity::create() { return std::shared_ptr<Activity>(new Activity()); }

Activity::Guard Activity::enter() { return Guard(shared_from_this()); }

void Activity::leave() {
  if (count_.fetch_sub(1) == 1) idle_.notify_all();
}

core::Task<void> Activity::wait_idle(std::function<void()> nudge) {
  for (;;) {
    std::uint64_t seen = idle_.epoch();
    if (count_.load() == 0) break;
    nudge();
    co_await idle_.wait(seen, kNudgeEvery);
  }
}

}  // namespace trellis::registry
