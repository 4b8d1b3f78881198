#include "core/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include <sys/resource.h>

#include <atomic>
#include <charconv>
#include <ctime>
#include <list>
#include <optional>

#include "core/client.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/problem.h"

namespace trellis::core {

namespace asio = boost::asio;
using namespace std::string_view_literals;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kInitialBuffer = 4096;
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 8 * 1024 * 1024;

Method to_method(http::verb v) {
  switch (v) {
    case http::verb::get: return Method::get;
    case http::verb::head: return Method::head;
    case http::verb::post: return Method::post;
    case http::verb::put: return Method::put;
    case http::verb::delete_: return Method::delete_;
    case http::verb::patch: return Method::patch;
    case http::verb::options: return Method::options;
    default: return Method::other;
  }
}

// Feeds Beast's request parser straight into a reused Request: no per-request allocation
// once the connection's strings have grown to their working size.
class RequestParser final : public http::basic_parser<true> {
 public:
  explicit RequestParser(Request& req) : req_(req) {}
  int version() const { return version_; }

 private:
  void on_request_impl(http::verb method, boost::beast::string_view method_str,
                       boost::beast::string_view target, int version, error_code&) override {
    req_.method = to_method(method);
    if (req_.method == Method::other) req_.method_name.assign(method_str.data(), method_str.size());
    req_.target.assign(target.data(), target.size());
    version_ = version;
  }
  void on_response_impl(int, boost::beast::string_view, int, error_code&) override {}
  void on_field_impl(http::field, boost::beast::string_view name, boost::beast::string_view value,
                     error_code&) override {
    req_.headers.add({name.data(), name.size()}, {value.data(), value.size()});
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) req_.body.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(boost::beast::string_view body, error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                                 error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  Request& req_;
  int version_ = 11;
};

// The Date header, formatted once a second per thread.
std::string_view http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local char buf[64];
  thread_local std::size_t len = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    len = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  }
  return {buf, len};
}

void append_number(std::string& out, std::size_t n) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, static_cast<std::size_t>(p - buf));
}

// Connections need descriptors: lift the soft limit to the hard one (as Go and nginx's
// worker_rlimit_nofile do), so max_connections, not a default of 1024, is what bounds them.
void raise_open_file_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

}  // namespace

struct Connection;

// Everything one io thread owns: its acceptor, its connections, its timeout sweeper.
struct Worker {
  asio::io_context& ctx;
  std::optional<tcp::acceptor> acceptor;
  std::list<Connection*> connections;
  asio::steady_timer sweeper;
  explicit Worker(asio::io_context& c) : ctx(c), sweeper(c) {}
};

struct Connection {
  tcp::socket socket;
  Clock::time_point deadline = Clock::time_point::max();
  bool busy = false;  // a handler is running: not idle, not subject to read timeouts
  std::list<Connection*>::iterator position;
  explicit Connection(tcp::socket s) : socket(std::move(s)) {}
};

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Runtime& runtime;
  const Router& router;
  ServerOptions options;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<std::size_t> open{0};
  std::atomic<bool> stopping{false};
  tcp::endpoint bound;

  Impl(Runtime& rt, const Router& r, ServerOptions o)
      : runtime(rt), router(r), options(std::move(o)) {}

  Task<void> accept_loop(Worker& w);
  Task<void> serve(Worker& w, tcp::socket socket);
  Task<void> sweep_loop(Worker& w);
  void write_response(std::string& out, const Request& req, Response& resp, bool close) const;
  void close_idle(Worker& w, bool force);
};

Task<void> HttpServer::Impl::accept_loop(Worker& w) {
  auto self = shared_from_this();
  while (!stopping) {
    auto [ec, socket] = co_await w.acceptor->async_accept(use_nothrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) break;
      log(LogLevel::warn, "accept failed", {{"error", ec.message()}});
      co_await sleep_for(std::chrono::milliseconds(50));  // e.g. out of descriptors
      continue;
    }
    if (open.load(std::memory_order_relaxed) >= options.max_connections) {
      error_code ignored;
      socket.close(ignored);  // over the limit: refuse by closing at once
      continue;
    }
    open.fetch_add(1, std::memory_order_relaxed);
    asio::co_spawn(w.ctx, serve(w, std::move(socket)), asio::detached);
  }
}

Task<void> HttpServer::Impl::sweep_loop(Worker& w) {
  auto self = shared_from_this();
  while (!(stopping && w.connections.empty())) {
    w.sweeper.expires_after(std::chrono::milliseconds(250));
    co_await w.sweeper.async_wait(use_nothrow);
    auto now = Clock::now();
    for (Connection* c : w.connections) {
      if (!c->busy && c->deadline <= now) {
        error_code ignored;
        c->socket.close(ignored);
      }
    }
  }
}

void HttpServer::Impl::close_idle(Worker& w, bool force) {
  for (Connection* c : w.connections) {
    if (force || !c->busy) {
      error_code ignored;
      c->socket.close(ignored);
    }
  }
}

void HttpServer::Impl::write_response(std::string& out, const Request& req, Response& resp,
                                      bool close) const {
  const bool no_body = resp.status == 204 || resp.status == 304 || resp.status < 200;
  out += "HTTP/1.1 "sv;
  append_number(out, static_cast<std::size_t>(resp.status));
  out += ' ';
  out += reason_phrase(resp.status);
  out += "\r\nServer: "sv;
  out += options.server_name;
  out += "\r\nDate: "sv;
  out += http_date();
  out += "\r\n"sv;
  if (!resp.content_type.empty()) {
    out += "Content-Type: "sv;
    out += resp.content_type;
    out += "\r\n"sv;
  }
  if (!no_body) {
    out += "Content-Length: "sv;
    append_number(out, resp.body.size());
    out += "\r\n"sv;
  }
  if (!req.request_id.empty()) {
    out += "X-Request-Id: "sv;
    out += req.request_id;
    out += "\r\n"sv;
  }
  if (close) out += "Connection: close\r\n"sv;
  for (const auto& f : resp.headers) {
    out += f.name;
    out += ": "sv;
    out += f.value;
    out += "\r\n"sv;
  }
  out += "\r\n"sv;
  if (!no_body && req.method != Method::head) out += resp.body;
}

Task<void> HttpServer::Impl::serve(Worker& w, tcp::socket socket) {
  auto self = shared_from_this();
  Connection conn(std::move(socket));
  conn.position = w.connections.insert(w.connections.end(), &conn);
  error_code ec;
  conn.socket.set_option(tcp::no_delay(true), ec);

  std::string remote;
  if (auto ep = conn.socket.remote_endpoint(ec); !ec)
    remote = ep.address().to_string() + ":" + std::to_string(ep.port());

  const std::size_t max_buffer = options.max_header_bytes + 4096;
  std::vector<char> buffer(kInitialBuffer);
  std::size_t begin = 0, end = 0;  // unparsed bytes are buffer[begin, end)
  std::string out;
  Request req;
  std::optional<RequestParser> parser;
  Clock::time_point request_started{};
  bool sent_continue = false;

  auto new_request = [&] {
    req.clear();
    parser.emplace(req);
    parser->eager(true);
    parser->header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser->body_limit(static_cast<std::uint64_t>(options.max_body_bytes));
    sent_continue = false;
  };
  auto flush = [&]() -> Task<bool> {
    if (out.empty()) co_return true;
    auto [wec, n] = co_await asio::async_write(conn.socket, asio::buffer(out), use_nothrow);
    out.clear();
    co_return !wec;
  };
  // Answers a request we refuse, then closes gracefully: stop sending, and read (and drop)
  // what the client is still sending for a short while so it can read our answer instead of
  // seeing a reset (nginx's lingering close).
  auto fail = [&](int status, std::string_view detail) -> Task<void> {
    Response r = problem(status, detail);
    write_response(out, req, r, true);
    if (!co_await flush()) co_return;
    error_code ignored;
    conn.socket.shutdown(tcp::socket::shutdown_send, ignored);
    conn.busy = false;
    conn.deadline = Clock::now() + kLingerTime;
    std::size_t drained = 0;
    while (drained < kLingerBytes) {
      auto [rec, n] = co_await conn.socket.async_read_some(
          asio::buffer(buffer.data(), buffer.size()), use_nothrow);
      if (rec) break;
      drained += n;
    }
  };

  new_request();
  bool open_conn = true;
  while (open_conn) {
    // Parse everything already buffered before reading or writing (pipelining).
    if (begin < end) {
      if (parser->got_some() == false && request_started == Clock::time_point{})
        request_started = Clock::now();
      std::size_t used = parser->put(asio::buffer(buffer.data() + begin, end - begin), ec);
      begin += used;
      bool need_more = used == 0;
      if (ec == http::error::need_more) {
        ec = {};
        need_more = true;
        if (parser->is_header_done() && !sent_continue &&
            iequals(req.headers.get("Expect"), "100-continue")) {
          sent_continue = true;
          out += "HTTP/1.1 100 Continue\r\n\r\n";
        }
      } else if (ec) {
        if (ec == http::error::header_limit)
          co_await fail(431, "request header fields exceed " +
                                 std::to_string(options.max_header_bytes) + " bytes");
        else if (ec == http::error::body_limit)
          co_await fail(413, "request body exceeds " + std::to_string(options.max_body_bytes) +
                                 " bytes");
        else
          co_await fail(400, "malformed HTTP request: " + ec.message());
        break;
      } else if (parser->is_done()) {
        request_started = {};
        req.remote = remote;
        req.keep_alive = parser->keep_alive();
        std::string_view id = req.headers.get("X-Request-Id");
        if (acceptable_request_id(id))
          req.request_id.assign(id);
        else
          append_random_hex(req.request_id, 16);  // reuses the string's storage
        conn.busy = true;
        Response resp;
        try {
          // Matched here rather than through Router::dispatch: one coroutine frame less.
          Router::Result match = router.find(req);
          if (match.match == Router::Match::found)
            resp = co_await (*match.handler)(req);
          else
            resp = Router::no_match(req, match);
        } catch (const std::exception& e) {
          log(LogLevel::error, "handler failed",
              {{"path", std::string(req.path())}, {"error", e.what()}});
          resp = problem(500, "internal error");
        }
        conn.busy = false;
        bool close = !req.keep_alive || stopping.load(std::memory_order_relaxed);
        write_response(out, req, resp, close);
        if (close) {
          co_await flush();
          break;
        }
        new_request();
        continue;
      }
      if (begin < end && !need_more) continue;
    }
    // Buffer drained: send pending responses, then wait for more input.
    if (!co_await flush()) break;
    if (begin == end) begin = end = 0;
    if (end == buffer.size()) {
      if (begin > 0) {  // compact
        std::copy(buffer.begin() + static_cast<std::ptrdiff_t>(begin),
                  buffer.begin() + static_cast<std::ptrdiff_t>(end), buffer.begin());
        end -= begin;
        begin = 0;
      } else if (buffer.size() < max_buffer) {
        buffer.resize(std::min(max_buffer, buffer.size() * 2));
      } else {
        co_await fail(431, "request header fields too large");
        break;
      }
    }
    auto now = Clock::now();
    if (request_started == Clock::time_point{})
      conn.deadline = now + options.idle_timeout;
    else if (!parser->is_header_done())
      conn.deadline = request_started + options.header_timeout;
    else
      conn.deadline = now + options.body_timeout;
    if (stopping && request_started == Clock::time_point{}) break;
    auto [rec, n] = co_await conn.socket.async_read_some(
        asio::buffer(buffer.data() + end, buffer.size() - end), use_nothrow);
    if (rec) break;
    end += n;
  }
  error_code ignored;
  conn.socket.shutdown(tcp::socket::shutdown_both, ignored);
  conn.socket.close(ignored);
  w.connections.erase(conn.position);
  open.fetch_sub(1, std::memory_order_relaxed);
}

HttpServer::HttpServer(Runtime& runtime, const Router& router, ServerOptions options)
    : impl_(std::make_shared<Impl>(runtime, router, std::move(options))) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
  raise_open_file_limit();
  Endpoint ep;
  {
    BaseUrl url = BaseUrl::parse(impl_->options.listen);
    ep = url.endpoint;
  }
  error_code ec;
  auto address = asio::ip::make_address(ep.host == "localhost" ? "127.0.0.1" : ep.host, ec);
  if (ec)
    throw std::system_error(ec, "invalid listen address '" + impl_->options.listen + "'");
  tcp::endpoint endpoint(address, ep.port);
  if (ep.port != 0) {
    // SO_REUSEPORT would let us share a port another process already serves; probe first.
    tcp::acceptor probe(impl_->runtime.context(0));
    probe.open(endpoint.protocol());
    probe.set_option(tcp::acceptor::reuse_address(true));
    probe.bind(endpoint, ec);
    if (ec) throw std::system_error(ec, "cannot listen on " + impl_->options.listen);
  }
  for (int i = 0; i < impl_->runtime.size(); ++i) {
    auto w = std::make_unique<Worker>(impl_->runtime.context(i));
    w->acceptor.emplace(w->ctx);
    auto& a = *w->acceptor;
    a.open(endpoint.protocol());
    a.set_option(tcp::acceptor::reuse_address(true));
    int one = 1;
    ::setsockopt(a.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    a.bind(endpoint, ec);
    if (ec) throw std::system_error(ec, "cannot listen on " + impl_->options.listen);
    a.listen(asio::socket_base::max_listen_connections);
    if (i == 0) {
      impl_->bound = a.local_endpoint();
      endpoint = impl_->bound;  // the other acceptors join the (possibly ephemeral) port
    }
    impl_->workers.push_back(std::move(w));
  }
  for (auto& w : impl_->workers) {
    asio::co_spawn(w->ctx, impl_->accept_loop(*w), asio::detached);
    asio::co_spawn(w->ctx, impl_->sweep_loop(*w), asio::detached);
  }
}

std::uint16_t HttpServer::port() const { return impl_->bound.port(); }

std::string HttpServer::address() const {
  return impl_->bound.address().to_string() + ":" + std::to_string(impl_->bound.port());
}

std::size_t HttpServer::connections() const { return impl_->open.load(); }

Task<void> HttpServer::stop() {
  auto impl = impl_;
  if (impl->stopping.exchange(true)) co_return;
  for (auto& w : impl->workers) {
    asio::post(w->ctx, [impl, wp = w.get()] {
      error_code ignored;
      if (wp->acceptor) wp->acceptor->close(ignored);
      impl->close_idle(*wp, false);
    });
  }
  auto deadline = Clock::now() + impl->options.drain_timeout;
  while (impl->open.load() > 0 && Clock::now() < deadline)
    co_await sleep_for(std::chrono::milliseconds(10));
  if (impl->open.load() > 0) {
    log(LogLevel::warn, "drain timeout: closing remaining connections",
        {{"connections", impl->open.load()}});
    for (auto& w : impl->workers)
      asio::post(w->ctx, [impl, wp = w.get()] { impl->close_idle(*wp, true); });
    // A handler still running keeps its coroutine alive until it returns; do not wait for it.
    auto grace = Clock::now() + std::chrono::seconds(1);
    while (impl->open.load() > 0 && Clock::now() < grace)
      co_await sleep_for(std::chrono::milliseconds(10));
  }
  for (auto& w : impl->workers)
    asio::post(w->ctx, [wp = w.get()] { wp->sweeper.cancel(); });
}

}  // namespace trellis::core
