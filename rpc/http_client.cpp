#include "rpc/http_client.hpp"

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace seedd::rpc {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

HttpClientResponse http_post(const std::string& url, const std::string& body,
                             const std::vector<std::pair<std::string, std::string>>& headers, int timeout_ms) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    throw std::runtime_error("only http:// URLs are supported: " + url);
  std::string rest = url.substr(scheme.size());
  std::string target = "/";
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    target = rest.substr(slash);
    rest = rest.substr(0, slash);
  }
  std::string host = rest, port = "80";
  if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.find(']', colon) == std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);

  net::io_context ioc;
  net::ip::tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  beast::error_code ec;
  auto results = resolver.resolve(host, port, ec);
  if (ec) throw std::runtime_error("cannot resolve " + host + ": " + ec.message());
  stream.connect(results, ec);
  if (ec) throw std::runtime_error("cannot connect to " + rest + ": " + ec.message());
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, rest);
  req.set(http::field::user_agent, "seedctl/" SEEDD_VERSION);
  req.set(http::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req, ec);
  if (ec) throw std::runtime_error("cannot send to " + rest + ": " + ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec) throw std::runtime_error("no answer from " + rest + ": " + ec.message());
  stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  return {static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

}  // namespace seedd::rpc
