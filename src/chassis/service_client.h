// Calls other services by name: picks an instance from discovery's cache through the
// balancer, and retries on another instance when that is safe:
//  - a connect failure (the request was never sent): any method; the instance is ejected
//    for a while so the next calls avoid it;
//  - a lost connection or a 502/503 answer: idempotent methods only.
//   co_await client.get("kitchen", "/menu")
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "chassis/balancer.h"
#include "chassis/discovery.h"
#include "core/client.h"

namespace trellis::chassis {

struct CallOptions {
  std::chrono::milliseconds timeout{5'000};  // per attempt. Default: 5 s
  int max_attempts = 3;                      // distinct instances tried. Default: 3
};

struct ServiceClientOptions {
  Strategy strategy = Strategy::p2c;
  // How long an instance is skipped after a connect failure. Default: 10 s.
  std::chrono::milliseconds ejection{10'000};
  // How long a call waits for the first discovery answer of a service it never used.
  std::chrono::milliseconds first_lookup_wait{2'000};
  core::ClientOptions http;
};

class ServiceClient {
 public:
  ServiceClient(Discovery& discovery, ServiceClientOptions options = {});

  core::Task<core::HttpResult> call(std::string_view service, core::Request req,
                                    CallOptions options = {});
  core::Task<core::HttpResult> get(std::string_view service, std::string target);
  core::Task<core::HttpResult> post(std::string_view service, std::string target,
                                    std::string json_body);

  Balancer& balancer() { return balancer_; }

 private:
  Discovery& discovery_;
  ServiceClientOptions options_;
  core::HttpClient http_;
  Balancer balancer_;
};

}  // namespace trellis::chassis
