// cafe kitchen: serves the menu and takes tickets. Runs as several instances that order
// finds through the registry.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <atomic>

#include "chassis/service.h"
#include "core/json.h"
#include "core/problem.h"

using trellis::core::Request;
using trellis::core::Response;
using trellis::core::Task;

namespace {

struct MenuItem {
  const char* name;
  double price;
};
constexpr MenuItem kMenu[] = {{"espresso", 2.5}, {"cappuccino", 3.2}, {"latte", 3.5},
                              {"croissant", 2.1}};

const MenuItem* find_item(std::string_view name) {
  for (const auto& m : kMenu)
    if (name == m.name) return &m;
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  auto svc = trellis::chassis::Service(trellis::chassis::Service::parse_args("kitchen", "1.0.0", argc, argv));
  const std::string id = svc.instance_id();
  std::atomic<long> tickets{0};

  svc.get("/menu", [&](Request&) -> Task<Response> {
    boost::json::array items;
    for (const auto& m : kMenu) items.push_back({{"name", m.name}, {"price", m.price}});
    co_return Response::json(200, {{"items", std::move(items)}, {"instance", id}});
  });

  svc.post("/tickets", [&](Request& req) -> Task<Response> {
    std::string item, order_id;
    std::int64_t quantity = 1;
    try {
      auto body = trellis::core::parse_json_object(req.body);
      item = trellis::core::required_string(body, "item");
      order_id = trellis::core::optional_string(body, "order_id").value_or("");
      quantity = trellis::core::optional_int(body, "quantity").value_or(1);
    } catch (const trellis::core::JsonError& e) {
      co_return trellis::core::problem(400, e.what());
    }
    if (!find_item(item)) co_return trellis::core::problem(422, "no such item on the menu: " + item);
    if (quantity < 1 || quantity > 100) co_return trellis::core::problem(422, "quantity must be 1..100");
    long n = ++tickets;
    co_return Response::json(201, {{"ticket_id", id + "-" + std::to_string(n)},
                                   {"order_id", order_id},
                                   {"item", item},
                                   {"quantity", quantity},
                                   {"instance", id}});
  });

  return svc.run();
}
