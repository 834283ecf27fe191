#include "daemon/chain/http_transport.hpp"

#include <openssl/ssl.h>

#include <chrono>
#include <mutex>
#include <vector>
#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "daemon/util/base64.hpp"
#include "daemon/util/http_exchange.hpp"

namespace seedd::chain {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// A connection kept between requests: its own io_context, so that it can be driven from
// whichever thread posts next (one at a time).
struct Connection {
  net::io_context ioc;  // first: destroyed after the streams that use it
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  std::chrono::steady_clock::time_point idle_since;
};

// A kept connection that the server had closed meanwhile: nothing came back, so the request is
// sent again on a new one.
struct StaleConnection {};

struct Outcome {
  HttpTransport::Response response;
  bool keep_alive = false;
};

// One request (util::http_exchange: resolve, connect, [TLS handshake] unless `reused`, then
// write, read) on the connection's io_context, with the chain client's wording of failures.
template <class Stream>
Outcome exchange(net::io_context& ioc, Stream& stream, bool reused, const Endpoint& endpoint,
                 http::request<http::string_body>& req, const TransportOptions& options) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  const auto r = util::http_exchange(ioc, stream, reused, endpoint.host, endpoint.port, req, parser,
                                     std::chrono::milliseconds(options.timeout_ms));
  const char* step = r.step;
  const bool done = r.done;
  const beast::error_code failure = r.failure;

  const std::string where = endpoint.redacted();
  const bool timed_out = r.timed_out();
  if (reused && !done && !timed_out && !parser.got_some()) throw StaleConnection{};
  if (timed_out)
    throw TransportError("timed out after " + util::timeout_text(options.timeout_ms) + " " + step + " " + where, true);
  if (failure) {
    if (failure == http::error::body_limit)
      throw TransportError("the answer from " + where + " exceeds " + std::to_string(options.max_response_bytes) + " bytes", false);
    throw TransportError(std::string(step == std::string_view("resolving") ? "cannot resolve" : step) + " " + where + ": " +
                             failure.message(),
                         false);
  }
  Outcome out;
  out.keep_alive = parser.get().keep_alive();
  if (!out.keep_alive) {
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
  }
  out.response = {static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
  return out;
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

  std::mutex idle_mutex;  // guards `idle`; a connection taken from it belongs to one post
  std::vector<std::unique_ptr<Connection>> idle;

  std::unique_ptr<Connection> take_idle() {
    std::lock_guard lock(idle_mutex);
    const auto now = std::chrono::steady_clock::now();
    while (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      if (now - c->idle_since < std::chrono::milliseconds(kMaxIdleConnectionMs)) return c;
    }
    return nullptr;
  }

  void keep(std::unique_ptr<Connection> c) {
    c->idle_since = std::chrono::steady_clock::now();
    std::lock_guard lock(idle_mutex);
    if (idle.size() < kMaxIdleConnections) idle.push_back(std::move(c));
  }

  std::unique_ptr<Connection> connect() {
    auto c = std::make_unique<Connection>();
    if (!tls) {
      c->plain = std::make_unique<beast::tcp_stream>(c->ioc);
      return c;
    }
    c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(c->ioc, *tls);
    // SNI: without it a server behind a shared front (most hosted endpoints) answers with the
    // wrong certificate. Not sent for an IP address, as RFC 6066 says.
    beast::error_code ec;
    net::ip::make_address(endpoint.host, ec);
    if (ec && !SSL_set_tlsext_host_name(c->tls->native_handle(), endpoint.host.c_str()))
      throw TransportError("cannot set SNI for " + endpoint.redacted(), false);
    c->tls->set_verify_callback(ssl::host_name_verification(endpoint.host));
    return c;
  }

  Outcome run(Connection& c, bool reused, http::request<http::string_body>& req) {
    if (c.tls) return exchange(c.ioc, *c.tls, reused, endpoint, req, options);
    return exchange(c.ioc, *c.plain, reused, endpoint, req, options);
  }
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
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();

  // A kept connection first (no new TCP and TLS handshakes); if the server closed it meanwhile
  // and nothing came back, the request goes again on a new one. (A server that acted on it and
  // then dropped the connection without answering would see it twice: every request seedd
  // sends is a read or a signed transaction, which a node takes once.)
  if (auto kept = m_impl->take_idle()) {
    try {
      Outcome out = m_impl->run(*kept, true, req);
      if (out.keep_alive) m_impl->keep(std::move(kept));
      return std::move(out.response);
    } catch (const StaleConnection&) {
    }
  }
  auto fresh = m_impl->connect();
  Outcome out = m_impl->run(*fresh, false, req);
  if (out.keep_alive) m_impl->keep(std::move(fresh));
  return std::move(out.response);
}

}  // namespace seedd::chain
