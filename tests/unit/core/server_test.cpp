#include "core/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "core/client.h"
#include "core/notifier.h"
#include "core/problem.h"

namespace trellis::core {
namespace {

using namespace std::chrono_literals;

// A plain blocking socket, so tests can send exactly the bytes they mean.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // Reads until the peer closes, `until` appears `count` times, or the deadline passes.
  std::string read(std::chrono::milliseconds deadline, std::string_view until = {},
                   int count = 1) {
    std::string out;
    auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
      if (!until.empty() && occurrences(out, until) >= count) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
  bool closed() const { return closed_; }
  static int occurrences(std::string_view s, std::string_view what) {
    int n = 0;
    for (auto pos = s.find(what); pos != std::string_view::npos; pos = s.find(what, pos + 1)) ++n;
    return n;
  }

 private:
  int fd_;
  bool connected_ = false;
  bool closed_ = false;
};

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    router_.get("/hello", [](Request& req) -> Task<Response> {
      co_return Response::text(200, "hello " + std::string(req.query_param("name").value_or("")));
    });
    router_.post("/echo", [](Request& req) -> Task<Response> {
      co_return Response::text(200, req.body);
    });
    router_.get("/slow", [](Request&) -> Task<Response> {
      co_await sleep_for(300ms);
      co_return Response::text(200, "slow done");
    });
    router_.get("/id", [](Request& req) -> Task<Response> {
      co_return Response::text(200, req.request_id);
    });
    router_.get("/peer", [](Request& req) -> Task<Response> {
      co_return Response::text(200, req.remote);
    });
    server_ = std::make_unique<HttpServer>(runtime_, router_, options);
    server_->start();
    runtime_.start();
  }
  void TearDown() override {
    if (server_) run(server_->stop());
    runtime_.stop();
    runtime_.join();
  }
  template <class T>
  T run(Task<T> task) {
    boost::asio::io_context ctx;
    auto fut = boost::asio::co_spawn(ctx, std::move(task), boost::asio::use_future);
    ctx.run();
    return fut.get();
  }
  Endpoint endpoint() const { return {"127.0.0.1", server_->port()}; }

  Runtime runtime_{2};
  Router router_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ServerTest, AnswersThroughClientWithKeepAlive) {
  start();
  HttpClient client;
  auto results = run([&]() -> Task<std::vector<HttpResult>> {
    std::vector<HttpResult> out;
    for (int i = 0; i < 5; ++i) out.push_back(co_await client.get(endpoint(), "/hello?name=x"));
    co_return out;
  }());
  for (auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.error().detail;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello x");
    EXPECT_FALSE(r->headers.get("Date").empty());
  }
  // One pooled keep-alive connection serves consecutive calls: the peer address is the same.
  auto peers = run([&]() -> Task<std::vector<std::string>> {
    std::vector<std::string> out;
    for (int i = 0; i < 3; ++i) {
      auto r = co_await client.get(endpoint(), "/peer");
      out.push_back(r.ok() ? r->body : "");
    }
    co_return out;
  }());
  EXPECT_FALSE(peers[0].empty());
  EXPECT_EQ(peers[0], peers[1]);
  EXPECT_EQ(peers[1], peers[2]);
}

TEST_F(ServerTest, UnknownRouteIsProblemJson) {
  start();
  HttpClient client;
  auto r = run(client.get(endpoint(), "/nope"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->content_type, "application/problem+json");
}

TEST_F(ServerTest, PipelinedRequestsAnswerInOrder) {
  start();
  RawConnection c(server_->port());
  ASSERT_TRUE(c.connected());
  c.send(
      "GET /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string out = c.read(5s, "hello ", 2);
  auto a = out.find("hello a"), b = out.find("hello b");
  ASSERT_NE(a, std::string::npos) << out;
  ASSERT_NE(b, std::string::npos) << out;
  EXPECT_LT(a, b);
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  ServerOptions o;
  o.max_header_bytes = 1024;
  start(o);
  RawConnection c(server_->port());
  c.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  std::string out = c.read(5s);
  EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out;
  EXPECT_NE(out.find("application/problem+json"), std::string::npos);
  EXPECT_TRUE(c.closed());
}

TEST_F(ServerTest, OversizedBodyGets413) {
  ServerOptions o;
  o.max_body_bytes = 100;
  start(o);
  RawConnection c(server_->port());
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'b'));
  std::string out = c.read(5s);
  EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out;
}

TEST_F(ServerTest, BodyWithinLimitIsEchoed) {
  start();
  HttpClient client;
  Request req;
  req.method = Method::post;
  req.target = "/echo";
  req.body = std::string(200'000, 'z');
  auto r = run(client.send(endpoint(), req));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body.size(), 200'000u);
}

TEST_F(ServerTest, MalformedAndSmuggledRequestsGet400) {
  start();
  {
    RawConnection c(server_->port());
    c.send("BLAH\r\n\r\n");
    EXPECT_EQ(c.read(5s).rfind("HTTP/1.1 400", 0), 0u);
  }
  {
    RawConnection c(server_->port());
    c.send(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
        "0\r\n\r\n");
    EXPECT_EQ(c.read(5s).rfind("HTTP/1.1 400", 0), 0u);
  }
  // The server keeps serving afterwards.
  HttpClient client;
  auto r = run(client.get(endpoint(), "/hello"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, RequestIdEchoedOrGenerated) {
  start();
  HttpClient client;
  Request req;
  req.target = "/id";
  req.headers.set("X-Request-Id", "abc-123");
  auto r = run(client.send(endpoint(), req));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "abc-123");
  EXPECT_EQ(r->headers.get("X-Request-Id"), "abc-123");
  auto g = run(client.get(endpoint(), "/id"));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->body.size(), 32u);
  EXPECT_EQ(g->headers.get("X-Request-Id"), g->body);
}

TEST_F(ServerTest, SlowHeadersAreCutOff) {
  ServerOptions o;
  o.header_timeout = 300ms;
  start(o);
  RawConnection c(server_->port());
  c.send("GET /hello HTTP/1.1\r\n");  // never finishes its head
  c.read(10s);
  EXPECT_TRUE(c.closed());
}

TEST_F(ServerTest, IdleConnectionsAreClosed) {
  ServerOptions o;
  o.idle_timeout = 300ms;
  start(o);
  RawConnection c(server_->port());
  c.read(10s);
  EXPECT_TRUE(c.closed());
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitAreRefused) {
  ServerOptions o;
  o.max_connections = 1;
  start(o);
  RawConnection first(server_->port());
  first.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_NE(first.read(5s, "hello").find("hello"), std::string::npos);
  RawConnection second(server_->port());
  second.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string out = second.read(5s);
  EXPECT_TRUE(second.closed());
  EXPECT_EQ(out.find("hello"), std::string::npos);
}

TEST_F(ServerTest, StopLetsInFlightRequestsFinish) {
  start();
  RawConnection c(server_->port());
  c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  // Wait until the request is in flight, then stop.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (server_->connections() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  std::thread stopper([&] { run(server_->stop()); });
  std::string out = c.read(10s);
  stopper.join();
  EXPECT_NE(out.find("slow done"), std::string::npos) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos);
  EXPECT_EQ(server_->connections(), 0u);
  RawConnection after(server_->port());
  EXPECT_FALSE(after.connected());
}

TEST_F(ServerTest, ClientReportsConnectFailure) {
  start();
  HttpClient client;
  auto r = run(client.get({"127.0.0.1", 1}, "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ClientError::connect_failed);
  EXPECT_TRUE(r.error().not_sent());
}

TEST_F(ServerTest, ClientTimesOut) {
  start();
  HttpClient client;
  Request req;
  req.target = "/slow";
  auto r = run(client.send(endpoint(), req, 50ms));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ClientError::timeout);
}

}  // namespace
}  // namespace trellis::core

namespace trellis::core {
namespace {

TEST(Notifier, NotificationBeforeWaitIsNotLost) {
  Notifier n;
  boost::asio::io_context ctx;
  std::uint64_t seen = n.epoch();
  n.notify_all();  // lands between a caller's check and its wait
  auto fut = boost::asio::co_spawn(ctx, n.wait(seen, std::chrono::hours(1)), boost::asio::use_future);
  ctx.run();
  EXPECT_TRUE(fut.get());
}

TEST(Notifier, WakesWaitersAndTimesOut) {
  Notifier n;
  boost::asio::io_context ctx;
  auto timed_out = boost::asio::co_spawn(ctx, n.wait(std::chrono::milliseconds(1)),
                                         boost::asio::use_future);
  ctx.run();
  EXPECT_FALSE(timed_out.get());
  ctx.restart();
  auto woken = boost::asio::co_spawn(ctx, n.wait(std::chrono::hours(1)), boost::asio::use_future);
  ctx.poll();  // parks the waiter
  EXPECT_EQ(n.waiting(), 1u);
  n.notify_all();
  ctx.run();
  EXPECT_TRUE(woken.get());
}

}  // namespace
}  // namespace trellis::core
