#include "core/router.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace trellis::core {
namespace {

Handler answer(std::string body) {
  return [body](Request&) -> Task<Response> { co_return Response::text(200, body); };
}

Response dispatch(const Router& router, Method m, std::string target) {
  boost::asio::io_context ctx;
  Request req;
  req.method = m;
  req.target = std::move(target);
  auto fut = boost::asio::co_spawn(ctx, router.dispatch(req), boost::asio::use_future);
  ctx.run();
  return fut.get();
}

TEST(Router, LiteralAndPatternRoutes) {
  Router r;
  r.get("/v1/registry/services", answer("list"));
  r.get("/v1/registry/services/{service}", answer("one"));
  r.put("/v1/registry/instances/{service}/{id}", answer("put"));
  r.put("/v1/registry/instances/{service}/{id}/heartbeat", answer("beat"));
  EXPECT_EQ(dispatch(r, Method::get, "/v1/registry/services").body, "list");
  EXPECT_EQ(dispatch(r, Method::get, "/v1/registry/services/kitchen?index=3").body, "one");
  EXPECT_EQ(dispatch(r, Method::put, "/v1/registry/instances/k/1").body, "put");
  EXPECT_EQ(dispatch(r, Method::put, "/v1/registry/instances/k/1/heartbeat").body, "beat");
}

TEST(Router, CapturesParameters) {
  Router r;
  r.put("/i/{service}/{id}", answer("x"));
  Request req;
  req.method = Method::put;
  req.target = "/i/kitchen/abc-1?x=1";
  auto res = r.find(req);
  ASSERT_EQ(res.match, Router::Match::found);
  EXPECT_EQ(req.param("service"), "kitchen");
  EXPECT_EQ(req.param("id"), "abc-1");
  EXPECT_EQ(req.param("missing"), "");
}

TEST(Router, RestCapture) {
  Router r;
  r.get("/static/{path...}", answer("s"));
  Request req;
  req.target = "/static/a/b/c.js";
  ASSERT_EQ(r.find(req).match, Router::Match::found);
  EXPECT_EQ(req.param("path"), "a/b/c.js");
}

TEST(Router, NotFoundIsProblemJson) {
  Router r;
  r.get("/a", answer("a"));
  auto resp = dispatch(r, Method::get, "/b");
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.content_type, "application/problem+json");
  EXPECT_EQ(dispatch(r, Method::get, "/a/extra").status, 404);
}

TEST(Router, WrongMethodIs405WithAllow) {
  Router r;
  r.get("/a/{x}", answer("a"));
  r.put("/a/{x}", answer("b"));
  auto resp = dispatch(r, Method::post, "/a/1");
  EXPECT_EQ(resp.status, 405);
  EXPECT_EQ(resp.headers.get("Allow"), "GET, PUT");
}

TEST(Router, HeadFallsBackToGet) {
  Router r;
  r.get("/a", answer("a"));
  EXPECT_EQ(dispatch(r, Method::head, "/a").status, 200);
}

TEST(Router, RejectsPatternWithoutSlash) {
  Router r;
  EXPECT_THROW(r.get("a", answer("a")), std::invalid_argument);
}

}  // namespace
}  // namespace trellis::core
