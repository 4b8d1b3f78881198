// The trellis CLI as users run it: exit codes, tables and JSON, `trellis up`.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdio>

#include "core/json.h"
#include "harness.h"

namespace trellis::testing {
namespace {

using namespace std::chrono_literals;

struct CliResult {
  int exit_code;
  std::string out;
};

CliResult run_cli(const std::string& args) {
  std::string cmd = binary("trellis") + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(Cli, UnknownCommandsAndBadFlagsExit2) {
  auto unknown = run_cli("frobnicate");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.out.find("Usage"), std::string::npos) << unknown.out;
  EXPECT_EQ(run_cli("instances").exit_code, 2);
  EXPECT_EQ(run_cli("services --bogus").exit_code, 2);
  EXPECT_EQ(run_cli("serve registry --threads many").exit_code, 2);
  auto none = run_cli("");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.out.find("services"), std::string::npos);  // usage lists the commands
}

TEST(Cli, UnreachableRegistryIsAClearError) {
  auto r = run_cli("services --registry http://127.0.0.1:" + std::to_string(free_port()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("unreachable"), std::string::npos) << r.out;
  EXPECT_EQ(run_cli("services --registry not-a-url").exit_code, 1);
}

TEST(Cli, ServicesAndInstances) {
  TempDir dir;
  auto port = std::to_string(free_port());
  std::string url = "http://127.0.0.1:" + port;
  Proc registry("trellis", {"serve", "registry", "--listen", "127.0.0.1:" + port, "--data", dir.path},
                dir.path);
  ASSERT_TRUE(eventually([&] {
    auto r = http_get(url, "/v1/registry/services");
    return r.ok() && r->status == 200;
  }));
  auto reg = http(url, core::Method::put, "/v1/registry/instances/kitchen/k1",
                  R"({"host":"127.0.0.1","port":4242,"version":"1.2.3"})");
  ASSERT_TRUE(reg.ok() && reg->status == 200);

  auto table = run_cli("instances kitchen --registry " + url);
  EXPECT_EQ(table.exit_code, 0) << table.out;
  EXPECT_NE(table.out.find("127.0.0.1:4242"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("1.2.3"), std::string::npos);

  ::setenv("TRELLIS_REGISTRY", url.c_str(), 1);
  auto json = run_cli("instances kitchen --json");
  ::unsetenv("TRELLIS_REGISTRY");
  ASSERT_EQ(json.exit_code, 0) << json.out;
  auto list = core::parse_json(json.out);
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.as_array().size(), 1u);
  EXPECT_EQ(list.as_array()[0].as_object().at("port").to_number<int>(), 4242);

  auto services = run_cli("services --registry " + url);
  EXPECT_EQ(services.exit_code, 0);
  EXPECT_NE(services.out.find("kitchen"), std::string::npos);
}

TEST(Cli, UpRunsTheCafeAndStopsEverything) {
  TempDir dir;
  auto port = std::to_string(free_port());
  std::string url = "http://127.0.0.1:" + port;
  Proc up("trellis",
          {"up", std::string(TRELLIS_SOURCE_DIR) + "/examples/cafe/system.yaml", "--listen",
           "127.0.0.1:" + port, "--data", dir.path},
          dir.path);
  auto count = [&](const std::string& service) -> std::size_t {
    auto r = http_get(url, "/v1/registry/services/" + service);
    if (!r.ok() || r->status != 200) return 0;
    return core::parse_json_object(r->body).at("instances").as_array().size();
  };
  ASSERT_TRUE(eventually([&] { return count("kitchen") == 3 && count("order") == 1; }, 30s))
      << up.log();
  EXPECT_EQ(up.terminate(20s), 0) << up.log();
  EXPECT_NE(up.log().find("stopped"), std::string::npos);
  // Children were stopped with it: nothing listens for the cafe any more.
  auto r = http_get(url, "/v1/registry/services");
  EXPECT_FALSE(r.ok());
}

TEST(Cli, ABusyPortIsRefusedNotShared) {
  TempDir dir;
  auto port = std::to_string(free_port());
  std::string url = "http://127.0.0.1:" + port;
  Proc first("trellis", {"serve", "registry", "--listen", "127.0.0.1:" + port, "--data", dir.path + "/a"},
             dir.path);
  ASSERT_TRUE(eventually([&] {
    auto r = http_get(url, "/v1/registry/services");
    return r.ok() && r->status == 200;
  }));
  auto second = run_cli("serve registry --listen 127.0.0.1:" + port + " --data " + dir.path + "/b");
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.out.find("cannot listen"), std::string::npos) << second.out;
}

TEST(Cli, UpRejectsABadSystemFile) {
  TempDir dir;
  std::string file = dir.path + "/bad.yaml";
  FILE* f = std::fopen(file.c_str(), "w");
  std::fputs("services: [1, 2\n", f);
  std::fclose(f);
  auto r = run_cli("up " + file + " --data " + dir.path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("bad.yaml"), std::string::npos) << r.out;
  EXPECT_EQ(run_cli("up " + dir.path + "/missing.yaml --data " + dir.path).exit_code, 2);
}

}  // namespace
}  // namespace trellis::testing
