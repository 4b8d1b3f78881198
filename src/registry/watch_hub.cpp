#include "registry/watch_hub.h"

#include <vector>

namespace trellis::registry {

std::shared_ptr<WatchHub::Channel> WatchHub::join(const std::string& service) {
  std::lock_guard lock(mutex_);
  auto& channel = channels_[service];
  if (!channel) channel = std::make_shared<Channel>();
  ++channel->users;
  return channel;
}

void WatchHub::leave(const std::string& service) {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(service);
  if (it != channels_.end() && --it->second->users == 0) channels_.erase(it);
}

core::Task<void> WatchHub::wait(std::string service, std::function<bool()> changed,
                                TimePoint deadline) {
  // Joined before the first evaluation of `changed`, so every later change notifies this
  // channel.
  std::shared_ptr<Channel> channel = join(service);
  struct Leave {
    WatchHub* hub;
    const std::string& service;
    ~Leave() { hub->leave(service); }
  } leave{this, service};
  for (;;) {
    // The epoch is read before the check, so a change notified in between ends the wait.
    std::uint64_t seen = channel->notifier.epoch();
    if (closed_.load() || changed()) break;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    co_await channel->notifier.wait(seen,
                                    std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
  }
}

void WatchHub::notify(std::string_view service) {
  std::shared_ptr<Channel> channel;
  {
    std::lock_guard lock(mutex_);
    auto it = channels_.find(service);
    if (it == channels_.end()) return;  // nobody watches it
    channel = it->second;
  }
  channel->notifier.notify_all();
}

void WatchHub::close() {
  closed_.store(true);
  std::vector<std::shared_ptr<Channel>> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& [name, channel] : channels_) all.push_back(channel);
  }
  for (auto& channel : all) channel->notifier.notify_all();
}

std::size_t WatchHub::watchers() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [name, channel] : channels_) n += channel->users;
  return n;
}

}  // namespace trellis::registry
