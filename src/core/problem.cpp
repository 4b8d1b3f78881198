#include "core/problem.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace trellis::core {

Response problem(int status, std::string_view type, std::string_view title,
                 std::string_view detail) {
  boost::json::object o;
  o["type"] = type;
  o["title"] = title;
  o["status"] = status;
  if (!detail.empty()) o["detail"] = detail;
  Response r;
  r.status = status;
  r.content_type = kProblemJson;
  r.body = boost::json::serialize(o);
  return r;
}

Response problem(int status, std::string_view detail) {
  return problem(status, "about:blank", reason_phrase(status), detail);
}

}  // namespace trellis::core
