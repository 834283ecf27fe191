#include "daemon/chain/http_transport.hpp"

#include <openssl/ssl.h>

#include <chrono>
#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "daemon/util/base64.hpp"

namespace seedd::chain {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

std::string seconds_text(int ms) {
  return std::to_string(ms / 1000) + (ms % 1000 ? "." + std::to_string(ms % 1000 / 100) : "") + " s";
}

// One request's asynchronous chain (resolve, connect, [TLS handshake], write, read) on a
// private io_context. Beast's synchronous calls ignore the stream's expiry, hence the chain;
// run_for bounds name resolution too, which the stream's timer does not cover.
template <class Stream>
HttpTransport::Response exchange(net::io_context& ioc, Stream& stream, const Endpoint& endpoint,
                                 http::request<http::string_body>& req, const TransportOptions& options) {
  constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  tcp::resolver resolver(ioc);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  const auto timeout = std::chrono::milliseconds(options.timeout_ms);
  const auto deadline = std::chrono::steady_clock::now() + timeout;

  const char* step = "resolving";  // what was under way if it fails or time runs out
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
  auto send = [&] {
    step = "sending to";
    http::async_write(stream, req, on_write);
  };
  auto on_connect = [&](beast::error_code ec, const tcp::endpoint&) {
    if (ec) {
      failure = ec;
      return;
    }
    if constexpr (kTls) {
      step = "in the TLS handshake with";
      stream.async_handshake(ssl::stream_base::client, [&](beast::error_code hec) {
        if (hec) failure = hec;
        else send();
      });
    } else {
      send();
    }
  };
  resolver.async_resolve(endpoint.host, endpoint.port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) {
      failure = ec;
      return;
    }
    step = "connecting to";
    beast::get_lowest_layer(stream).expires_at(deadline);
    beast::get_lowest_layer(stream).async_connect(results, on_connect);
  });
  ioc.run_for(timeout);

  const std::string where = endpoint.redacted();
  if (!done && (!failure || failure == beast::error::timeout))
    throw TransportError("timed out after " + seconds_text(options.timeout_ms) + " " + step + " " + where, true);
  if (failure) {
    if (failure == http::error::body_limit)
      throw TransportError("the answer from " + where + " exceeds " + std::to_string(options.max_response_bytes) + " bytes", false);
    throw TransportError(std::string(step == std::string_view("resolving") ? "cannot resolve" : step) + " " + where + ": " +
                             failure.message(),
                         false);
  }
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
  return {static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

}  // namespace

std::string clean_for_message(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 3);
  for (size_t i = 0; i < text.size() && i < max_bytes; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += (c < 0x20 || c >= 0x7f) ? '?' : static_cast<char>(c);
  }
  if (text.size() > max_bytes) out += "...";
  return out;
}

std::string Endpoint::redacted() const { return std::string(tls ? "https" : "http") + "://" + authority; }

Endpoint parse_endpoint(const std::string& url) {
  Endpoint e;
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    e.tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    throw std::invalid_argument("the chain endpoint must be an http:// or https:// URL");
  }
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  e.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (e.target.front() == '?') e.target.insert(0, "/");
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    e.basic_auth = std::string(authority.substr(0, at));
    authority.remove_prefix(at + 1);
  }
  e.authority = std::string(authority);
  std::string_view host = authority;
  e.port = e.tls ? "443" : "80";
  if (host.starts_with("[")) {
    const size_t close = host.find(']');
    if (close == std::string_view::npos) throw std::invalid_argument("the chain endpoint has a bad IPv6 host");
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') throw std::invalid_argument("the chain endpoint has a bad IPv6 host");
      e.port = std::string(host.substr(close + 2));
    }
    host = host.substr(1, close - 1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    e.port = std::string(host.substr(colon + 1));
    host = host.substr(0, colon);
  }
  e.host = std::string(host);
  if (e.host.empty()) throw std::invalid_argument("the chain endpoint URL has no host");
  if (e.port.empty() || e.port.size() > 5 || e.port.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("the chain endpoint URL has a bad port");
  return e;
}

struct HttpTransport::Impl {
  Endpoint endpoint;
  TransportOptions options;
  std::unique_ptr<ssl::context> tls;  // https only; read-only once built, shared by all posts
};

HttpTransport::HttpTransport(const std::string& url, TransportOptions options) : m_impl(std::make_unique<Impl>()) {
  m_impl->endpoint = parse_endpoint(url);
  if (options.timeout_ms <= 0) throw std::invalid_argument("the chain RPC timeout must be positive");
  m_impl->options = std::move(options);
  if (m_impl->endpoint.tls) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    ctx->set_default_verify_paths(ec);
    if (ec) throw std::runtime_error("cannot load the system's CA certificates: " + ec.message());
    if (!m_impl->options.ca_file.empty()) {
      ctx->load_verify_file(m_impl->options.ca_file, ec);
      if (ec) throw std::runtime_error("cannot load the CA file '" + m_impl->options.ca_file + "': " + ec.message());
    }
    ctx->set_verify_mode(ssl::verify_peer);
    m_impl->tls = std::move(ctx);
  }
}

HttpTransport::~HttpTransport() = default;

const Endpoint& HttpTransport::endpoint() const { return m_impl->endpoint; }

HttpTransport::Response HttpTransport::post(const std::string& body) {
  const Endpoint& e = m_impl->endpoint;
  http::request<http::string_body> req{http::verb::post, e.target, 11};
  req.set(http::field::host, e.authority);
  req.set(http::field::user_agent, "seedd/" SEEDD_VERSION);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::accept, "application/json");
  if (!e.basic_auth.empty()) req.set(http::field::authorization, "Basic " + util::base64_encode(e.basic_auth));
  req.keep_alive(false);
  req.body() = body;
  req.prepare_payload();

  net::io_context ioc;
  if (!m_impl->tls) {
    beast::tcp_stream stream(ioc);
    return exchange(ioc, stream, e, req, m_impl->options);
  }
  beast::ssl_stream<beast::tcp_stream> stream(ioc, *m_impl->tls);
  // SNI: without it a server behind a shared front (most hosted endpoints) answers with the
  // wrong certificate. Not sent for an IP address, as RFC 6066 says.
  beast::error_code ec;
  net::ip::make_address(e.host, ec);
  if (ec && !SSL_set_tlsext_host_name(stream.native_handle(), e.host.c_str()))
    throw TransportError("cannot set SNI for " + e.redacted(), false);
  stream.set_verify_callback(ssl::host_name_verification(e.host));
  return exchange(ioc, stream, e, req, m_impl->options);
}

}  // namespace seedd::chain
