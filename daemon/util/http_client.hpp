#pragma once
// A minimal HTTP/1.1 client for seedctl. Every step (resolve, connect, send, read the answer)
// runs under one deadline, so a server that accepts a connection and never answers cannot hang
// the caller.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace seedd::util {

/// seedctl's default for the whole exchange.
inline constexpr int kDefaultHttpTimeoutMs = 30000;
/// The largest answer body read; a longer one fails the call.
inline constexpr size_t kMaxHttpResponseBytes = 256 * 1024 * 1024;

struct HttpClientResponse {
  int status = 0;
  std::string body;
};

/// Thrown when the deadline passes before the whole answer has arrived; the message names the
/// server, the step that was under way and the timeout.
class HttpTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// POSTs `body` to `url` ("http://host:port/path") and reads the answer, all within
/// `timeout_ms`. Throws HttpTimeout when that time runs out, std::runtime_error on any other
/// failure (bad URL, no such host, connection refused or reset, malformed answer).
HttpClientResponse http_post(const std::string& url, const std::string& body,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             int timeout_ms = kDefaultHttpTimeoutMs);

/// GETs `url` ("http://host:port/path") as http_post() does, reading at most `max_body_bytes`
/// of answer (a longer one fails the call). `user_agent` names the caller.
HttpClientResponse http_get(const std::string& url, int timeout_ms, size_t max_body_bytes,
                            const std::string& user_agent);

}  // namespace seedd::util
