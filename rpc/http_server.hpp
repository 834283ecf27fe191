#pragma once
// The HTTP server under JSON-RPC. Plain C++ interface; Boost.Beast lives in the .cpp only.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rpc/scope.hpp"
#include "daemon/util/endpoint.hpp"

namespace seedd::rpc {

/// Limits of the HTTP layer (STYLE 7: each is named and has a test at its edge).
constexpr size_t kMaxBodyBytes = 16 * 1024 * 1024;  // a base64 .torrent of a large torrent fits
constexpr size_t kMaxHeaderBytes = 16 * 1024;
constexpr int kMaxConnections = 4096;  // see also guards.hpp: per address, loopback's reserve
constexpr std::chrono::seconds kIdleTimeout{30};     // keep-alive connection with no request
constexpr std::chrono::seconds kRequestTimeout{10};  // from a request's first byte to its last
/// After accept() fails for want of file descriptors (EMFILE, ENFILE): the wait before the next
/// try, instead of a busy loop.
constexpr std::chrono::milliseconds kAcceptBackoff{100};
/// A refused request's connection (its body not read) is drained this long, and of at most
/// this much, before it is closed: closing with unread bytes resets the connection, and the
/// client may lose the answer.
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr size_t kMaxLingerBytes = 1024 * 1024;

constexpr size_t kMaxQueuedRequests = 256;  // requests waiting for a worker; more get 503
constexpr size_t kMaxWebsocketBacklog = 1024;  // messages queued for one WebSocket client
constexpr size_t kMaxWebsocketMessage = 64 * 1024;  // from a WebSocket client

struct HttpResponse;

/// An open WebSocket as a handler sees it. Thread-safe; a client that lets more than
/// kMaxWebsocketBacklog messages pile up is disconnected.
class WebSocketChannel {
 public:
  virtual ~WebSocketChannel() = default;
  virtual void send(std::string text) = 0;
  virtual void close(std::string reason) = 0;
};

/// A handler's "yes" to a WebSocket upgrade: `open` runs once the handshake is done and
/// returns what to run when the channel closes.
struct WebSocketAccept {
  std::function<std::function<void()>(std::shared_ptr<WebSocketChannel>)> open;
};

/// An answer that comes later (a long poll), without holding a worker while it waits.
struct DeferredResponse {
  std::chrono::milliseconds timeout{0};
  /// The answer, or nothing to keep waiting; with `final` (the timeout passed) it must answer.
  /// Runs on the connection's network thread: keep it quick.
  std::function<std::optional<HttpResponse>(bool final)> poll;
  /// Registers `wake`, callable from any thread, to be called when `poll` may have an answer;
  /// returns the function that unregisters it.
  std::function<std::function<void()>(std::function<void()> wake)> watch;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query
  std::map<std::string, std::string, std::less<>> headers;  // keys lower-case
  std::string body;
  std::string remote_address;
  bool websocket_upgrade = false;  // a GET asking to become a WebSocket
  // Set by the header check once the caller's credentials verified: the handler, which gets the
  // same request, reads the scope here instead of checking the credentials a second time.
  mutable std::optional<Scope> verified_scope;
  // Set once the address, Host and Origin checks passed (Router::check_guards), for the same reason.
  mutable bool guards_passed = false;
  const std::string& header(std::string_view lower_name) const {
    static const std::string kNone;
    auto it = headers.find(lower_name);
    return it == headers.end() ? kNone : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // answered this much later (auth failures)
  bool close = false;
  std::shared_ptr<DeferredResponse> deferred;  // answer later instead
  std::shared_ptr<WebSocketAccept> websocket;  // accept the upgrade instead (websocket_upgrade only)
};

using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;
/// Runs on a network thread once a request's header is in (the request's body is still
/// empty): an answer refuses the request without reading its body, and the connection closes.
using HeaderCheck = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

struct HttpServerOptions {
  std::vector<util::Endpoint> bind;  // IP literals or localhost; port 0 picks one
  int threads = 2;  // workers that run the handlers; one network thread does all the I/O
  std::string tls_cert, tls_key;  // PEM files; both set = HTTPS
  /// Connections from an address this refuses are closed at once and take no slot; null
  /// accepts every address.
  std::function<bool(const std::string& address)> address_allowed;
  /// Runs on the network thread once a whole request is in: an answer is written at once,
  /// without the hand-over to a worker (for what only reads memory); nothing hands the request
  /// to a worker. Null: every request goes to a worker.
  std::function<std::optional<HttpResponse>(const HttpRequest&)> answer_inline;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, RequestHandler handler, HeaderCheck header_check = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds every endpoint and starts the threads; throws std::runtime_error naming the
  /// endpoint that could not be bound.
  void start();
  /// Stops taking work: every request from now on gets 503, and so does one still queued. Waits
  /// (up to 30 s) for the handlers already running, so that what they use can be stopped next.
  void interrupt();
  /// Closes the listeners and connections and joins the threads.
  void stop();
  /// "ip:port" actually bound (port 0 resolved).
  std::vector<std::string> bound_endpoints() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace seedd::rpc
