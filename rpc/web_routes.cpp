// The web page under /ui/ (issue 17): its files, logins into a session cookie, logout, and the
// session's scope and CSRF token for the page. /rpc and /ws take the cookie (Router::page_scope).
#include <openssl/crypto.h>

#include <spdlog/spdlog.h>

#include "daemon/util/base64.hpp"
#include "daemon/util/logging.hpp"
#include "daemon/util/json_input.hpp"
#include "rpc/router.hpp"
#include "rpc/router_internal.hpp"
#include "rpc/web_assets.hpp"

namespace seedd::rpc {
namespace {

using nlohmann::json;

/// What the page may load and where it may connect: its own files and its own origin, nothing
/// inline and no other host.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `r` with the page's security headers; answers about the session are never cached, the page's
/// files are revalidated (no-cache) so an upgraded seedd serves its own at once.
HttpResponse page_response(HttpResponse r, const char* cache_control = "no-store") {
  r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  // A login link carries its token in the URL: no page may pass it on as a Referer.
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cache-Control", cache_control);
  return r;
}

HttpResponse page_json(int status, const json& body) {
  return page_response(json_response(status, body.dump(-1, ' ', false, json::error_handler_t::replace)));
}

HttpResponse redirect(const std::string& location) {
  HttpResponse r;
  r.status = 303;
  r.content_type = "text/plain";
  r.headers.emplace_back("Location", location);
  return page_response(std::move(r));
}

std::string query_value(const std::string& target, const std::string& name) {
  const auto q = target.find('?');
  if (q == std::string::npos) return {};
  size_t pos = q + 1;
  while (pos <= target.size()) {
    const auto end = std::min(target.find('&', pos), target.size());
    const auto item = target.substr(pos, end - pos);
    if (item.size() > name.size() && item.compare(0, name.size(), name) == 0 && item[name.size()] == '=')
      return item.substr(name.size() + 1);
    pos = end + 1;
  }
  return {};
}

int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

json session_json(const WebSession& s) {
  return {{"user", s.user},
          {"scope", s.scope == Scope::admin ? "admin" : "read"},
          {"csrf", s.csrf},
          {"expires_at", unix_seconds(s.expires)}};
}

constexpr const char* kSessionEnded =
    "your session has ended (it expired, you logged out, or seedd restarted): log in again";

/// "http://host:port" or "https://host:port" of an Origin header whose host:port is `host`.
bool same_origin(const std::string& origin, const std::string& host) {
  if (host.empty()) return false;
  return origin == "http://" + host || origin == "https://" + host;
}

}  // namespace

std::optional<Scope> Router::page_scope(const HttpRequest& req, HttpResponse& refused) const {
  const auto session = m_sessions.find(cookie_value(req.header("cookie"), kSessionCookie));
  if (!session) {
    // No WWW-Authenticate: a browser would answer it with its own password dialog.
    refused = json_response(401, json{{"error", kSessionEnded}, {"session", "ended"}}.dump());
    return std::nullopt;
  }
  const auto path = path_of(req.target);
  // A WebSocket and a changing call carry the cookie from any page of the same site (another
  // port of this host is one): only the page's own origin may use them.
  if ((req.method != "GET" && req.method != "HEAD") || path == "/ws") {
    if (!same_origin(req.header("origin"), req.header("host"))) {
      refused = json_response(403, json{{"error", "a call with the session cookie must come from seedd's own page "
                                                  "(its Origin is missing or another one)"}}.dump());
      return std::nullopt;
    }
  }
  if (req.method != "GET" && req.method != "HEAD") {
    const auto token = req.header(kCsrfHeader);
    if (token.size() != session->csrf.size() || CRYPTO_memcmp(token.data(), session->csrf.data(), token.size()) != 0) {
      refused = json_response(403, json{{"error", "missing or wrong CSRF token (X-CSRF-Token): reload the page"}}.dump());
      return std::nullopt;
    }
  }
  return session->scope;
}

std::optional<HttpResponse> Router::check_ui_header(const HttpRequest& req, const std::string& path) {
  if (path == "/ui/login" && req.method == "POST") {
    const auto& length = req.header("content-length");
    if (!req.header("transfer-encoding").empty() || length.empty() || length.size() > 6 ||
        length.find_first_not_of("0123456789") != std::string::npos || std::stoul(length) > kMaxLoginBodyBytes)
      return page_json(413, {{"error", "a login is a JSON object of at most " + std::to_string(kMaxLoginBodyBytes) +
                                           " bytes with a Content-Length"}});
    if (!is_json_media_type(req.header("content-type")))
      return page_json(415, {{"error", "Content-Type must be application/json"}});
    return std::nullopt;
  }
  if (has_body(req)) return page_json(413, {{"error", "this endpoint takes no request body"}});
  return std::nullopt;
}

HttpResponse Router::handle_ui(const HttpRequest& req, const std::string& path) {
  if (path == "/ui") return redirect("/ui/");
  if (path == "/ui/login") {
    if (req.method == "POST") return ui_login(req);
    if (req.method == "GET") return ui_login_link(req);
    return page_json(405, {{"error", "use POST with {user, password}, or GET with a token from seedctl ui"}});
  }
  if (path == "/ui/logout") {
    if (req.method != "POST") return page_json(405, {{"error", "use POST"}});
    return ui_logout(req);
  }
  if (path == "/ui/session") {
    if (req.method != "GET") return page_json(405, {{"error", "use GET"}});
    return ui_session(req);
  }
  if (req.method != "GET" && req.method != "HEAD") return page_json(405, {{"error", "use GET"}});
  const auto name = path == "/ui/" ? std::string_view("index.html") : std::string_view(path).substr(4);
  const auto* asset = find_web_asset(name);
  if (!asset) return page_json(404, {{"error", "not found"}});
  HttpResponse r;
  r.content_type = std::string(asset->content_type);
  r.body = std::string(asset->body);
  return page_response(std::move(r), name == "index.html" ? "no-store" : "no-cache");
}

std::string Router::session_cookie(const std::string& token, std::chrono::seconds max_age) const {
  return std::string(kSessionCookie) + "=" + token + "; Path=/; Max-Age=" + std::to_string(max_age.count()) +
         "; HttpOnly; SameSite=Strict" + (m_tls ? "; Secure" : "");
}

HttpResponse Router::ui_login(const HttpRequest& req) {
  const auto in = util::parse_untrusted_json(req.body);
  if (!in.ok() || !in.value.is_object() || !in.value.value("user", json("")).is_string() ||
      !in.value.value("password", json("")).is_string())
    return page_json(400, {{"error", "a login is {\"user\": string, \"password\": string}"}});
  auto user = in.value.value("user", std::string());
  auto password = in.value.value("password", std::string());
  // The cookie file's whole line pasted as the password, or its password with no user.
  const std::string cookie_prefix = std::string(kCookieUser) + ":";
  if (user.empty() && password.starts_with(cookie_prefix)) {
    user = kCookieUser;
    password = password.substr(cookie_prefix.size());
  }
  if (user.empty()) user = kCookieUser;
  HttpRequest as_basic = req;
  as_basic.headers["authorization"] = "Basic " + util::base64_encode(user + ":" + password);
  as_basic.headers.erase("cookie");
  HttpResponse refused;
  const auto scope = authenticate(as_basic, refused);
  if (!scope) {
    auto r = page_json(refused.status, {{"error", refused.status == 429
                                                      ? "too many failed logins from this address: wait and retry"
                                                      : "wrong user or password"}});
    r.delay = refused.delay;
    for (const auto& h : refused.headers)
      if (h.first == "Retry-After") r.headers.push_back(h);
    return r;
  }
  const auto token = m_sessions.open(user, *scope);
  const auto session = m_sessions.find(token);
  spdlog::get("auth")->info("web page login of '{}' from {}", util::printable(user), req.remote_address);
  auto r = page_json(200, session_json(*session));
  r.headers.emplace_back("Set-Cookie", session_cookie(token, kSessionLifetime));
  return r;
}

HttpResponse Router::ui_login_link(const HttpRequest& req) {
  const auto token = query_value(req.target, "token");
  if (token.empty()) return redirect("/ui/");
  if (!m_sessions.redeem_login_link(token)) return redirect("/ui/?login=link-spent");
  const auto session = m_sessions.open(kCookieUser, Scope::admin);
  spdlog::get("auth")->info("web page login by a seedctl ui link from {}", req.remote_address);
  auto r = redirect("/ui/");
  r.headers.emplace_back("Set-Cookie", session_cookie(session, kSessionLifetime));
  return r;
}

HttpResponse Router::ui_logout(const HttpRequest& req) {
  HttpResponse refused;
  if (!page_scope(req, refused)) return page_response(std::move(refused));
  m_sessions.close(cookie_value(req.header("cookie"), kSessionCookie));
  auto r = page_json(200, {{"logged_out", true}});
  r.headers.emplace_back("Set-Cookie", session_cookie("", std::chrono::seconds(0)));
  return r;
}

HttpResponse Router::ui_session(const HttpRequest& req) const {
  // 200 either way: the page asks before it knows, and a browser logs every 401 as an error.
  const auto token = cookie_value(req.header("cookie"), kSessionCookie);
  if (token.empty()) return page_json(200, {{"logged_in", false}, {"session", "none"}});
  const auto session = m_sessions.find(token);
  if (!session) return page_json(200, {{"logged_in", false}, {"session", "ended"}, {"error", kSessionEnded}});
  auto body = session_json(*session);
  body["logged_in"] = true;
  return page_json(200, body);
}

}  // namespace seedd::rpc
