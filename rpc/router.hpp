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
  /// HttpServer's header check, run before a body is read: the guards, authentication of the
  /// routes that need it (with the back-off and the lock of AuthBackoff), and a body only where
  /// one is read. An answer refuses the request; nothing lets the body be read.
  std::optional<HttpResponse> check_header(const HttpRequest& req);
  /// The whole request; check_header() has passed it.
  HttpResponse handle(const HttpRequest& req);

 private:
  HttpResponse handle_rpc(const HttpRequest& req);
  /// The allow-list, Host and Origin; the 403 to answer, or nothing.
  std::optional<HttpResponse> check_guards(const HttpRequest& req) const;
  bool is_transmission_path(const std::string& path) const;
  HttpResponse long_poll(LongPoll poll, const Context& ctx);
  /// The caller's scope, or the 401 (delayed per AuthBackoff) or 429 (locked) to answer.
  std::optional<Scope> authenticate(const HttpRequest& req, HttpResponse& unauthorized);
  /// The scope of credentials authenticate() accepted in check_header(), or the 401.
  std::optional<Scope> scope_of(const HttpRequest& req, HttpResponse& unauthorized) const;
  Context m_base;
  Authenticator m_auth;
  RequestGuard m_guard;
  AuthBackoff m_backoff;
  LogRateLimit m_auth_log{AUTH_LOG_LINES_PER_INTERVAL, AUTH_LOG_INTERVAL};
  std::function<Health()> m_health;
  EndpointHandler m_transmission;
};

}  // namespace seedd::rpc
