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

std::string random_hex(int bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(bytes) * 2, '0');
  std::uint64_t r = 0;
  for (int i = 0; i < bytes; ++i) {
    if (i % 8 == 0) r = next_random();
    auto b = static_cast<unsigned>(r & 0xff);
    r >>= 8;
    out[static_cast<std::size_t>(i) * 2] = kHex[b >> 4];
    out[static_cast<std::size_t>(i) * 2 + 1] = kHex[b & 0xf];
  }
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
