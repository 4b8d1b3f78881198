// Maps method + path to a coroutine handler. Patterns are literal segments and `{name}`
// captures, e.g. `/v1/registry/instances/{service}/{id}`; a trailing `{name...}` captures the
// rest of the path. Literal routes are found by one hash lookup; patterns are tried in order.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/http.h"
#include "core/task.h"

namespace trellis::core {

using Handler = std::function<Task<Response>(Request&)>;

class Router {
 public:
  Router& add(Method method, std::string_view pattern, Handler handler);
  Router& get(std::string_view p, Handler h) { return add(Method::get, p, std::move(h)); }
  Router& post(std::string_view p, Handler h) { return add(Method::post, p, std::move(h)); }
  Router& put(std::string_view p, Handler h) { return add(Method::put, p, std::move(h)); }
  Router& del(std::string_view p, Handler h) { return add(Method::delete_, p, std::move(h)); }

  enum class Match { found, not_found, method_not_allowed };
  struct Result {
    Match match = Match::not_found;
    const Handler* handler = nullptr;
    std::string allow;  // for method_not_allowed: the methods that path accepts
  };
  // Finds the handler for `req` and fills req.params.
  Result find(Request& req) const;

  // Runs the matched handler, or answers 404 / 405 as problem+json. HEAD falls back to GET.
  Task<Response> dispatch(Request& req) const;
  // The 404 / 405 problem for a request find() did not match.
  static Response no_match(const Request& req, const Result& result);

 private:
  struct Segment {
    std::string text;
    bool capture = false;
    bool rest = false;
  };
  struct Route {
    Method method;
    std::vector<Segment> segments;
    Handler handler;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static bool match(const Route& r, std::string_view path, Request* req);

  std::unordered_map<std::string, std::vector<Route>, StringHash, std::equal_to<>> literal_;
  std::vector<Route> patterns_;
};

}  // namespace trellis::core
