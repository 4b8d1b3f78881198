// Identifiers: request ids, instance ids, trace-compatible random hex.
#pragma once

#include <string>
#include <string_view>

namespace trellis::core {

// `bytes` random bytes as lowercase hex (a fast per-thread generator, not for secrets).
std::string random_hex(int bytes);
// Appends `bytes` random bytes as hex to `out`.
void append_random_hex(std::string& out, int bytes);
// A new X-Request-Id value.
std::string new_request_id();
// Ids of services, instances, metadata keys: 1..128 of [A-Za-z0-9._-], starting alphanumeric.
bool valid_name(std::string_view s);

}  // namespace trellis::core
