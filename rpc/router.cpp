#include "rpc/router.hpp"

#include <spdlog/spdlog.h>

#include "daemon/events/event_bus.hpp"
#include "daemon/util/logging.hpp"
#include "rpc/events.hpp"
#include "rpc/jsonrpc.hpp"
#include "rpc/method_table.hpp"
#include "rpc/metrics.hpp"
#include "rpc/router_internal.hpp"
#include "rpc/web_sessions.hpp"

namespace seedd::rpc {

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

bool has_body(const HttpRequest& req) {
  const auto& length = req.header("content-length");
  return !req.header("transfer-encoding").empty() || (!length.empty() && length != "0");
}

bool is_json_media_type(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  const auto first = type.find_first_not_of(" \t");
  const auto last = type.find_last_not_of(" \t");
  type = first == std::string::npos ? std::string() : type.substr(first, last - first + 1);
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "application/json";
}

Router::Router(Context base, Authenticator auth, RequestGuard guard, std::function<Health()> health)
    : m_base(base), m_auth(std::move(auth)), m_guard(std::move(guard)), m_health(std::move(health)) {
  m_base.web = &m_sessions;
}

std::optional<HttpResponse> Router::check_guards(const HttpRequest& req) const {
  if (req.guards_passed) return std::nullopt;  // by check_header, for this very request
  if (!m_guard.address_allowed(req.remote_address)) {
    auto r = json_response(403, R"({"error":"this address may not use the RPC: see rpc_allow_ip"})");
    r.close = true;
    return r;
  }
  // Even with valid credentials: a page on another name reaching us by DNS rebinding must fail.
  if (!m_guard.host_allowed(req.header("host")))
    return json_response(403, R"({"error":"Host header not allowed: use an IP address, localhost or a name in rpc_host"})");
  if (!m_guard.origin_allowed(req.header("origin"), req.header("host")))
    return json_response(403, R"({"error":"Origin not allowed"})");
  req.guards_passed = true;
  return std::nullopt;
}

bool Router::is_transmission_path(const std::string& path) const {
  return m_transmission && (path == "/transmission/rpc" || path == "/transmission/rpc/");
}

bool Router::metrics_open(const HttpRequest& req) const {
  return m_metrics_open_on_loopback && is_loopback(req.remote_address);
}

std::optional<HttpResponse> Router::check_header(const HttpRequest& req) {
  if (auto refused = check_guards(req)) return refused;
  const auto path = path_of(req.target);
  if (path == "/ui" || path.starts_with("/ui/")) return check_ui_header(req, path);
  const bool reads_body = (path == "/rpc" && req.method == "POST") || is_transmission_path(path);
  HttpResponse unauthorized;
  if (!reads_body) {
    // Nothing else reads a body: answer without taking it in (the 404s and 405s as handle()).
    if (has_body(req)) {
      if (path == "/healthz" || path == "/metrics" || path == "/ws")
        return json_response(413, R"({"error":"this endpoint takes no request body"})");
      return handle(req);
    }
    // Without a password, only /healthz, the 404s and an open /metrics take a worker's time.
    if (((path == "/metrics" && !metrics_open(req)) || (path == "/ws" && m_base.events)) &&
        !authenticate(req, unauthorized))
      return unauthorized;
    return std::nullopt;
  }
  req.verified_scope = authenticate(req, unauthorized);
  if (!req.verified_scope) return unauthorized;
  // After authentication: an unauthenticated caller learns nothing about what we accept.
  if (path == "/rpc" && !is_json_media_type(req.header("content-type")))
    return json_response(415, R"({"error":"Content-Type must be application/json"})");
  return std::nullopt;
}

HttpResponse Router::handle(const HttpRequest& req) {
  if (auto refused = check_guards(req)) return *refused;
  const auto path = path_of(req.target);
  if (path == "/healthz") {
    if (req.method != "GET" && req.method != "HEAD") return json_response(405, R"({"error":"use GET"})");
    // Degraded is still 200: seedd serves and seeds, and a restart would not free the disk.
    const auto health = m_health();
    return json_response(health.alive ? 200 : 503, health_body(health));
  }
  if (path == "/rpc") {
    if (req.method != "POST") {
      auto r = json_response(405, R"({"error":"use POST with a JSON-RPC 2.0 body"})");
      r.headers.emplace_back("Allow", "POST");
      return r;
    }
    return handle_rpc(req, util::parse_untrusted_json(req.body));
  }
  if (path == "/metrics") {
    if (req.method != "GET") return json_response(405, R"({"error":"use GET"})");
    HttpResponse unauthorized;
    if (!metrics_open(req) && !scope_of(req, unauthorized)) return unauthorized;
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    Context ctx = m_base;
    r.body = render_metrics(ctx);
    return r;
  }
  if (path == "/ws" && m_base.events) {
    if (req.method != "GET") return json_response(405, R"({"error":"use GET with a WebSocket upgrade"})");
    HttpResponse unauthorized;
    if (!scope_of(req, unauthorized)) return unauthorized;
    if (!req.websocket_upgrade) {
      auto r = json_response(426, R"({"error":"this is a WebSocket: connect with Upgrade: websocket"})");
      r.headers.emplace_back("Upgrade", "websocket");
      return r;
    }
    auto accept = accept_event_socket(*m_base.events, req.target);
    if (!accept) return json_response(400, R"({"error":"since must be a sequence number"})");
    HttpResponse r;
    r.websocket = std::move(accept);
    return r;
  }
  if (path == "/ui" || path.starts_with("/ui/")) return handle_ui(req, path);
  if (is_transmission_path(path)) {
    HttpResponse unauthorized;
    auto scope = scope_of(req, unauthorized);
    if (!scope) return unauthorized;
    Context ctx = m_base;
    ctx.scope = *scope;
    return m_transmission(req, ctx);
  }
  return json_response(404, R"({"error":"not found"})");
}

std::optional<HttpResponse> Router::handle_inline(const HttpRequest& req) {
  // A larger body is not a request for a few fields of memory; parsing it twice would cost.
  if (req.method != "POST" || req.body.size() > kMaxInlineBodyBytes) return std::nullopt;
  const auto path = path_of(req.target);
  if (path == "/rpc") {
    auto in = util::parse_untrusted_json(req.body);
    if (!jsonrpc_runs_inline(in, method_table())) return std::nullopt;  // a worker parses it again
    if (auto refused = check_guards(req)) return *refused;  // as handle() does
    return handle_rpc(req, std::move(in));
  }
  if (!is_transmission_path(path) || !m_transmission_inline || !m_transmission_inline(req.body)) return std::nullopt;
  return handle(req);
}

std::optional<Scope> Router::authenticate(const HttpRequest& req, HttpResponse& unauthorized) {
  const auto& auth_header = req.header("authorization");
  if (auth_header.empty() && !cookie_value(req.header("cookie"), kSessionCookie).empty())
    return page_scope(req, unauthorized);
  unauthorized = json_response(401, R"({"error":"authentication required: use the cookie file or an rpc_auth user"})");
  unauthorized.headers.emplace_back("WWW-Authenticate", "Basic realm=\"seedd\"");
  // No credentials at all is a client asking for the challenge (curl's --anyauth, which
  // transmission-remote uses, sends every request that way first): nothing was guessed, so it
  // is not logged as a failure nor counted towards the back-off, but it waits as long as one.
  if (auth_header.empty()) {
    unauthorized.delay = kBaseAuthDelay;
    return std::nullopt;
  }
  // Locked by a recent failure: the password is not even checked, so that guesses sent over
  // many connections at once get no answers; this one is answered when the lock ends.
  if (const auto wait = m_backoff.locked(req.remote_address)) {
    unauthorized = json_response(429, R"({"error":"too many failed logins from this address: retry later"})");
    unauthorized.headers.emplace_back("Retry-After", std::to_string((wait->count() + 999) / 1000));
    unauthorized.delay = *wait;
    return std::nullopt;
  }
  auto scope = m_auth.check(auth_header);
  if (scope) {
    m_backoff.success(req.remote_address);
    return scope;
  }
  uint64_t suppressed = 0;
  if (m_auth_log.allow(suppressed)) {
    const auto user = util::printable(Authenticator::user_of(auth_header));
    if (suppressed == 0)
      spdlog::get("auth")->warn("authentication failed from {} (user '{}')", req.remote_address, user);
    else
      spdlog::get("auth")->warn("authentication failed from {} (user '{}'); {} more failures were not logged",
                                req.remote_address, user, suppressed);
  }
  unauthorized.delay = m_backoff.failure(req.remote_address);
  return std::nullopt;
}

std::optional<Scope> Router::scope_of(const HttpRequest& req, HttpResponse& unauthorized) const {
  if (req.verified_scope) return req.verified_scope;  // by check_header, for this very request
  if (req.header("authorization").empty() && !cookie_value(req.header("cookie"), kSessionCookie).empty())
    return page_scope(req, unauthorized);
  if (auto scope = m_auth.check(req.header("authorization"))) return scope;
  unauthorized = json_response(401, R"({"error":"authentication required: use the cookie file or an rpc_auth user"})");
  unauthorized.headers.emplace_back("WWW-Authenticate", "Basic realm=\"seedd\"");
  unauthorized.delay = kBaseAuthDelay;
  return std::nullopt;
}

HttpResponse Router::handle_rpc(const HttpRequest& req, util::JsonInput in) {
  HttpResponse unauthorized;
  auto scope = scope_of(req, unauthorized);
  if (!scope) return unauthorized;
  Context ctx = m_base;
  ctx.scope = *scope;
  if (m_base.events && in.ok())
    if (auto poll = long_poll_of(in.value, *m_base.events)) return long_poll(std::move(*poll), ctx);
  auto body = handle_jsonrpc(std::move(in), ctx, method_table());
  if (!body) {
    HttpResponse r;
    r.status = 204;
    return r;
  }
  return json_response(200, std::move(*body));
}

// events.poll with a timeout: answer at once if there is something, else wait for the bus to
// say there may be, re-asking the same question (its `since` pinned) each time.
HttpResponse Router::long_poll(LongPoll poll, const Context& ctx) {
  auto ask = [body = std::move(poll.body), ctx = Context(ctx)]() mutable { return handle_jsonrpc(body, ctx, method_table()); };
  auto first = ask();
  if (!first) return json_response(204, {});  // a notification: nothing to wait for
  if (!poll_answer_is_empty(*first)) return json_response(200, std::move(*first));
  HttpResponse r;
  r.deferred = std::make_shared<DeferredResponse>();
  r.deferred->timeout = poll.timeout;
  r.deferred->poll = [ask](bool final) mutable -> std::optional<HttpResponse> {
    auto answer = ask();
    if (!answer) return json_response(204, {});
    if (!final && poll_answer_is_empty(*answer)) return std::nullopt;
    return json_response(200, std::move(*answer));
  };
  auto* bus = m_base.events;
  r.deferred->watch = [bus](std::function<void()> wake) -> std::function<void()> {
    const int id = bus->subscribe(bus->last(), [](const events::Backlog&) {},
                                  [wake](const events::Event&) { wake(); });
    return [bus, id] { bus->unsubscribe(id); };
  };
  return r;
}

}  // namespace seedd::rpc
