// cafe order: takes orders and sends a ticket to one of the kitchen instances, found through
// the registry and balanced client-side.
#include <boost/json/object.hpp>

#include <map>
#include <mutex>

#include "chassis/service.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/problem.h"

using trellis::core::Request;
using trellis::core::Response;
using trellis::core::Task;
namespace core = trellis::core;

namespace {

// Orders kept in memory (a later step moves them to events and a read model).
class OrderBook {
 public:
  void put(const std::string& id, boost::json::object order) {
    std::lock_guard lock(mutex_);
    orders_[id] = std::move(order);
  }
  std::optional<boost::json::object> get(const std::string& id) {
    std::lock_guard lock(mutex_);
    auto it = orders_.find(id);
    if (it == orders_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, boost::json::object> orders_;
};

Response upstream_failure(const core::HttpResult& r) {
  if (!r.ok()) return core::problem(503, "kitchen unavailable: " + r.error().detail);
  return core::problem(502, "kitchen answered " + std::to_string(r->status));
}

}  // namespace

int main(int argc, char** argv) {
  auto svc = trellis::chassis::Service(trellis::chassis::Service::parse_args("order", "1.0.0", argc, argv));
  svc.uses("kitchen");
  OrderBook book;
  auto& kitchen = svc.client();

  // The kitchen's menu, read through the client (GET: retried on another instance if needed).
  svc.get("/menu", [&](Request&) -> Task<Response> {
    auto r = co_await kitchen.get("kitchen", "/menu");
    if (!r.ok() || r->status != 200) co_return upstream_failure(r);
    Response out = std::move(r.value());
    out.headers.clear();
    co_return out;
  });

  svc.post("/orders", [&](Request& req) -> Task<Response> {
    std::string item;
    std::int64_t quantity = 1;
    try {
      auto body = core::parse_json_object(req.body);
      item = core::required_string(body, "item");
      quantity = core::optional_int(body, "quantity").value_or(1);
    } catch (const core::JsonError& e) {
      co_return core::problem(400, e.what());
    }
    std::string order_id = "ord-" + core::random_hex(8);
    boost::json::object ticket_req{{"order_id", order_id}, {"item", item}, {"quantity", quantity}};
    auto r = co_await kitchen.post("kitchen", "/tickets", core::to_json(ticket_req));
    if (!r.ok()) co_return upstream_failure(r);
    if (r->status == 400 || r->status == 422) {
      Response passthrough = std::move(r.value());
      passthrough.headers.clear();
      co_return passthrough;
    }
    if (r->status != 201) co_return upstream_failure(r);
    boost::json::object order{{"order_id", order_id},
                              {"item", item},
                              {"quantity", quantity},
                              {"status", "accepted"},
                              {"ticket", core::parse_json(r->body)}};
    book.put(order_id, order);
    auto resp = Response::json(201, order);
    resp.headers.set("Location", "/orders/" + order_id);
    co_return resp;
  });

  svc.get("/orders/{id}", [&](Request& req) -> Task<Response> {
    auto order = book.get(std::string(req.param("id")));
    if (!order) co_return core::problem(404, "no order " + std::string(req.param("id")));
    co_return Response::json(200, *order);
  });

  return svc.run();
}
