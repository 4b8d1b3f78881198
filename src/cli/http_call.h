// Blocking HTTP for the CLI (a command does one thing and waits for it).
#pragma once

#include <chrono>
#include <string>

#include "core/client.h"

namespace trellis::cli {

core::HttpResult http_call(const core::BaseUrl& base, core::Method method, std::string target,
                           std::string body = {},
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace trellis::cli
