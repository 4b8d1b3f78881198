#include "core/router.h"

#include <stdexcept>

#include "core/problem.h"

namespace trellis::core {

namespace {
// Splits "/a/b/c" into {"a","b","c"}; "/" gives {}.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto next = path.find('/', i);
    if (next == std::string_view::npos) next = path.size();
    out.push_back(path.substr(i, next - i));
    i = next;
  }
  return out;
}
}  // namespace

Router& Router::add(Method method, std::string_view pattern, Handler handler) {
  if (pattern.empty() || pattern[0] != '/')
    throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  Route route{method, {}, std::move(handler)};
  bool literal = true;
  for (auto seg : split_path(pattern)) {
    Segment s;
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      literal = false;
      s.capture = true;
      std::string_view name = seg.substr(1, seg.size() - 2);
      if (name.ends_with("...")) {
        s.rest = true;
        name.remove_suffix(3);
      }
      s.text = name;
    } else {
      s.text = seg;
    }
    route.segments.push_back(std::move(s));
  }
  if (literal)
    literal_[std::string(pattern)].push_back(std::move(route));
  else
    patterns_.push_back(std::move(route));
  return *this;
}

bool Router::match(const Route& r, std::string_view path, Request* req) {
  std::size_t pos = 0;
  auto next_segment = [&](std::string_view& out) {
    while (pos < path.size() && path[pos] == '/') ++pos;
    if (pos >= path.size()) return false;
    auto end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    out = path.substr(pos, end - pos);
    pos = end;
    return true;
  };
  for (const auto& seg : r.segments) {
    std::string_view part;
    if (seg.rest) {
      while (pos < path.size() && path[pos] == '/') ++pos;
      if (req) req->params.emplace_back(seg.text, std::string(path.substr(pos)));
      return true;
    }
    if (!next_segment(part)) return false;
    if (seg.capture) {
      if (req) req->params.emplace_back(seg.text, std::string(part));
    } else if (part != seg.text) {
      return false;
    }
  }
  std::string_view extra;
  return !next_segment(extra);
}

Router::Result Router::find(Request& req) const {
  const std::string_view path = req.path();
  const auto fits = [&](const Route& r) {
    return r.method == req.method || (req.method == Method::head && r.method == Method::get);
  };
  // The hot path: routes whose method fits, each path matched once, capturing as it goes.
  if (auto it = literal_.find(path); it != literal_.end()) {
    for (const auto& r : it->second)
      if (fits(r)) return {Match::found, &r.handler, {}};
  }
  for (const auto& r : patterns_) {
    if (!fits(r)) continue;
    req.params.clear();
    if (match(r, path, &req)) return {Match::found, &r.handler, {}};
  }
  req.params.clear();
  // No match: 405 when the path exists for other methods, listing them in Allow.
  Result result;
  auto allow = [&](const Route& r) {
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += to_string(r.method);
    result.match = Match::method_not_allowed;
  };
  if (auto it = literal_.find(path); it != literal_.end())
    for (const auto& r : it->second) allow(r);
  for (const auto& r : patterns_)
    if (match(r, path, nullptr)) allow(r);
  return result;
}

Response Router::no_match(const Request& req, const Result& r) {
  if (r.match == Match::method_not_allowed) {
    Response resp = problem(405, "method " + std::string(to_string(req.method)) +
                                     " is not allowed on " + std::string(req.path()));
    resp.headers.set("Allow", r.allow);
    return resp;
  }
  return problem(404, "no route for " + std::string(req.path()));
}

Task<Response> Router::dispatch(Request& req) const {
  Result r = find(req);
  if (r.match == Match::found) co_return co_await (*r.handler)(req);
  co_return no_match(req, r);
}

}  // namespace trellis::core
