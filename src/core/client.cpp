#include "core/client.h"

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <unordered_map>

namespace trellis::core {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

std::uint16_t parse_port(std::string_view s, std::string_view whole) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v > 65535)
    throw std::invalid_argument("invalid port in '" + std::string(whole) + "'");
  return static_cast<std::uint16_t>(v);
}

// Idle keep-alive connections of one io context, by "host:port".
class ConnectionPool : public asio::execution_context::service {
 public:
  static asio::execution_context::id id;
  explicit ConnectionPool(asio::execution_context& ctx) : service(ctx) {}

  std::unique_ptr<beast::tcp_stream> take(const std::string& key) {
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    auto& list = it->second;
    while (!list.empty()) {
      auto stream = std::move(list.back());
      list.pop_back();
      if (alive(*stream)) return stream;
    }
    return nullptr;
  }

  void give(const std::string& key, std::unique_ptr<beast::tcp_stream> stream,
            std::size_t max_idle) {
    auto& list = idle_[key];
    if (list.size() < max_idle) list.push_back(std::move(stream));
  }

 private:
  void shutdown() override { idle_.clear(); }

  // A pooled connection the peer has closed (FIN or RST already queued) is not reused.
  static bool alive(beast::tcp_stream& s) {
    char byte;
    ssize_t n = ::recv(s.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  std::unordered_map<std::string, std::vector<std::unique_ptr<beast::tcp_stream>>> idle_;
};

asio::execution_context::id ConnectionPool::id;

std::string serialize(const Request& req, const Endpoint& to) {
  std::string out;
  out.reserve(128 + req.body.size());
  out += req.method == Method::other ? std::string_view(req.method_name) : to_string(req.method);
  out += ' ';
  out += req.target.empty() ? std::string_view("/") : std::string_view(req.target);
  out += " HTTP/1.1\r\n";
  if (!req.headers.has("Host")) {
    out += "Host: ";
    out += to.host;
    out += ':';
    out += std::to_string(to.port);
    out += "\r\n";
  }
  for (const auto& f : req.headers) {
    if (iequals(f.name, "Content-Length") || iequals(f.name, "Transfer-Encoding")) continue;
    out += f.name;
    out += ": ";
    out += f.value;
    out += "\r\n";
  }
  if (!req.body.empty() || req.method == Method::post || req.method == Method::put ||
      req.method == Method::patch) {
    out += "Content-Length: ";
    out += std::to_string(req.body.size());
    out += "\r\n";
  }
  out += "\r\n";
  out += req.body;
  return out;
}

HttpError make_error(ClientError kind, const Endpoint& to, std::string_view what) {
  return HttpError{kind, std::string(to_string(kind)) + " (" + to.host + ":" +
                             std::to_string(to.port) + "): " + std::string(what)};
}

}  // namespace

BaseUrl BaseUrl::parse(std::string_view url) {
  BaseUrl out;
  std::string_view authority = url;
  if (url.find("://") != std::string_view::npos) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) throw std::invalid_argument("invalid URL '" + std::string(url) + "'");
    if (parsed->scheme() != "http")
      throw std::invalid_argument("only http:// URLs are supported: '" + std::string(url) + "'");
    auto host = parsed->encoded_host_address();
    out.endpoint.host.assign(host.data(), host.size());
    if (out.endpoint.host.starts_with('[') && out.endpoint.host.ends_with(']'))
      out.endpoint.host = out.endpoint.host.substr(1, out.endpoint.host.size() - 2);
    out.endpoint.port = parsed->has_port() ? parse_port(parsed->port(), url) : 80;
    auto path = parsed->encoded_path();
    out.base_path.assign(path.data(), path.size());
    while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  } else {
    if (authority.starts_with('[')) {  // [::1]:port
      auto close = authority.find(']');
      if (close == std::string_view::npos || close + 1 >= authority.size() ||
          authority[close + 1] != ':')
        throw std::invalid_argument("invalid address '" + std::string(url) + "'");
      out.endpoint.host = authority.substr(1, close - 1);
      out.endpoint.port = parse_port(authority.substr(close + 2), url);
    } else {
      auto colon = authority.rfind(':');
      if (colon == std::string_view::npos)
        throw std::invalid_argument("address '" + std::string(url) + "' needs host:port");
      out.endpoint.host = authority.substr(0, colon);
      out.endpoint.port = parse_port(authority.substr(colon + 1), url);
    }
  }
  if (out.endpoint.host.empty())
    throw std::invalid_argument("address '" + std::string(url) + "' has no host");
  return out;
}

std::string default_registry_url() {
  const char* env = std::getenv("TRELLIS_REGISTRY");
  return env && *env ? std::string(env) : "http://" + std::string(kDefaultControlPlaneListen);
}

HttpResult blocking_call(const BaseUrl& base, Method method, std::string target, std::string body,
                         std::chrono::milliseconds timeout) {
  ClientOptions options;
  options.connect_timeout = std::min(timeout, options.connect_timeout);
  HttpClient client(options);
  Request req;
  req.method = method;
  req.target = base.base_path + target;
  if (!body.empty()) req.headers.set("Content-Type", "application/json");
  req.body = std::move(body);
  asio::io_context ctx(1);
  auto result = asio::co_spawn(ctx, client.send(base.endpoint, std::move(req), timeout),
                               asio::use_future);
  ctx.run();
  return result.get();
}

std::string_view to_string(ClientError e) {
  switch (e) {
    case ClientError::connect_failed: return "connect failed";
    case ClientError::timeout: return "timeout";
    case ClientError::connection_lost: return "connection lost";
    case ClientError::bad_response: return "bad response";
    case ClientError::no_instance: return "no instance";
  }
  return "error";
}

HttpClient::HttpClient(ClientOptions options) : options_(options) {}

Task<HttpResult> HttpClient::send(const Endpoint& to, Request req) const {
  co_return co_await send(to, std::move(req), options_.request_timeout);
}

Task<HttpResult> HttpClient::send(const Endpoint& to, Request req,
                                  std::chrono::milliseconds timeout) const {
  auto ex = co_await asio::this_coro::executor;
  auto& pool = asio::use_service<ConnectionPool>(asio::query(ex, asio::execution::context));
  const std::string key = to.host + ":" + std::to_string(to.port);
  const std::string wire = serialize(req, to);

  // A reused connection may have been closed by the server while idle; then the request is
  // sent again once on a fresh connection if that is safe.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<beast::tcp_stream> stream = pool.take(key);
    const bool reused = stream != nullptr;
    if (!stream) {
      stream = std::make_unique<beast::tcp_stream>(ex);
      error_code ec;
      auto address = asio::ip::make_address(to.host == "localhost" ? "127.0.0.1" : to.host, ec);
      stream->expires_after(options_.connect_timeout);
      if (!ec) {
        auto [cec] = co_await stream->async_connect(tcp::endpoint(address, to.port), use_nothrow);
        ec = cec;
      } else {
        tcp::resolver resolver(ex);
        auto [rec, results] =
            co_await resolver.async_resolve(to.host, std::to_string(to.port), use_nothrow);
        if (rec) co_return make_error(ClientError::connect_failed, to, rec.message());
        auto [cec, ep] = co_await stream->async_connect(results, use_nothrow);
        ec = cec;
      }
      if (ec) co_return make_error(ClientError::connect_failed, to, ec.message());
      stream->socket().set_option(tcp::no_delay(true), ec);
    }

    stream->expires_after(timeout);
    auto [wec, written] = co_await asio::async_write(*stream, asio::buffer(wire), use_nothrow);
    if (wec) {
      if (reused && attempt == 0 && is_idempotent(req.method)) continue;
      co_return make_error(wec == beast::error::timeout ? ClientError::timeout
                                                        : ClientError::connection_lost,
                           to, wec.message());
    }

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    parser.header_limit(64 * 1024);
    if (req.method == Method::head) parser.skip(true);
    auto [rec, read] = co_await http::async_read(*stream, buffer, parser, use_nothrow);
    if (rec) {
      if (rec == beast::error::timeout)
        co_return make_error(ClientError::timeout, to, "no response within " +
                                                           std::to_string(timeout.count()) + " ms");
      bool nothing_received = !parser.got_some() && buffer.size() == 0;
      if (reused && attempt == 0 && nothing_received && is_idempotent(req.method)) continue;
      const bool parse_error = rec.category() == make_error_code(http::error::body_limit).category() &&
                               rec != http::error::end_of_stream &&
                               rec != http::error::partial_message;
      if (parse_error)
        co_return make_error(ClientError::bad_response, to, rec.message());
      co_return make_error(ClientError::connection_lost, to, rec.message());
    }

    auto& msg = parser.get();
    Response resp;
    resp.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg) {
      std::string_view name(f.name_string().data(), f.name_string().size());
      std::string_view value(f.value().data(), f.value().size());
      if (iequals(name, "Content-Type"))
        resp.content_type = value;
      else
        resp.headers.add(name, value);
    }
    resp.body = std::move(msg.body());
    if (msg.keep_alive()) {
      stream->expires_never();
      pool.give(key, std::move(stream), options_.max_idle_per_host);
    }
    co_return resp;
  }
  co_return make_error(ClientError::connection_lost, to, "connection closed before a response");
}

Task<HttpResult> HttpClient::get(const Endpoint& to, std::string target) const {
  Request req;
  req.method = Method::get;
  req.target = std::move(target);
  co_return co_await send(to, std::move(req));
}

Task<HttpResult> HttpClient::put_json(const Endpoint& to, std::string target,
                                      std::string body) const {
  Request req;
  req.method = Method::put;
  req.target = std::move(target);
  req.headers.set("Content-Type", "application/json");
  req.body = std::move(body);
  co_return co_await send(to, std::move(req));
}

}  // namespace trellis::core
