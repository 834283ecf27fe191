#include "rpc/http_server.hpp"

#include <atomic>
#include <optional>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

namespace seedd::rpc {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

std::string endpoint_string(const tcp::endpoint& ep) {
  if (ep.address().is_v6()) return "[" + ep.address().to_string() + "]:" + std::to_string(ep.port());
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

tcp::endpoint parse_bind(const std::string& s) {
  std::string host, port;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string::npos || close + 2 > s.size()) throw std::runtime_error("rpc_bind: bad endpoint '" + s + "'");
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("rpc_bind: bad endpoint '" + s + "'");
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  auto addr = net::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("rpc_bind: '" + host + "' is not an IP address");
  return {addr, static_cast<unsigned short>(std::stoi(port))};
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  RequestHandler handler;
  net::io_context ioc;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::thread> threads;
  std::vector<std::string> bound;
  std::atomic<bool> interrupted{false};
  std::atomic<int> connections{0};
  std::shared_ptr<spdlog::logger> log = spdlog::get("rpc");

  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(tcp::socket&& socket, Impl& server) : m_stream(std::move(socket)), m_server(server) {
      ++m_server.connections;
    }
    ~Session() { --m_server.connections; }

    void run() {
      net::dispatch(m_stream.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
    }

   private:
    void read() {
      m_parser.emplace();
      m_parser->body_limit(MAX_BODY_BYTES);
      m_parser->header_limit(MAX_HEADER_BYTES);
      // Idle connections and slow clients are cut: the whole request must arrive in time.
      m_stream.expires_after(m_buffer.size() ? REQUEST_TIMEOUT : IDLE_TIMEOUT);
      http::async_read_header(m_stream, m_buffer, *m_parser,
                              beast::bind_front_handler(&Session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, size_t) {
      if (ec) return on_error(ec);
      m_stream.expires_after(REQUEST_TIMEOUT);
      http::async_read(m_stream, m_buffer, *m_parser, beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_error(beast::error_code ec) {
      if (ec == http::error::body_limit) return reply_plain(413, "request body too large");
      if (ec == http::error::header_limit) return reply_plain(431, "request header too large");
      if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
          ec == net::error::connection_reset || ec == net::error::eof)
        return close();
      if (ec.category() == beast::error_code(http::error::bad_method).category())
        return reply_plain(400, "bad request");
      close();
    }

    void reply_plain(int status, const char* text) {
      HttpResponse r;
      r.status = status;
      r.content_type = "text/plain";
      r.body = std::string(text) + "\n";
      r.close = true;
      write(std::move(r), 11, false);
    }

    void on_read(beast::error_code ec, size_t) {
      if (ec) return on_error(ec);
      auto& msg = m_parser->get();
      HttpRequest req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      for (const auto& f : msg) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        req.headers[name] = std::string(f.value());
      }
      req.body = std::move(msg.body());
      boost::system::error_code rec;
      req.remote_address = m_stream.socket().remote_endpoint(rec).address().to_string();
      HttpResponse res;
      if (m_server.interrupted) {
        res.status = 503;
        res.body = R"({"error":"seedd is shutting down"})";
        res.close = true;
      } else {
        try {
          res = m_server.handler(req);
        } catch (const std::exception& e) {
          m_server.log->error("request handler failed: {}", e.what());
          res.status = 500;
          res.body = R"({"error":"internal error"})";
        }
      }
      write(std::move(res), msg.version(), msg.keep_alive());
    }

    void write(HttpResponse r, unsigned version, bool keep_alive) {
      auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version);
      res->set(http::field::server, "seedd/" SEEDD_VERSION);
      if (!r.body.empty() || r.status != 204) res->set(http::field::content_type, r.content_type);
      for (const auto& [k, v] : r.headers) res->set(k, v);
      res->body() = std::move(r.body);
      res->keep_alive(keep_alive && !r.close);
      res->prepare_payload();
      if (r.delay.count() > 0) {
        auto timer = std::make_shared<net::steady_timer>(m_stream.get_executor(), r.delay);
        timer->async_wait([self = shared_from_this(), res, timer](beast::error_code) { self->send(res); });
      } else {
        send(res);
      }
    }

    void send(std::shared_ptr<http::response<http::string_body>> res) {
      m_stream.expires_after(REQUEST_TIMEOUT);
      http::async_write(m_stream, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
        if (ec || !res->keep_alive()) return self->close();
        self->read();
      });
    }

    void close() {
      beast::error_code ec;
      m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      m_stream.socket().close(ec);
    }

    beast::tcp_stream m_stream;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    Impl& m_server;
  };

  void accept(tcp::acceptor& acceptor) {
    acceptor.async_accept(net::make_strand(ioc), [this, &acceptor](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) {
        if (connections >= MAX_CONNECTIONS) {
          beast::error_code ignored;
          socket.close(ignored);  // over the cap: refuse rather than queue without bound
        } else {
          beast::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          std::make_shared<Session>(std::move(socket), *this)->run();
        }
      }
      accept(acceptor);
    });
  }
};

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler) : m_impl(std::make_unique<Impl>()) {
  m_impl->options = std::move(options);
  m_impl->handler = std::move(handler);
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  auto& d = *m_impl;
  for (const auto& b : d.options.bind) {
    const auto ep = parse_bind(b);
    auto acc = std::make_unique<tcp::acceptor>(net::make_strand(d.ioc));
    beast::error_code ec;
    acc->open(ep.protocol(), ec);
    if (!ec) acc->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec && ep.address().is_v6()) acc->set_option(net::ip::v6_only(true), ec);
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen for RPC on " + b + ": " + ec.message());
    d.bound.push_back(endpoint_string(acc->local_endpoint()));
    d.acceptors.push_back(std::move(acc));
  }
  for (auto& acc : d.acceptors) d.accept(*acc);
  for (int i = 0; i < std::max(1, d.options.threads); ++i)
    d.threads.emplace_back([&d, i] {
      const std::string name = "seedd-rpc-" + std::to_string(i);
      ::pthread_setname_np(::pthread_self(), name.c_str());
      d.ioc.run();
    });
}

void HttpServer::interrupt() { m_impl->interrupted = true; }

void HttpServer::stop() {
  auto& d = *m_impl;
  if (d.threads.empty()) return;
  net::post(d.ioc, [&d] {
    for (auto& acc : d.acceptors) {
      beast::error_code ec;
      acc->close(ec);
    }
  });
  d.ioc.stop();
  for (auto& t : d.threads) t.join();
  d.threads.clear();
}

std::vector<std::string> HttpServer::bound_endpoints() const { return m_impl->bound; }

int HttpServer::open_connections() const { return m_impl->connections; }

}  // namespace seedd::rpc
