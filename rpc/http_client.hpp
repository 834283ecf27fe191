#pragma once
// A minimal blocking HTTP/1.1 client for seedctl.
#include <string>
#include <utility>
#include <vector>

namespace seedd::rpc {

struct HttpClientResponse {
  int status = 0;
  std::string body;
};

/// POSTs `body` to `url` ("http://host:port/path"). Throws std::runtime_error on connection
/// failure or timeout.
HttpClientResponse http_post(const std::string& url, const std::string& body,
                             const std::vector<std::pair<std::string, std::string>>& headers, int timeout_ms = 30000);

}  // namespace seedd::rpc
