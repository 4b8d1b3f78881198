#include "core/http.h"

#include <gtest/gtest.h>

#include "core/client.h"
#include "core/ids.h"

namespace trellis::core {
namespace {

TEST(Http, HeadersAreCaseInsensitiveAndReused) {
  Headers h;
  h.add("Content-Type", "a");
  h.add("X-One", "1");
  EXPECT_EQ(h.get("content-type"), "a");
  h.set("x-one", "2");
  EXPECT_EQ(h.get("X-ONE"), "2");
  EXPECT_EQ(h.size(), 2u);
  h.remove("CONTENT-TYPE");
  EXPECT_FALSE(h.has("content-type"));
  h.clear();
  EXPECT_TRUE(h.empty());
  h.add("A", "b");
  EXPECT_EQ(h.get("a"), "b");
  EXPECT_EQ(h.size(), 1u);
}

TEST(Http, QueryParameters) {
  Request r;
  r.target = "/x?index=12&wait=30s&name=a%20b+c&flag";
  EXPECT_EQ(r.path(), "/x");
  EXPECT_EQ(r.query_param("index"), "12");
  EXPECT_EQ(r.query_param("wait"), "30s");
  EXPECT_EQ(r.query_param("name"), "a b c");
  EXPECT_EQ(r.query_param("flag"), "");
  EXPECT_EQ(r.query_param("absent"), std::nullopt);
}

TEST(Http, Methods) {
  EXPECT_EQ(method_from_string("DELETE"), Method::delete_);
  EXPECT_EQ(method_from_string("BREW"), Method::other);
  EXPECT_TRUE(is_idempotent(Method::get));
  EXPECT_FALSE(is_idempotent(Method::post));
}

TEST(Http, BaseUrlParsing) {
  auto a = BaseUrl::parse("http://127.0.0.1:7700");
  EXPECT_EQ(a.endpoint.host, "127.0.0.1");
  EXPECT_EQ(a.endpoint.port, 7700);
  auto b = BaseUrl::parse("127.0.0.1:80");
  EXPECT_EQ(b.endpoint.port, 80);
  auto c = BaseUrl::parse("[::1]:9000");
  EXPECT_EQ(c.endpoint.host, "::1");
  auto d = BaseUrl::parse("http://localhost:1/base/");
  EXPECT_EQ(d.base_path, "/base");
  EXPECT_THROW(BaseUrl::parse("nohost"), std::invalid_argument);
  EXPECT_THROW(BaseUrl::parse("http://h:99999"), std::invalid_argument);
  EXPECT_THROW(BaseUrl::parse("https://h:1"), std::invalid_argument);
}

TEST(Http, Names) {
  EXPECT_TRUE(valid_name("kitchen"));
  EXPECT_TRUE(valid_name("kitchen-1.a_b"));
  EXPECT_FALSE(valid_name(""));
  EXPECT_FALSE(valid_name("-x"));
  EXPECT_FALSE(valid_name("a/b"));
  EXPECT_FALSE(valid_name(std::string(129, 'a')));
  EXPECT_EQ(random_hex(8).size(), 16u);
  EXPECT_NE(new_request_id(), new_request_id());
}

}  // namespace
}  // namespace trellis::core
