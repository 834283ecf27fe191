#pragma once
// A JSON-RPC endpoint on 127.0.0.1 for the chain client's tests: plain HTTP or HTTPS with a
// given certificate, one connection at a time on its own thread. Each request goes to a handler
// that answers with a result, an error object, or raw bytes and a status (to play a broken or
// slow endpoint); every request is recorded for the test to check what the client sent.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace seedd::test {

struct StubReply {
  std::optional<nlohmann::json> result;  // {"jsonrpc","id","result"}
  std::optional<nlohmann::json> error;   // {"jsonrpc","id","error"}
  std::optional<std::string> raw_body;   // sent as is
  int status = 200;
  int delay_ms = 0;  // before answering

  static StubReply ok(nlohmann::json r) { return {std::move(r), {}, {}, 200, 0}; }
  static StubReply fail(int code, std::string message, std::optional<std::string> data = {}) {
    nlohmann::json e = {{"code", code}, {"message", std::move(message)}};
    if (data) e["data"] = *data;
    return {{}, std::move(e), {}, 200, 0};
  }
  static StubReply raw(int status, std::string body) { return {{}, {}, std::move(body), status, 0}; }
};

struct StubRequest {
  std::string method;
  nlohmann::json params;
  std::string authorization;  // the Authorization header, if any
  std::string target;
};

class RpcStub {
 public:
  using Handler = std::function<StubReply(const StubRequest&)>;

  /// `cert_file`/`key_file` set: HTTPS.
  explicit RpcStub(Handler handler, const std::string& cert_file = {}, const std::string& key_file = {})
      : m_handler(std::move(handler)), m_acceptor(m_ioc, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    if (!cert_file.empty()) {
      m_tls.emplace(boost::asio::ssl::context::tls_server);
      m_tls->use_certificate_chain_file(cert_file);
      m_tls->use_private_key_file(key_file, boost::asio::ssl::context::pem);
    }
    m_port = m_acceptor.local_endpoint().port();
    m_thread = std::thread([this] { run(); });
  }

  ~RpcStub() {
    m_stopping = true;
    // Wakes the blocking accept.
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket poke(m_ioc);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), m_port}, ec);
    m_thread.join();
  }

  /// Answers up to `n` requests on a connection before closing it without a word (as a server
  /// whose idle timeout ran out does); 1, the default, closes after each answer and says so.
  void keep_alive_requests(int n) { m_keep_alive_requests = n; }
  /// Connections accepted so far.
  int connections() const { return m_connections; }

  uint16_t port() const { return m_port; }
  std::string url(const std::string& path = "/") const {
    return std::string(m_tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(m_port) + path;
  }

  std::vector<StubRequest> requests() const {
    std::lock_guard lock(m_mutex);
    return m_requests;
  }

 private:
  void run() {
    namespace http = boost::beast::http;
    while (!m_stopping) {
      boost::asio::ip::tcp::socket socket(m_ioc);
      boost::system::error_code ec;
      m_acceptor.accept(socket, ec);
      if (ec || m_stopping) continue;
      ++m_connections;
      try {
        if (m_tls) {
          boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(std::move(socket), *m_tls);
          stream.handshake(boost::asio::ssl::stream_base::server);
          serve(stream);
        } else {
          serve(socket);
        }
      } catch (const std::exception&) {
        // A client that gave up (timeout, refused certificate): on to the next one.
      }
    }
  }

  template <class Stream>
  void serve(Stream& stream) {
    boost::beast::flat_buffer buffer;
    const int n = m_keep_alive_requests;
    for (int i = 1; i <= n; ++i) answer(stream, buffer, n > 1);
  }

  template <class Stream>
  void answer(Stream& stream, boost::beast::flat_buffer& buffer, bool keep_alive) {
    namespace http = boost::beast::http;
    http::request<http::string_body> req;
    http::read(stream, buffer, req);
    StubRequest r;
    r.target = std::string(req.target());
    r.authorization = std::string(req[http::field::authorization]);
    nlohmann::json id = nullptr;
    try {
      const auto body = nlohmann::json::parse(req.body());
      r.method = body.at("method").get<std::string>();
      r.params = body.at("params");
      id = body.at("id");
    } catch (const std::exception&) {
    }
    {
      std::lock_guard lock(m_mutex);
      m_requests.push_back(r);
    }
    const StubReply reply = m_handler(r);
    if (reply.delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(reply.delay_ms));
    http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
    res.set(http::field::content_type, "application/json");
    if (reply.raw_body) {
      res.body() = *reply.raw_body;
    } else {
      nlohmann::json doc = {{"jsonrpc", "2.0"}, {"id", id}};
      if (reply.error) doc["error"] = *reply.error;
      else doc["result"] = reply.result.value_or(nullptr);
      res.body() = doc.dump();
    }
    res.prepare_payload();
    res.keep_alive(keep_alive);
    http::write(stream, res);
  }

  Handler m_handler;
  boost::asio::io_context m_ioc;
  boost::asio::ip::tcp::acceptor m_acceptor;
  std::optional<boost::asio::ssl::context> m_tls;
  uint16_t m_port = 0;
  std::atomic<bool> m_stopping{false};
  std::atomic<int> m_keep_alive_requests{1};
  std::atomic<int> m_connections{0};
  std::thread m_thread;
  mutable std::mutex m_mutex;
  std::vector<StubRequest> m_requests;
};

}  // namespace seedd::test
