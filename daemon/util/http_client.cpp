#include "daemon/util/http_client.hpp"

#include <chrono>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "daemon/util/http_exchange.hpp"

namespace seedd::util {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

struct Target {
  std::string host, port, authority, path;
};

Target parse_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) throw std::runtime_error("only http:// URLs are supported: " + url);
  Target t;
  std::string rest = url.substr(scheme.size());
  t.path = "/";
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    t.path = rest.substr(slash);
    rest = rest.substr(0, slash);
  }
  t.authority = rest;
  t.host = rest;
  t.port = "80";
  if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.find(']', colon) == std::string::npos) {
    t.host = rest.substr(0, colon);
    t.port = rest.substr(colon + 1);
  }
  if (t.host.size() > 1 && t.host.front() == '[') t.host = t.host.substr(1, t.host.size() - 2);
  return t;
}

HttpClientResponse exchange(const std::string& url, http::request<http::string_body> req, int timeout_ms,
                            size_t max_body_bytes);

}  // namespace

HttpClientResponse http_post(const std::string& url, const std::string& body,
                             const std::vector<std::pair<std::string, std::string>>& headers, int timeout_ms) {
  http::request<http::string_body> req{http::verb::post, "/", 11};
  req.set(http::field::user_agent, "seedctl/" SEEDD_VERSION);
  req.set(http::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  return exchange(url, std::move(req), timeout_ms, kMaxHttpResponseBytes);
}

HttpClientResponse http_get(const std::string& url, int timeout_ms, size_t max_body_bytes,
                            const std::string& user_agent) {
  http::request<http::string_body> req{http::verb::get, "/", 11};
  req.set(http::field::user_agent, user_agent);
  return exchange(url, std::move(req), timeout_ms, max_body_bytes);
}

namespace {

HttpClientResponse exchange(const std::string& url, http::request<http::string_body> req, int timeout_ms,
                            size_t max_body_bytes) {
  const Target target = parse_url(url);
  if (timeout_ms <= 0) throw std::invalid_argument("the HTTP timeout must be positive");
  req.target(target.path);
  req.set(http::field::host, target.authority);
  req.prepare_payload();

  // One asynchronous chain under one deadline (http_exchange.hpp).
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_body_bytes);
  const auto r = http_exchange(ioc, stream, false, target.host, target.port, req, parser,
                               std::chrono::milliseconds(timeout_ms));
  const auto& failure = r.failure;
  const char* step = r.step;

  if (r.timed_out())
    throw HttpTimeout("timed out after " + timeout_text(timeout_ms) + " " + step + " " + target.authority);
  if (failure) {
    const std::string_view s = step;
    const std::string what = s == "resolving"       ? "cannot resolve " + target.host
                             : s == "connecting to" ? "cannot connect to " + target.authority
                             : s == "sending to"    ? "cannot send to " + target.authority
                                                    : "no answer from " + target.authority;
    throw std::runtime_error(what + ": " + failure.message());
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return {static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

}  // namespace
}  // namespace seedd::util
