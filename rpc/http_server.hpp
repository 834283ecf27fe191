#pragma once
// The HTTP server under JSON-RPC. Plain C++ interface; Boost.Beast lives in the .cpp only.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace seedd::rpc {

/// Limits of the HTTP layer (STYLE 7: each is named and has a test at its edge).
constexpr size_t MAX_BODY_BYTES = 16 * 1024 * 1024;  // a base64 .torrent of a large torrent fits
constexpr size_t MAX_HEADER_BYTES = 16 * 1024;
constexpr int MAX_CONNECTIONS = 4096;
constexpr std::chrono::seconds IDLE_TIMEOUT{30};     // keep-alive connection with no request
constexpr std::chrono::seconds REQUEST_TIMEOUT{10};  // from the first byte to the whole request

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query
  std::map<std::string, std::string> headers;  // keys lower-case
  std::string body;
  std::string remote_address;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // answered this much later (auth failures)
  bool close = false;
};

using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::vector<std::string> bind;  // "ip:port"; port 0 picks one
  int threads = 2;
  std::string tls_cert, tls_key;  // PEM files; both set = HTTPS
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds every endpoint and starts the threads; throws std::runtime_error naming the
  /// endpoint that could not be bound.
  void start();
  /// Stops taking work: every request from now on gets 503.
  void interrupt();
  /// Closes the listeners and connections and joins the threads.
  void stop();
  /// "ip:port" actually bound (port 0 resolved).
  std::vector<std::string> bound_endpoints() const;
  int open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace seedd::rpc
