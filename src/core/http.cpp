#include "core/http.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>

namespace trellis::core {

namespace {
constexpr std::array<std::string_view, 8> kMethodNames = {"GET",   "HEAD",    "POST",   "PUT",
                                                          "DELETE", "PATCH", "OPTIONS", "OTHER"};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Query components decode '+' as space and %XX; a malformed escape is kept literally.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}
}  // namespace

std::string_view to_string(Method m) { return kMethodNames[static_cast<std::size_t>(m)]; }

Method method_from_string(std::string_view s) {
  for (std::size_t i = 0; i + 1 < kMethodNames.size(); ++i)
    if (kMethodNames[i] == s) return static_cast<Method>(i);
  return Method::other;
}

bool is_idempotent(Method m) {
  return m == Method::get || m == Method::head || m == Method::put || m == Method::delete_ ||
         m == Method::options;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view Headers::get(std::string_view name) const {
  for (const auto& f : *this)
    if (iequals(f.name, name)) return f.value;
  return {};
}

bool Headers::has(std::string_view name) const {
  for (const auto& f : *this)
    if (iequals(f.name, name)) return true;
  return false;
}

void Headers::set(std::string_view name, std::string_view value) {
  remove(name);
  add(name, value);
}

void Headers::add(std::string_view name, std::string_view value) {
  if (size_ < fields_.size()) {
    fields_[size_].name.assign(name);
    fields_[size_].value.assign(value);
  } else {
    fields_.push_back(Field{std::string(name), std::string(value)});
  }
  ++size_;
}

void Headers::remove(std::string_view name) {
  auto live_end = fields_.begin() + static_cast<std::ptrdiff_t>(size_);
  auto it = std::remove_if(fields_.begin(), live_end,
                           [&](const Field& f) { return iequals(f.name, name); });
  size_ = static_cast<std::size_t>(it - fields_.begin());
}

std::string_view Request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
  std::string_view t = target;
  auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view q = query();
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    auto eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    if (percent_decode(key) != name) continue;
    return eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

void Request::clear() {
  method = Method::get;
  method_name.clear();
  target.clear();
  headers.clear();
  body.clear();
  keep_alive = true;
  remote.clear();
  request_id.clear();
  params.clear();
}

Response Response::json(int status, const boost::json::value& v) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = boost::json::serialize(v);
  return r;
}

Response Response::text(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

Response Response::empty(int status) {
  Response r;
  r.status = status;
  return r;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return status < 400 ? "OK" : (status < 500 ? "Client Error" : "Server Error");
  }
}

}  // namespace trellis::core
