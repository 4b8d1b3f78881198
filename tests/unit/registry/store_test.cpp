#include "registry/store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_support.h"

namespace trellis::registry {
namespace {

using testing::TempDir;

Instance make(std::string id, int port) {
  Instance i;
  i.service = "kitchen";
  i.id = std::move(id);
  i.host = "127.0.0.1";
  i.port = static_cast<std::uint16_t>(port);
  i.metadata = {{"weight", "2"}};
  i.ttl = std::chrono::seconds(15);
  i.check = HealthCheck{"/health", std::chrono::seconds(10), std::chrono::seconds(5), 2, 3};
  i.status = Status::critical;
  i.registered_at =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
  return i;
}

TEST(RegistryStore, NewStoreIsEmpty) {
  TempDir dir;
  auto store = open_sqlite_store(dir.str());
  StoredState s = store->load();
  EXPECT_EQ(s.index, 0u);
  EXPECT_TRUE(s.instances.empty());
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "registry.db"));
}

TEST(RegistryStore, RoundTripAcrossReopen) {
  TempDir dir;
  {
    auto store = open_sqlite_store(dir.str());
    store->apply({{{"kitchen", "k1"}, make("k1", 1)}, {{"kitchen", "k2"}, make("k2", 2)}}, 7);
    Instance changed = make("k1", 11);
    changed.status = Status::passing;
    store->apply({{{"kitchen", "k1"}, changed}, {{"kitchen", "k2"}, std::nullopt}}, 9);
    // Deleting a row that is not there is fine (syncs are idempotent).
    store->apply({{{"kitchen", "k3"}, std::nullopt}}, 10);
  }
  auto store = open_sqlite_store(dir.str());
  StoredState s = store->load();
  EXPECT_EQ(s.index, 10u);
  ASSERT_EQ(s.instances.size(), 1u);
  Instance expected = make("k1", 11);
  expected.status = Status::passing;
  EXPECT_EQ(s.instances[0], expected);
}

TEST(RegistryStore, StoredIndexNeverGoesBackwards) {
  TempDir dir;
  auto store = open_sqlite_store(dir.str());
  store->apply({}, 20);
  store->apply({}, 15);
  EXPECT_EQ(store->load().index, 20u);
}

TEST(RegistryStore, InMemoryWhenNoDataDir) {
  auto store = open_sqlite_store("");
  store->apply({{{"kitchen", "k1"}, make("k1", 1)}}, 3);
  StoredState s = store->load();
  EXPECT_EQ(s.index, 3u);
  EXPECT_EQ(s.instances.size(), 1u);
}

TEST(RegistryStore, CreatesTheDataDirectory) {
  TempDir dir;
  auto store = open_sqlite_store((dir.path() / "a" / "b").string());
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "a" / "b" / "registry.db"));
}

TEST(RegistryStore, RefusesWhatItCannotOpen) {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "not a directory";
  EXPECT_THROW(open_sqlite_store((dir.path() / "file").string()), std::runtime_error);

  std::filesystem::create_directories(dir.path() / "garbage");
  std::ofstream(dir.path() / "garbage" / "registry.db")
      << std::string(4096, 'x');  // not an SQLite file
  EXPECT_THROW(open_sqlite_store((dir.path() / "garbage").string()), std::runtime_error);
}

}  // namespace
}  // namespace trellis::registry
