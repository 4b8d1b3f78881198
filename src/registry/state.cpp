#include "registry/state.h"

#include <algorithm>

namespace trellis::registry {

RegistryState::RegistryState(std::uint64_t base_index)
    : index_(std::max<std::uint64_t>(base_index, 1)), base_index_(index_) {}

RegistryState::Entry* RegistryState::find(std::string_view service, std::string_view id) {
  auto s = services_.find(service);
  if (s == services_.end()) return nullptr;
  auto e = s->second.instances.find(id);
  return e == s->second.instances.end() ? nullptr : &e->second;
}

const RegistryState::Entry* RegistryState::find(std::string_view service,
                                                std::string_view id) const {
  return const_cast<RegistryState*>(this)->find(service, id);
}

std::uint64_t RegistryState::bump(Service& s) {
  s.index = ++index_;
  return s.index;
}

RegistryState::Put RegistryState::put(Instance instance, TimePoint now) {
  instance.status = Status::passing;
  std::lock_guard lock(mutex_);
  Service& service = services_[instance.service];
  Entry entry{instance, now + instance.ttl, next_generation_++};
  std::string id = instance.id;
  service.instances.insert_or_assign(std::move(id), std::move(entry));
  Put out{bump(service), next_generation_ - 1, std::move(instance)};
  return out;
}

std::optional<RegistryState::Removal> RegistryState::remove(std::string_view service,
                                                            std::string_view id) {
  std::lock_guard lock(mutex_);
  auto s = services_.find(service);
  if (s == services_.end()) return std::nullopt;
  auto e = s->second.instances.find(id);
  if (e == s->second.instances.end()) return std::nullopt;
  std::uint64_t generation = e->second.generation;
  s->second.instances.erase(e);
  return Removal{bump(s->second), generation};
}

std::optional<RegistryState::Renewal> RegistryState::renew(std::string_view service,
                                                           std::string_view id, TimePoint now) {
  std::lock_guard lock(mutex_);
  Entry* e = find(service, id);
  if (!e) return std::nullopt;
  e->deadline = now + e->instance.ttl;
  return Renewal{index_, e->instance.ttl};
}

std::vector<RegistryState::Removed> RegistryState::expire(TimePoint now) {
  std::vector<Removed> expired;
  std::lock_guard lock(mutex_);
  std::vector<Service*> touched;
  for (auto& [name, service] : services_) {
    bool any = false;
    for (auto it = service.instances.begin(); it != service.instances.end();) {
      if (it->second.deadline <= now) {
        expired.push_back({{name, it->first}, it->second.generation});
        it = service.instances.erase(it);
        any = true;
      } else {
        ++it;
      }
    }
    if (any) touched.push_back(&service);
  }
  if (!expired.empty()) {
    ++index_;
    for (Service* s : touched) s->index = index_;
  }
  return expired;
}

RegistryState::CheckResult RegistryState::report_check(std::string_view service,
                                                       std::string_view id,
                                                       std::uint64_t generation, bool success) {
  std::lock_guard lock(mutex_);
  Entry* e = find(service, id);
  if (!e || e->generation != generation || !e->instance.check) return {};
  const HealthCheck& check = *e->instance.check;
  CheckResult result{CheckOutcome::unchanged, 0};
  if (success) {
    e->failures = 0;
    ++e->successes;
    if (e->instance.status == Status::critical && e->successes >= check.successes_before_passing) {
      e->instance.status = Status::passing;
      result.outcome = CheckOutcome::became_passing;
    }
  } else {
    e->successes = 0;
    ++e->failures;
    if (e->instance.status == Status::passing && e->failures >= check.failures_before_critical) {
      e->instance.status = Status::critical;
      result.outcome = CheckOutcome::became_critical;
    }
  }
  if (result.outcome != CheckOutcome::unchanged)
    result.index = bump(services_.find(service)->second);
  return result;
}

bool RegistryState::is_current(std::string_view service, std::string_view id,
                               std::uint64_t generation) const {
  std::lock_guard lock(mutex_);
  const Entry* e = find(service, id);
  return e && e->generation == generation;
}

std::optional<Instance> RegistryState::get(std::string_view service, std::string_view id) const {
  std::lock_guard lock(mutex_);
  const Entry* e = find(service, id);
  if (!e) return std::nullopt;
  return e->instance;
}

RegistryState::ServiceView RegistryState::service(std::string_view name,
                                                  bool include_critical) const {
  ServiceView view;
  std::lock_guard lock(mutex_);
  auto s = services_.find(name);
  if (s == services_.end()) {
    view.index = base_index_;
    return view;
  }
  view.index = s->second.index;
  for (const auto& [id, e] : s->second.instances)
    if (include_critical || e.instance.status == Status::passing)
      view.instances.push_back(e.instance);
  std::sort(view.instances.begin(), view.instances.end(),
            [](const Instance& a, const Instance& b) { return a.id < b.id; });
  return view;
}

std::uint64_t RegistryState::service_index(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto s = services_.find(name);
  return s == services_.end() ? base_index_ : s->second.index;
}

RegistryState::ServiceList RegistryState::services() const {
  ServiceList list;
  std::lock_guard lock(mutex_);
  list.index = index_;
  for (const auto& [name, s] : services_) {
    if (s.instances.empty()) continue;
    ServiceSummary summary{name, s.instances.size(), 0};
    for (const auto& [id, e] : s.instances)
      if (e.instance.status == Status::passing) ++summary.passing;
    list.services.push_back(std::move(summary));
  }
  std::sort(list.services.begin(), list.services.end(),
            [](const ServiceSummary& a, const ServiceSummary& b) { return a.name < b.name; });
  return list;
}

std::uint64_t RegistryState::index() const {
  std::lock_guard lock(mutex_);
  return index_;
}

std::uint64_t RegistryState::base_index() const {
  std::lock_guard lock(mutex_);
  return base_index_;
}

std::size_t RegistryState::size() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [name, s] : services_) n += s.instances.size();
  return n;
}

std::vector<RegistryState::Restored> RegistryState::restore(std::uint64_t index,
                                                            std::vector<Instance> instances,
                                                            TimePoint now) {
  std::vector<Restored> out;
  out.reserve(instances.size());
  std::lock_guard lock(mutex_);
  services_.clear();
  index_ = base_index_ = std::max<std::uint64_t>(index, 1);
  for (Instance& inst : instances) {
    Service& service = services_[inst.service];
    service.index = base_index_;
    std::uint64_t generation = next_generation_++;
    out.push_back({{inst.service, inst.id}, generation, inst});
    std::string id = inst.id;
    TimePoint deadline = now + inst.ttl;
    service.instances.insert_or_assign(std::move(id), Entry{std::move(inst), deadline, generation});
  }
  return out;
}

}  // namespace trellis::registry
