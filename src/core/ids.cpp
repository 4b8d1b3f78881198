#include "core/ids.h"

#include <cstdint>
#include <random>

namespace trellis::core {

namespace {
// xoshiro-style 64-bit generator seeded per thread from the OS.
std::uint64_t next_random() {
  thread_local std::uint64_t state = [] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^ 0x9e3779b97f4a7c15ULL;
  }();
  // splitmix64
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

void append_random_hex(std::string& out, int bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[64];
  while (bytes > 0) {
    int n = bytes < 32 ? bytes : 32;
    std::uint64_t r = 0;
    for (int i = 0; i < n; ++i) {
      if (i % 8 == 0) r = next_random();
      auto b = static_cast<unsigned>(r & 0xff);
      r >>= 8;
      buf[2 * i] = kHex[b >> 4];
      buf[2 * i + 1] = kHex[b & 0xf];
    }
    out.append(buf, static_cast<std::size_t>(n) * 2);
    bytes -= n;
  }
}

std::string random_hex(int bytes) {
  std::string out;
  out.reserve(static_cast<std::size_t>(bytes) * 2);
  append_random_hex(out, bytes);
  return out;
}

std::string new_request_id() { return random_hex(16); }

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(s[0])) return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

}  // namespace trellis::core
