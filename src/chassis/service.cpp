#include "chassis/service.h"

#include <boost/json/object.hpp>

#include <future>

#include "chassis/registrar.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"

namespace trellis::chassis {

using namespace std::chrono_literals;

struct Service::Registrar {
  RegistrationLoop loop;
  explicit Registrar(Registration r) : loop(std::move(r)) {}
};

namespace {
core::Response json_body(int status, std::string body) {
  core::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}
}  // namespace

Service::Service(ServiceOptions options) : options_(std::move(options)) {
  if (!core::valid_name(options_.name))
    throw std::invalid_argument("invalid service name '" + options_.name + "'");
  if (options_.registry.empty()) options_.registry = core::default_registry_url();
  if (options_.instance_id.empty()) options_.instance_id = options_.name + "-" + core::random_hex(4);
  core::set_log_component(options_.name);
  runtime_ = std::make_unique<core::Runtime>(options_.threads);
  DiscoveryOptions d;
  d.registry = core::BaseUrl::parse(options_.registry);
  discovery_ = std::make_unique<Discovery>(*runtime_, d);
  ServiceClientOptions c;
  c.strategy = options_.strategy;
  client_ = std::make_unique<ServiceClient>(*discovery_, c);
  add_builtin_routes();
}

Service::~Service() {
  if (runtime_) {
    runtime_->stop();
    runtime_->join();
  }
}

Service& Service::get(std::string_view p, core::Handler h) {
  router_.get(p, std::move(h));
  return *this;
}
Service& Service::post(std::string_view p, core::Handler h) {
  router_.post(p, std::move(h));
  return *this;
}
Service& Service::put(std::string_view p, core::Handler h) {
  router_.put(p, std::move(h));
  return *this;
}
Service& Service::del(std::string_view p, core::Handler h) {
  router_.del(p, std::move(h));
  return *this;
}

Service& Service::uses(std::string_view service) {
  discovery_->watch(service);
  return *this;
}

void Service::add_builtin_routes() {
  // Liveness answers from a constant: it is probed often and must stay cheap.
  static const std::string kUp = R"({"status":"UP"})";
  static const std::string kDown = R"({"status":"DOWN"})";
  auto readiness = [this](core::Request&) -> core::Task<core::Response> {
    co_return ready_ ? json_body(200, kUp) : json_body(503, kDown);
  };
  router_.get("/health", readiness);
  router_.get("/health/ready", readiness);
  router_.get("/health/live",
              [](core::Request&) -> core::Task<core::Response> { co_return json_body(200, kUp); });
  router_.get("/info", [this](core::Request&) -> core::Task<core::Response> {
    boost::json::object o;
    o["name"] = options_.name;
    o["version"] = options_.version;
    o["id"] = options_.instance_id;
    o["zone"] = options_.zone;
    o["registry"] = options_.registry;
    o["registered"] = registrar_ && registrar_->loop.registered();
    o["uptime_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now() - started_at_)
                              .count();
    co_return core::Response::json(200, o);
  });
}

void Service::start() {
  started_at_ = std::chrono::system_clock::now();
  server_ = std::make_unique<core::HttpServer>(*runtime_, router_, options_.server);
  server_->start();

  Registration r;
  r.registry = core::BaseUrl::parse(options_.registry);
  r.service = options_.name;
  r.id = options_.instance_id;
  r.host = options_.advertise_host;
  if (r.host.empty()) {
    r.host = core::BaseUrl::parse(options_.server.listen).endpoint.host;
    if (r.host == "0.0.0.0" || r.host == "::") r.host = "127.0.0.1";
  }
  r.port = server_->port();
  r.version = options_.version;
  r.zone = options_.zone;
  r.metadata = options_.metadata;
  r.ttl = options_.ttl;
  r.heartbeat = options_.heartbeat;
  r.check_interval = options_.check_interval;
  registrar_ = std::make_unique<Registrar>(std::move(r));
  runtime_->spawn([this] { return registrar_->loop.run(); });
  ready_ = true;
  runtime_->start();
  core::log(core::LogLevel::info, "listening",
            {{"address", server_->address()}, {"id", options_.instance_id},
             {"version", options_.version}});
}

std::uint16_t Service::port() const { return server_ ? server_->port() : 0; }

void Service::shutdown() {
  if (!server_) return;
  ready_ = false;
  std::promise<void> done;
  runtime_->spawn([this, &done]() -> core::Task<void> {
    // Deregister first so callers stop picking this instance, then drain.
    if (registrar_) co_await registrar_->loop.deregister();
    discovery_->stop();
    co_await server_->stop();
    done.set_value();
  });
  done.get_future().wait();
  core::log(core::LogLevel::info, "stopped", {{"id", options_.instance_id}});
  runtime_->stop();
  runtime_->join();
  server_.reset();
}

int Service::run() {
  std::promise<void> signalled;
  std::atomic<bool> once{false};
  runtime_->on_shutdown_signal([&] {
    if (!once.exchange(true)) signalled.set_value();
  });
  start();
  signalled.get_future().wait();
  core::log(core::LogLevel::info, "shutting down", {{"id", options_.instance_id}});
  shutdown();
  return 0;
}

}  // namespace trellis::chassis
