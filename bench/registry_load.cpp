// Registry under load: 10,000 instances renewing their leases at the chassis' default interval
// (every 5 s), and 100 blocking-query watchers. Measures, for a `trellis serve registry`
// child process: CPU (share of one core) and RSS while renewals run, and the time from a
// change to each watcher being answered.
//
//   bench-registry-load [--instances N] [--seconds S] [--watchers W] [--changes C]
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "core/client.h"
#include "core/json.h"
#include "supervisor/process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace asio = boost::asio;
using namespace trellis;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// utime + stime of `pid`, in clock ticks.
long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  auto close = s.rfind(')');
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int arg(int argc, char** argv, const char* name, int def) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  return def;
}

core::Request put(std::string target, std::string body) {
  core::Request r;
  r.method = core::Method::put;
  r.target = std::move(target);
  r.body = std::move(body);
  r.headers.set("Content-Type", "application/json");
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const int instances = arg(argc, argv, "--instances", 10'000);
  const int seconds = arg(argc, argv, "--seconds", 30);
  const int watchers = arg(argc, argv, "--watchers", 100);
  const int changes = arg(argc, argv, "--changes", 30);
  const int connections = 64;

  auto dir = std::filesystem::temp_directory_path() / ("trellis-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto port = free_port();
  supervisor::ChildProcess registry;
  supervisor::ProcessSpec spec;
  spec.path = supervisor::find_executable("trellis");
  spec.args = {"serve", "registry", "--listen", "127.0.0.1:" + std::to_string(port), "--data",
               dir.string()};
  spec.log_file = (dir / "registry.log").string();
  registry.start(spec);
  const core::Endpoint ep{"127.0.0.1", port};
  core::ClientOptions co;
  co.request_timeout = 60s;
  core::HttpClient client(co);

  asio::io_context ctx(1);
  auto run = [&](auto task) {
    auto f = asio::co_spawn(ctx, std::move(task), asio::use_future);
    ctx.restart();
    ctx.run();
    return f.get();
  };

  // Wait for the registry.
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    up = run([&]() -> core::Task<bool> {
      auto r = co_await client.get(ep, "/v1/registry/services");
      co_return r.ok() && r->status == 200;
    }());
    if (!up) std::this_thread::sleep_for(100ms);
  }
  if (!up) {
    std::fprintf(stderr, "registry did not start\n");
    return 1;
  }

  // Register every instance (64 connections in parallel).
  auto t0 = Clock::now();
  std::atomic<int> next{0}, failed{0};
  auto registrar = [&]() -> core::Task<void> {
    for (int i; (i = next++) < instances;) {
      auto r = co_await client.send(
          ep, put("/v1/registry/instances/load/i" + std::to_string(i),
                  R"({"host":"127.0.0.1","port":)" + std::to_string(10000 + i % 50000) +
                      R"(,"ttl":"15s"})"));
      if (!r.ok() || r->status != 200) ++failed;
    }
  };
  run([&]() -> core::Task<void> {
    for (int c = 0; c < connections; ++c) asio::co_spawn(ctx, registrar(), asio::detached);
    co_return;
  }());
  double register_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (failed) {
    std::fprintf(stderr, "%d registrations failed\n", failed.load());
    return 1;
  }

  // Renew every lease every 5 s, evenly spread, for `seconds`; measure registry CPU and RSS.
  std::atomic<long> renewals{0}, renew_failures{0};
  const auto interval = 5000ms;
  auto renew_worker = [&](int worker) -> core::Task<void> {
    auto start = Clock::now();
    auto end = start + std::chrono::seconds(seconds);
    asio::steady_timer timer(ctx);
    // Worker w renews instances w, w+64, ... each once per interval, spread over the interval.
    std::vector<int> mine;
    for (int i = worker; i < instances; i += connections) mine.push_back(i);
    auto gap = interval / static_cast<long>(std::max<std::size_t>(mine.size(), 1));
    auto due = start;
    while (Clock::now() < end) {
      for (int i : mine) {
        due += gap;
        if (due > end) co_return;
        timer.expires_at(due);
        co_await timer.async_wait(asio::use_awaitable);
        core::Request r;
        r.method = core::Method::put;
        r.target = "/v1/registry/instances/load/i" + std::to_string(i) + "/heartbeat";
        auto res = co_await client.send(ep, std::move(r));
        if (res.ok() && res->status == 200)
          ++renewals;
        else
          ++renew_failures;
      }
    }
  };
  long ticks0 = cpu_ticks(registry.pid());
  auto w0 = Clock::now();
  run([&]() -> core::Task<void> {
    for (int c = 0; c < connections; ++c) asio::co_spawn(ctx, renew_worker(c), asio::detached);
    co_return;
  }());
  double wall = std::chrono::duration<double>(Clock::now() - w0).count();
  long ticks1 = cpu_ticks(registry.pid());
  double cpu_pct = 100.0 * static_cast<double>(ticks1 - ticks0) /
                   static_cast<double>(::sysconf(_SC_CLK_TCK)) / wall;
  long rss = rss_kib(registry.pid());

  // Blocking-query watchers: 100 watchers on one service; each change must reach them all.
  std::vector<double> per_watcher_ms, all_answered_ms;
  auto index_of = [&]() -> core::Task<std::uint64_t> {
    auto r = co_await client.get(ep, "/v1/registry/services/watched");
    co_return r.ok() ? static_cast<std::uint64_t>(
                           core::parse_json_object(r->body).at("index").to_number<std::int64_t>())
                     : 0;
  };
  for (int c = 0; c < changes; ++c) {
    std::uint64_t index = run(index_of());
    std::vector<double> answered(static_cast<std::size_t>(watchers), -1);
    Clock::time_point changed_at;
    std::atomic<int> parked{0};
    run([&]() -> core::Task<void> {
      for (int w = 0; w < watchers; ++w) {
        asio::co_spawn(
            ctx,
            [&, w]() -> core::Task<void> {
              ++parked;
              auto r = co_await client.get(
                  ep, "/v1/registry/services/watched?index=" + std::to_string(index) + "&wait=30s");
              if (r.ok() && r->status == 200)
                answered[static_cast<std::size_t>(w)] =
                    std::chrono::duration<double, std::milli>(Clock::now() - changed_at).count();
            },
            asio::detached);
      }
      // Give every watcher time to park its query in the registry, then change the service.
      asio::steady_timer t(ctx, 300ms);
      co_await t.async_wait(asio::use_awaitable);
      changed_at = Clock::now();
      co_await client.send(ep, put("/v1/registry/instances/watched/w" + std::to_string(c),
                                   R"({"host":"127.0.0.1","port":9,"ttl":"60s"})"));
    }());
    double worst = 0;
    for (double a : answered) {
      if (a < 0) {
        std::fprintf(stderr, "a watcher was not answered\n");
        return 1;
      }
      per_watcher_ms.push_back(a);
      worst = std::max(worst, a);
    }
    all_answered_ms.push_back(worst);
  }

  registry.stop(10s);
  std::filesystem::remove_all(dir);

  std::printf("registry load: %d instances (registered in %.1f s), renewing every 5 s for %.0f s\n",
              instances, register_s, wall);
  std::printf("  renewals: %ld ok, %ld failed (%.0f/s)\n", renewals.load(), renew_failures.load(),
              static_cast<double>(renewals.load()) / wall);
  std::printf("  registry CPU: %.2f%% of one core (target < 5%%)\n", cpu_pct);
  std::printf("  registry RSS: %.1f MB (target < 100 MB)\n", static_cast<double>(rss) / 1024.0);
  std::printf("  %d watchers x %d changes: change -> watcher answered p50 %.2f ms, p99 %.2f ms\n",
              watchers, changes, percentile(per_watcher_ms, 50), percentile(per_watcher_ms, 99));
  std::printf("  change -> all %d watchers answered: p50 %.2f ms, p99 %.2f ms (target p99 < 50 ms)\n",
              watchers, percentile(all_answered_ms, 50), percentile(all_answered_ms, 99));
  bool ok = renew_failures == 0 && cpu_pct < 5.0 && rss < 100 * 1024 &&
            percentile(all_answered_ms, 99) < 50.0;
  std::printf("RESULT registry_cpu_pct=%.2f registry_rss_mb=%.1f watchers_p99_ms=%.2f %s\n", cpu_pct,
              static_cast<double>(rss) / 1024.0, percentile(all_answered_ms, 99),
              ok ? "PASS" : "MISS");
  return 0;
}
