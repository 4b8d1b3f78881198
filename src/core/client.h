// HTTP/1.1 client: keep-alive connection pool per io context and per host, connect and
// request timeouts. Failures are values (HttpResult), not exceptions: on the request path
// a timeout or a refused connection is an expected outcome.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>

#include "core/http.h"
#include "core/task.h"

namespace trellis::core {

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
};

// Parses "http://host:port[/base]" or "host:port"; throws std::invalid_argument.
struct BaseUrl {
  Endpoint endpoint;
  std::string base_path;  // without trailing '/'
  static BaseUrl parse(std::string_view url);
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{2'000};  // Default: 2 s
  std::chrono::milliseconds request_timeout{10'000};  // Default: 10 s, from send to last byte
  std::size_t max_response_bytes = 16 * 1024 * 1024;  // Default: 16 MiB
  std::size_t max_idle_per_host = 64;                 // Default: 64 pooled connections
};

enum class ClientError {
  connect_failed,    // refused, unreachable, or connect timeout: the request was not sent
  timeout,           // request timeout after the request may have been sent
  connection_lost,   // reset/EOF after sending: the server may have seen the request
  bad_response,      // unparsable or too large
  no_instance,       // (discovery) no healthy instance of the service is known
};
std::string_view to_string(ClientError e);

struct HttpError {
  ClientError kind;
  std::string detail;
  // True when the server cannot have processed the request (safe to retry anywhere).
  bool not_sent() const {
    return kind == ClientError::connect_failed || kind == ClientError::no_instance;
  }
};

class HttpResult {
 public:
  HttpResult() : v_(HttpError{ClientError::bad_response, "no result"}) {}
  HttpResult(Response r) : v_(std::move(r)) {}
  HttpResult(HttpError e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  Response& value() { return std::get<0>(v_); }
  const Response& value() const { return std::get<0>(v_); }
  Response* operator->() { return &value(); }
  const Response* operator->() const { return &value(); }
  const HttpError& error() const { return std::get<1>(v_); }

 private:
  std::variant<Response, HttpError> v_;
};

// Where the control plane (registry API) listens unless configured otherwise.
inline constexpr const char* kDefaultControlPlaneListen = "127.0.0.1:7700";
// The registry URL a service or the CLI uses when told nothing: $TRELLIS_REGISTRY, else
// http://<kDefaultControlPlaneListen>.
std::string default_registry_url();

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options = {});

  // Sends `req` (its target is sent as is; Host is set when absent). Runs on the calling
  // coroutine's io context and uses that context's pool.
  Task<HttpResult> send(const Endpoint& to, Request req) const;
  // As send(), with a timeout for this call only.
  Task<HttpResult> send(const Endpoint& to, Request req, std::chrono::milliseconds timeout) const;

  Task<HttpResult> get(const Endpoint& to, std::string target) const;
  Task<HttpResult> put_json(const Endpoint& to, std::string target, std::string body) const;

 private:
  ClientOptions options_;
};

// One request outside any coroutine (CLI commands, tests): runs its own io context and waits.
// `target` is appended to the base URL's path; a non-empty body is sent as JSON.
HttpResult blocking_call(const BaseUrl& base, Method method, std::string target,
                         std::string body = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace trellis::core
