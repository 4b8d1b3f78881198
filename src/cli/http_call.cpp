#include "cli/http_call.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace trellis::cli {

core::HttpResult http_call(const core::BaseUrl& base, core::Method method, std::string target,
                           std::string body, std::chrono::milliseconds timeout) {
  core::ClientOptions options;
  options.connect_timeout = std::min(timeout, options.connect_timeout);
  core::HttpClient client(options);
  core::Request req;
  req.method = method;
  req.target = base.base_path + target;
  if (!body.empty()) req.headers.set("Content-Type", "application/json");
  req.body = std::move(body);
  boost::asio::io_context ctx(1);
  auto fut = boost::asio::co_spawn(ctx, client.send(base.endpoint, std::move(req), timeout),
                                   boost::asio::use_future);
  ctx.run();
  return fut.get();
}

}  // namespace trellis::cli
