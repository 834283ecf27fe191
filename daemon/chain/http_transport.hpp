#pragma once
// HTTP and HTTPS POSTs to one JSON-RPC endpoint, each under one deadline. HTTPS verifies the
// server's certificate against the system store (plus an optional extra CA file) and its host
// name, and sends SNI. Beast stays in the .cpp: this header is what the rest of seedd sees.
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace seedd::chain {

/// The whole exchange of one request (resolve, connect, TLS, send, read) by default.
inline constexpr int kDefaultRpcTimeoutMs = 15000;
/// The largest answer read; eth_getLogs over a busy range is the big one. Past it the call fails.
inline constexpr size_t kMaxRpcResponseBytes = 32 * 1024 * 1024;

/// Connections kept open between requests (HTTP keep-alive), and for how long one may sit idle
/// before it is dropped instead of reused (servers close idle ones after 60 s or more).
inline constexpr size_t kMaxIdleConnections = 4;
inline constexpr int kMaxIdleConnectionMs = 30000;

/// Where requests go, from a URL "http[s]://[user:password@]host[:port][/path]".
struct Endpoint {
  bool tls = false;
  std::string host;       // without IPv6 brackets
  std::string port;       // "80"/"443" when the URL has none
  std::string authority;  // host[:port] as the Host header carries it
  std::string target;     // path and query, "/" when empty
  std::string basic_auth; // "user:password" when the URL has one

  /// "scheme://host:port" without the path, query or credentials, which often hold an API key:
  /// the only form of the endpoint that goes into logs and error messages.
  std::string redacted() const;
};

/// `text` cut to `max_bytes` with control characters and non-ASCII replaced by '?': what may go
/// into an error message or a log line from a server's answer.
std::string clean_for_message(std::string_view text, size_t max_bytes = 200);

/// Parses an endpoint URL; std::invalid_argument when it is not http(s) or has no host. The
/// message never repeats the path or credentials.
Endpoint parse_endpoint(const std::string& url);

/// A failure to get an answer: no such host, refused, TLS or certificate failure, timeout, an
/// HTTP status other than 200, an answer too large. The message names the redacted endpoint.
class TransportError : public std::runtime_error {
 public:
  TransportError(const std::string& message, bool timed_out) : std::runtime_error(message), m_timed_out(timed_out) {}
  bool timed_out() const { return m_timed_out; }

 private:
  bool m_timed_out;
};

struct TransportOptions {
  int timeout_ms = kDefaultRpcTimeoutMs;
  size_t max_response_bytes = kMaxRpcResponseBytes;
  /// A PEM file of extra CAs trusted beside the system store (a private endpoint, the tests).
  std::string ca_file;
};

/// POSTs JSON bodies to one endpoint, blocking the calling thread (the chain worker, never the
/// alert loop or an RPC worker) until the answer or the deadline. Thread-safe: each post has a
/// connection to itself, a kept-alive one when there is one idle.
class HttpTransport {
 public:
  /// Throws std::invalid_argument for a bad URL, std::runtime_error for an unreadable ca_file.
  HttpTransport(const std::string& url, TransportOptions options);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  struct Response {
    int status = 0;
    std::string body;
  };
  /// POSTs `body` (application/json) and returns the answer whatever its status (a JSON-RPC
  /// endpoint may put an error object in a 400 or 500); TransportError when there is none.
  Response post(const std::string& body);

  const Endpoint& endpoint() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace seedd::chain
