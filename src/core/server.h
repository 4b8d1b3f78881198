// HTTP/1.1 server: keep-alive, pipelining, limits, graceful drain. One acceptor per io
// context on the same port (SO_REUSEPORT), each connection served on the context that
// accepted it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/router.h"
#include "core/runtime.h"

namespace trellis::core {

struct ServerOptions {
  // "host:port"; port 0 picks an ephemeral port (see HttpServer::port()).
  // Default: 127.0.0.1:0 — admin and service ports are loopback unless configured.
  std::string listen = "127.0.0.1:0";
  // Request line + headers. Default: 16 KiB; larger → 431.
  std::size_t max_header_bytes = 16 * 1024;
  // Default: 1 MiB; larger → 413.
  std::size_t max_body_bytes = 1024 * 1024;
  // Time to receive a whole request head once its first byte arrived. Default: 10 s.
  std::chrono::milliseconds header_timeout{10'000};
  // Time to receive a body once the head arrived. Default: 30 s.
  std::chrono::milliseconds body_timeout{30'000};
  // An idle keep-alive connection is closed after this. Default: 60 s.
  std::chrono::milliseconds idle_timeout{60'000};
  // Connections beyond this are closed at once (counted over all io threads). Default: 10000.
  std::size_t max_connections = 10'000;
  // On stop(): time in-flight requests get to finish. Default: 10 s.
  std::chrono::milliseconds drain_timeout{10'000};
  // Value of the Server header.
  std::string server_name = "trellis";
};

class HttpServer {
 public:
  HttpServer(Runtime& runtime, const Router& router, ServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; throws std::system_error when the address cannot be bound.
  void start();
  std::uint16_t port() const;
  std::string address() const;  // "host:port" actually bound

  // Graceful stop: stop accepting, close idle connections, let in-flight requests finish
  // (their responses carry Connection: close) until the drain timeout, then close the rest.
  // Completes when every connection is gone.
  Task<void> stop();

  std::size_t connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace trellis::core
