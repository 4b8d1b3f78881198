// The registry's HTTP API (all JSON; errors are application/problem+json; every response
// carries X-Trellis-Index):
//   PUT    /v1/registry/instances/{service}/{id}            register or replace
//   PUT    /v1/registry/instances/{service}/{id}/heartbeat  renew the lease
//   DELETE /v1/registry/instances/{service}/{id}            deregister
//   GET    /v1/registry/instances/{service}/{id}            one instance
//   GET    /v1/registry/services                            services with instance counts
//   GET    /v1/registry/services/{service}[?all=true][&index=N&wait=30s]  (blocking query)
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <charconv>

#include "core/blocking_pool.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/problem.h"
#include "registry/registry_impl.h"

namespace trellis::registry {

namespace {

namespace json = boost::json;
using core::Request;
using core::Response;
using std::chrono::milliseconds;

constexpr std::string_view kIndexHeader = "X-Trellis-Index";
constexpr std::string_view kUnknownInstance = "https://trellis.dev/problems/unknown-instance";

Response with_index(Response r, std::uint64_t index) {
  r.headers.set(kIndexHeader, std::to_string(index));
  return r;
}

Response bad_request(std::string_view detail, std::uint64_t index) {
  return with_index(core::problem(400, detail), index);
}

Response unknown_instance(std::string_view service, std::string_view id, std::uint64_t index) {
  return with_index(core::problem(404, kUnknownInstance, "Unknown instance",
                                  "no instance '" + std::string(id) + "' of service '" +
                                      std::string(service) + "' is registered"),
                    index);
}

// A change that could not be completed (see Registry::Impl::put).
Response failed_change(const std::exception& e, std::uint64_t index) {
  Response r;
  if (dynamic_cast<const RegistryUnavailable*>(&e) || dynamic_cast<const StoreClosed*>(&e)) {
    r = core::problem(503, "the registry is stopping");
  } else if (dynamic_cast<const core::PoolBusy*>(&e)) {
    r = core::problem(503,
                      "the registry store is busy; the change is held in memory and will "
                      "be stored shortly — retry to be sure it is durable");
  } else {
    r = core::problem(500, std::string("the change could not be stored: ") + e.what() +
                               " — it is held in memory and will be retried");
  }
  if (r.status == 503) r.headers.set("Retry-After", "1");
  return with_index(std::move(r), index);
}

// nullopt when valid; otherwise the 400 to answer.
std::optional<Response> check_names(const Request& req, bool with_id, std::uint64_t index) {
  if (!core::valid_name(req.param("service")))
    return bad_request("service name must be 1 to 128 of [A-Za-z0-9._-], starting alphanumeric",
                       index);
  if (with_id && !core::valid_name(req.param("id")))
    return bad_request("instance id must be 1 to 128 of [A-Za-z0-9._-], starting alphanumeric",
                       index);
  return std::nullopt;
}

// The query of GET /v1/registry/services/{service}.
struct ServiceQuery {
  bool all = false;
  std::optional<std::uint64_t> index;  // blocking when set
  milliseconds wait{0};
};

// Throws std::invalid_argument with a detail naming the parameter.
ServiceQuery parse_service_query(const Request& req, const RegistryOptions& options) {
  ServiceQuery q;
  if (auto all = req.query_param("all")) {
    if (*all == "true" || *all == "1" || all->empty())
      q.all = true;
    else if (*all == "false" || *all == "0")
      q.all = false;
    else
      throw std::invalid_argument("query parameter 'all' must be true or false");
  }
  if (auto index = req.query_param("index")) {
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(index->data(), index->data() + index->size(), n);
    if (index->empty() || ec != std::errc{} || p != index->data() + index->size())
      throw std::invalid_argument("query parameter 'index' must be a non-negative integer");
    q.index = n;
  }
  q.wait = options.default_wait;
  if (auto wait = req.query_param("wait")) {
    auto d = core::parse_duration(*wait);
    if (!d)
      throw std::invalid_argument(
          "query parameter 'wait' must be a duration such as \"30s\" or a number of seconds");
    q.wait = *d;
  }
  q.wait = std::min(q.wait, options.max_wait);
  return q;
}

class Api {
 public:
  explicit Api(Registry::Impl& registry) : r_(registry) {}

  core::Task<Response> put_instance(Request& req) {
    auto guard = r_.activity_->enter();
    Instance instance;
    try {
      instance = parse_registration(req.param("service"), req.param("id"), req.body, req.remote,
                                    r_.registration_defaults());
    } catch (const InvalidRegistration& e) {
      co_return bad_request(e.what(), r_.state_.index());
    }
    RegistryState::Put put;
    try {
      put = co_await r_.put(std::move(instance));
    } catch (const std::exception& e) {
      co_return failed_change(e, r_.state_.index());
    }
    json::object body;
    body["index"] = put.index;
    body["instance"] = to_json(put.instance);
    co_return with_index(Response::json(200, body), put.index);
  }

  // The hot path: one lock, two hash lookups, a small hand-written body.
  core::Task<Response> heartbeat(Request& req) {
    std::string_view service = req.param("service"), id = req.param("id");
    auto renewal = r_.state_.renew(service, id, std::chrono::steady_clock::now());
    if (!renewal) co_return unknown_instance(service, id, r_.state_.index());
    std::string index = std::to_string(renewal->index);
    Response r;
    r.status = 200;
    r.content_type = "application/json";
    r.body.reserve(40);
    r.body += "{\"index\":";
    r.body += index;
    r.body += ",\"ttl\":\"";
    r.body += core::format_duration(renewal->ttl);
    r.body += "\"}";
    r.headers.set(kIndexHeader, index);
    co_return r;
  }

  core::Task<Response> delete_instance(Request& req) {
    auto guard = r_.activity_->enter();
    if (auto bad = check_names(req, true, r_.state_.index())) co_return std::move(*bad);
    std::string_view service = req.param("service"), id = req.param("id");
    std::optional<std::uint64_t> index;
    try {
      index = co_await r_.remove(std::string(service), std::string(id));
    } catch (const std::exception& e) {
      co_return failed_change(e, r_.state_.index());
    }
    if (!index) co_return unknown_instance(service, id, r_.state_.index());
    json::object body;
    body["index"] = *index;
    co_return with_index(Response::json(200, body), *index);
  }

  core::Task<Response> get_instance(Request& req) {
    std::uint64_t index = r_.state_.index();
    if (auto bad = check_names(req, true, index)) co_return std::move(*bad);
    auto instance = r_.state_.get(req.param("service"), req.param("id"));
    if (!instance) co_return unknown_instance(req.param("service"), req.param("id"), index);
    co_return with_index(Response::json(200, to_json(*instance)), index);
  }

  core::Task<Response> list_services(Request&) {
    RegistryState::ServiceList list = r_.state_.services();
    json::array services;
    for (const auto& s : list.services) {
      json::object o;
      o["name"] = s.name;
      o["instances"] = s.instances;
      o["passing"] = s.passing;
      services.push_back(std::move(o));
    }
    json::object body;
    body["index"] = list.index;
    body["services"] = std::move(services);
    co_return with_index(Response::json(200, body), list.index);
  }

  core::Task<Response> get_service(Request& req) {
    auto guard = r_.activity_->enter();
    if (auto bad = check_names(req, false, r_.state_.index())) co_return std::move(*bad);
    std::string service(req.param("service"));
    ServiceQuery query;
    try {
      query = parse_service_query(req, r_.options_);
    } catch (const std::invalid_argument& e) {
      co_return bad_request(e.what(), r_.state_.service_index(service));
    }
    if (query.index) co_await r_.wait_for_change(service, *query.index, query.wait);
    RegistryState::ServiceView view = r_.state_.service(service, query.all);
    json::array instances;
    for (const auto& instance : view.instances) instances.push_back(to_json(instance));
    json::object body;
    body["service"] = service;
    body["index"] = view.index;
    body["instances"] = std::move(instances);
    co_return with_index(Response::json(200, body), view.index);
  }

 private:
  Registry::Impl& r_;
};

}  // namespace

void Registry::mount(core::Router& router) {
  auto api = std::make_shared<Api>(*impl_);
  const std::string instance = "/v1/registry/instances/{service}/{id}";
  // Patterns are tried in order: the hot path first.
  router.put(instance + "/heartbeat", [api](Request& req) { return api->heartbeat(req); });
  router.put(instance, [api](Request& req) { return api->put_instance(req); });
  router.del(instance, [api](Request& req) { return api->delete_instance(req); });
  router.get(instance, [api](Request& req) { return api->get_instance(req); });
  router.get("/v1/registry/services", [api](Request& req) { return api->list_services(req); });
  router.get("/v1/registry/services/{service}",
             [api](Request& req) { return api->get_service(req); });
}

}  // namespace trellis::registry
