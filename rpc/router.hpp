#pragma once
// Routes HTTP requests: /rpc (JSON-RPC, authenticated), /healthz (no auth).
#include <functional>
#include <memory>

#include "rpc/auth.hpp"
#include "rpc/context.hpp"
#include "rpc/http_server.hpp"

namespace seedd::rpc {

/// Failed authentication answers this much later (bitcoind's 250 ms).
constexpr std::chrono::milliseconds AUTH_FAILURE_DELAY{250};

class Router {
 public:
  Router(Context base, Authenticator auth, std::function<bool()> healthy);
  HttpResponse handle(const HttpRequest& req);

 private:
  HttpResponse handle_rpc(const HttpRequest& req);
  Context m_base;
  Authenticator m_auth;
  std::function<bool()> m_healthy;
};

}  // namespace seedd::rpc
