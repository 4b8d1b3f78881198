// Structured logs: one JSON object per line on stderr, e.g.
// {"ts":"2026-01-01T12:00:00.123Z","level":"info","component":"registry","msg":"...","k":"v"}
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace trellis::core {

enum class LogLevel { debug, info, warn, error };

struct LogField {
  std::string_view key;
  std::string value;
  LogField(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  template <class N>
    requires std::is_arithmetic_v<N>
  LogField(std::string_view k, N n) : key(k), value(std::to_string(n)) {}
};

// The process-wide component name written in every line (default "trellis").
void set_log_component(std::string_view name);
void set_log_level(LogLevel min);
void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

}  // namespace trellis::core
