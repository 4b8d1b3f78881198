#include "core/log.h"


#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace trellis::core {

namespace {
std::mutex g_mutex;
std::string g_component = "trellis";
std::atomic<int> g_min_level{static_cast<int>(LogLevel::info)};

constexpr std::string_view kLevelNames[] = {"debug", "info", "warn", "error"};

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms.count()));
  return buf;
}
}  // namespace

void set_log_component(std::string_view name) {
  std::lock_guard lock(g_mutex);
  g_component = name;
}

void set_log_level(LogLevel min) { g_min_level = static_cast<int>(min); }

void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_min_level.load(std::memory_order_relaxed)) return;
  std::string line;
  line.reserve(160);
  line += "{\"ts\":\"";
  line += timestamp();
  line += "\",\"level\":\"";
  line += kLevelNames[static_cast<int>(level)];
  line += "\",\"component\":";
  {
    std::lock_guard lock(g_mutex);
    append_json_string(line, g_component);
  }
  line += ",\"msg\":";
  append_json_string(line, msg);
  for (const auto& f : fields) {
    line += ',';
    append_json_string(line, f.key);
    line += ':';
    append_json_string(line, f.value);
  }
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace trellis::core
