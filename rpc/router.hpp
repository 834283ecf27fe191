#pragma once
// Routes HTTP requests: /rpc (JSON-RPC, authenticated), /healthz (no auth), /ui/ (the web page,
// rpc/web_routes.cpp).
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "rpc/auth.hpp"
#include "rpc/events.hpp"
#include "rpc/context.hpp"
#include "rpc/guards.hpp"
#include "rpc/health.hpp"
#include "rpc/http_server.hpp"
#include "daemon/util/json_input.hpp"
#include "rpc/web_sessions.hpp"

namespace seedd::rpc {

/// The handler of an extra authenticated endpoint (Transmission's RPC): gets the request and the
/// caller's context after the guards and authentication passed.
using EndpointHandler = std::function<HttpResponse(const HttpRequest&, Context&)>;

/// The largest request body handle_inline() looks at.
constexpr size_t kMaxInlineBodyBytes = 4096;

class Router {
 public:
  /// Serves `handler` at /transmission/rpc and /transmission/rpc/ (any method, any body type).
  /// `runs_inline` says which of its request bodies handle_inline() may answer.
  void set_transmission_handler(EndpointHandler handler, std::function<bool(std::string_view body)> runs_inline) {
    m_transmission = std::move(handler);
    m_transmission_inline = std::move(runs_inline);
  }
  /// metrics_auth = none: /metrics answers callers on loopback without a password (a local
  /// Prometheus); every other caller still needs one.
  void set_metrics_open_on_loopback(bool open) { m_metrics_open_on_loopback = open; }
  /// RPC is served over TLS: the web page's session cookie is marked Secure.
  void set_tls(bool tls) { m_tls = tls; }

  /// `health` is what /healthz reports (check_health() in seedd).
  Router(Context base, Authenticator auth, RequestGuard guard, std::function<Health()> health);
  /// HttpServer's header check, run before a body is read: the guards, authentication of the
  /// routes that need it (with the back-off and the lock of AuthBackoff), and a body only where
  /// one is read. An answer refuses the request; nothing lets the body be read.
  std::optional<HttpResponse> check_header(const HttpRequest& req);
  /// The whole request; check_header() has passed it.
  HttpResponse handle(const HttpRequest& req);
  /// HttpServer's inline handler: handle() on the network thread for a request that only reads
  /// memory (a method marked runs_inline, Transmission's session-get and session-stats), else
  /// nothing and a worker takes the request.
  std::optional<HttpResponse> handle_inline(const HttpRequest& req);

 private:
  /// /rpc, its body parsed once (`in`) for the long poll, the dispatch and the inline check.
  HttpResponse handle_rpc(const HttpRequest& req, util::JsonInput in);
  /// The allow-list, Host and Origin; the 403 to answer, or nothing.
  std::optional<HttpResponse> check_guards(const HttpRequest& req) const;
  bool is_transmission_path(const std::string& path) const;
  HttpResponse long_poll(LongPoll poll, const Context& ctx);
  /// The caller's scope, or the 401 (delayed per AuthBackoff) or 429 (locked) to answer.
  std::optional<Scope> authenticate(const HttpRequest& req, HttpResponse& unauthorized);
  /// The scope of credentials authenticate() accepted in check_header(), or the 401.
  std::optional<Scope> scope_of(const HttpRequest& req, HttpResponse& unauthorized) const;
  /// The scope of the web page's session cookie (a request with no Authorization header), or
  /// the refusal: 401 for a session that ended, 403 for a changing call (POST) or a WebSocket
  /// whose Origin is not the page's own, or a POST without the session's CSRF token.
  std::optional<Scope> page_scope(const HttpRequest& req, HttpResponse& refused) const;
  // The web page (rpc/web_routes.cpp).
  std::optional<HttpResponse> check_ui_header(const HttpRequest& req, const std::string& path);
  HttpResponse handle_ui(const HttpRequest& req, const std::string& path);
  HttpResponse ui_login(const HttpRequest& req);
  HttpResponse ui_login_link(const HttpRequest& req);
  HttpResponse ui_logout(const HttpRequest& req);
  HttpResponse ui_session(const HttpRequest& req) const;
  std::string session_cookie(const std::string& token, std::chrono::seconds max_age) const;
  Context m_base;
  Authenticator m_auth;
  RequestGuard m_guard;
  AuthBackoff m_backoff;
  LogRateLimit m_auth_log{kAuthLogLinesPerInterval, kAuthLogInterval};
  std::function<Health()> m_health;
  EndpointHandler m_transmission;
  std::function<bool(std::string_view body)> m_transmission_inline;
  bool m_metrics_open_on_loopback = false;  // set before the server starts, read-only after
  bool m_tls = false;                       // likewise
  mutable WebSessions m_sessions;  // find() forgets expired sessions
  /// /metrics needs no password for this request (metrics_auth = none, a loopback caller).
  bool metrics_open(const HttpRequest& req) const;
};

}  // namespace seedd::rpc
