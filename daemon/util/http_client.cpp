#include "daemon/util/http_client.hpp"

#include <chrono>
#include <iomanip>
#include <sstream>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

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

std::string seconds_text(int ms) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(ms % 1000 ? 1 : 0) << ms / 1000.0 << " s";
  return o.str();
}

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

  // Beast's synchronous connect/write/read ignore tcp_stream's expiry (only its asynchronous
  // operations arm the timer), so a server that accepts and then says nothing would block
  // forever. Hence one asynchronous chain on a private io_context, with the stream's expiry at
  // the deadline and run_for as the bound that also covers name resolution.
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_body_bytes);
  const auto timeout = std::chrono::milliseconds(timeout_ms);
  const auto deadline = std::chrono::steady_clock::now() + timeout;

  const char* step = "resolving";  // what was under way if time runs out
  beast::error_code failure;
  bool done = false;

  auto on_read = [&](beast::error_code ec, size_t) {
    if (ec) failure = ec;
    else done = true;
  };
  auto on_write = [&](beast::error_code ec, size_t) {
    if (ec) {
      failure = ec;
      return;
    }
    step = "waiting for the answer from";
    http::async_read(stream, buffer, parser, on_read);
  };
  auto on_connect = [&](beast::error_code ec, const tcp::endpoint&) {
    if (ec) {
      failure = ec;
      return;
    }
    step = "sending to";
    http::async_write(stream, req, on_write);
  };
  resolver.async_resolve(target.host, target.port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) {
      failure = ec;
      return;
    }
    step = "connecting to";
    stream.expires_at(deadline);
    stream.async_connect(results, on_connect);
  });
  ioc.run_for(timeout);

  if (!done && (!failure || failure == beast::error::timeout))
    throw HttpTimeout("timed out after " + seconds_text(timeout_ms) + " " + step + " " + target.authority);
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
