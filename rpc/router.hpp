#pragma once
// Routes HTTP requests: /rpc (JSON-RPC, authenticated), /healthz (no auth).
#include <functional>
#include <memory>
#include <optional>

#include "rpc/auth.hpp"
#include "rpc/events.hpp"
#include "rpc/context.hpp"
#include "rpc/guards.hpp"
#include "rpc/health.hpp"
#include "rpc/http_server.hpp"

namespace seedd::rpc {

/// The handler of an extra authenticated endpoint (Transmission's RPC): gets the request and the
/// caller's context after the guards and authentication passed.
using EndpointHandler = std::function<HttpResponse(const HttpRequest&, Context&)>;

class Router {
 public:
  /// Serves `handler` at /transmission/rpc and /transmission/rpc/ (any method, any body type).
  void set_transmission_handler(EndpointHandler handler) { m_transmission = std::move(handler); }

  /// `health` is what /healthz reports (check_health() in seedd).
  Router(Context base, Authenticator auth, RequestGuard guard, std::function<Health()> health);
  HttpResponse handle(const HttpRequest& req);

 private:
  HttpResponse handle_rpc(const HttpRequest& req);
  HttpResponse long_poll(LongPoll poll, const Context& ctx);
  /// The caller's scope, or the 401 to answer (delayed per AuthBackoff).
  std::optional<Scope> authenticate(const HttpRequest& req, HttpResponse& unauthorized);
  Context m_base;
  Authenticator m_auth;
  RequestGuard m_guard;
  AuthBackoff m_backoff;
  std::function<Health()> m_health;
  EndpointHandler m_transmission;
};

}  // namespace seedd::rpc
