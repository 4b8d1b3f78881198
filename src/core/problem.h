// Errors as RFC 9457 problem details (`application/problem+json`). Every component answers
// failures through these helpers so clients see one shape everywhere.
#pragma once

#include <string>
#include <string_view>

#include "core/http.h"

namespace trellis::core {

inline constexpr std::string_view kProblemJson = "application/problem+json";

// {"type":"about:blank","title":<reason phrase>,"status":status,"detail":detail}
Response problem(int status, std::string_view detail);
// With a stable machine-readable type, e.g. "https://trellis.dev/problems/unknown-instance".
Response problem(int status, std::string_view type, std::string_view title, std::string_view detail);

}  // namespace trellis::core
