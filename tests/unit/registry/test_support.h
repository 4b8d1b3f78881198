// Helpers shared by the registry tests: run coroutines on a core::Runtime from a test thread,
// build requests, read JSON bodies, make temporary directories.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <filesystem>
#include <functional>
#include <future>
#include <string>

#include "core/http.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/router.h"
#include "core/runtime.h"
#include "core/task.h"

namespace trellis::registry::testing {

template <class T>
core::Task<void> fulfil(std::shared_ptr<std::promise<T>> promise,
                        std::function<core::Task<T>()> fn) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await fn();
      promise->set_value();
    } else {
      promise->set_value(co_await fn());
    }
  } catch (...) {
    promise->set_exception(std::current_exception());
  }
}

// Starts `fn` on context `index` of `rt`; the future completes with its result.
template <class T>
std::future<T> start_on(core::Runtime& rt, std::function<core::Task<T>()> fn, int index = 0) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  rt.spawn([promise, fn] { return fulfil<T>(promise, fn); }, index);
  return future;
}

// Runs `fn` on `rt` and waits for it.
template <class T>
T run_on(core::Runtime& rt, std::function<core::Task<T>()> fn, int index = 0) {
  return start_on<T>(rt, std::move(fn), index).get();
}

inline core::Request make_request(core::Method method, std::string target, std::string body = {},
                                  std::string remote = "10.1.2.3:40000") {
  core::Request req;
  req.method = method;
  req.target = std::move(target);
  req.body = std::move(body);
  req.remote = std::move(remote);
  return req;
}

inline boost::json::object json_body(const core::Response& r) {
  return core::parse_json_object(r.body);
}

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("trellis-registry-" + core::random_hex(8))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string str() const { return path_.string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace trellis::registry::testing
