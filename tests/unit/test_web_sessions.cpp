#include <catch2/catch.hpp>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "daemon/util/base64.hpp"
#include "rpc/auth.hpp"
#include "rpc/router.hpp"
#include "rpc/web_assets.hpp"
#include "rpc/web_sessions.hpp"

using namespace seedd::rpc;
using namespace std::chrono_literals;

namespace {

struct FakeClock {
  std::chrono::system_clock::time_point now = std::chrono::system_clock::time_point(1'700'000'000s);
  WebSessions::Clock fn() {
    return [this] { return now; };
  }
};

void quiet_logger(const char* name) {
  if (!spdlog::get(name))
    spdlog::register_logger(std::make_shared<spdlog::logger>(name, std::make_shared<spdlog::sinks::null_sink_mt>()));
}

std::string header_of(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

/// A Router with one admin user (alice) and one read user (bob), and no engine: the tests stay
/// on paths that answer before a method runs.
struct PageRouter {
  Router router;
  explicit PageRouter(bool tls = false)
      : router(Context{}, make_auth(), RequestGuard(GuardOptions{}), [] { return Health{}; }) {
    quiet_logger("rpc");
    quiet_logger("auth");
    router.set_tls(tls);
  }
  static Authenticator make_auth() {
    return Authenticator("cookiepass", {*RpcAuthEntry::parse(make_rpc_auth_entry("alice", "pw-a", Scope::admin)),
                                        *RpcAuthEntry::parse(make_rpc_auth_entry("bob", "pw-b", Scope::read))});
  }
  HttpResponse login(const std::string& user, const std::string& password, const std::string& from = "127.0.0.1") {
    HttpRequest req;
    req.method = "POST";
    req.target = "/ui/login";
    req.remote_address = from;
    req.headers = {{"host", "127.0.0.1:8421"}, {"content-type", "application/json"}};
    req.body = nlohmann::json{{"user", user}, {"password", password}}.dump();
    req.headers["content-length"] = std::to_string(req.body.size());
    if (auto refused = router.check_header(req)) return *refused;
    return router.handle(req);
  }
  HttpResponse rpc_with_cookie(const std::string& token, const std::string& origin, const std::string& csrf) {
    HttpRequest req;
    req.method = "POST";
    req.target = "/rpc";
    req.remote_address = "127.0.0.1";
    req.headers = {{"host", "127.0.0.1:8421"}, {"content-type", "application/json"}, {"content-length", "2"},
                   {"cookie", "theme=dark; seedd_session=" + token}};
    if (!origin.empty()) req.headers["origin"] = origin;
    if (!csrf.empty()) req.headers["x-csrf-token"] = csrf;
    if (auto refused = router.check_header(req)) return *refused;
    return HttpResponse{};  // passed: a 200 placeholder (no engine to dispatch to)
  }
};

std::string cookie_token(const HttpResponse& r) {
  const auto set = header_of(r, "Set-Cookie");
  return cookie_value(set.substr(0, set.find(';')), kSessionCookie);
}

}  // namespace

TEST_CASE("a web session lasts kSessionLifetime from its login, then is gone", "[web]") {
  FakeClock clock;
  WebSessions sessions(clock.fn());
  const auto token = sessions.open("alice", Scope::admin);
  REQUIRE(token.size() == 64);
  auto s = sessions.find(token);
  REQUIRE(s);
  CHECK(s->user == "alice");
  CHECK(s->scope == Scope::admin);
  CHECK(s->csrf.size() == 64);
  CHECK(s->csrf != token);
  clock.now += kSessionLifetime - 1s;
  CHECK(sessions.find(token));
  clock.now += 1s;
  CHECK_FALSE(sessions.find(token));
  CHECK(sessions.size() == 0);
}

TEST_CASE("a closed web session and an unknown token find nothing", "[web]") {
  WebSessions sessions;
  const auto token = sessions.open("bob", Scope::read);
  sessions.close(token);
  CHECK_FALSE(sessions.find(token));
  CHECK_FALSE(sessions.find(std::string(64, 'a')));
  CHECK_FALSE(sessions.find(""));
}

TEST_CASE("past kMaxSessions a new login ends the oldest session", "[web]") {
  FakeClock clock;
  WebSessions sessions(clock.fn());
  const auto first = sessions.open("u", Scope::read);
  for (size_t i = 1; i < kMaxSessions; ++i) {
    clock.now += 1s;
    sessions.open("u", Scope::read);
  }
  CHECK(sessions.size() == kMaxSessions);
  CHECK(sessions.find(first));
  clock.now += 1s;
  sessions.open("u", Scope::read);
  CHECK(sessions.size() == kMaxSessions);
  CHECK_FALSE(sessions.find(first));
}

TEST_CASE("a login link works once, and not after kLoginLinkLifetime", "[web]") {
  FakeClock clock;
  WebSessions sessions(clock.fn());
  const auto link = sessions.issue_login_link();
  CHECK(sessions.redeem_login_link(link));
  CHECK_FALSE(sessions.redeem_login_link(link));
  const auto late = sessions.issue_login_link();
  clock.now += kLoginLinkLifetime;
  CHECK_FALSE(sessions.redeem_login_link(late));
  CHECK_FALSE(sessions.redeem_login_link("not-a-token"));
}

TEST_CASE("cookie_value finds one cookie among several", "[web]") {
  CHECK(cookie_value("a=1; seedd_session=abc; b=2", "seedd_session") == "abc");
  CHECK(cookie_value("seedd_session=x", "seedd_session") == "x");
  CHECK(cookie_value("xseedd_session=x; seedd_sessionx=y", "seedd_session").empty());
  CHECK(cookie_value("", "seedd_session").empty());
}

TEST_CASE("a page login sets an HttpOnly SameSite=Strict cookie with an expiry, Secure only under TLS", "[web]") {
  PageRouter plain;
  auto r = plain.login("alice", "pw-a");
  REQUIRE(r.status == 200);
  const auto cookie = header_of(r, "Set-Cookie");
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("Max-Age=" + std::to_string(std::chrono::seconds(kSessionLifetime).count())) != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);
  const auto body = nlohmann::json::parse(r.body);
  CHECK(body["scope"] == "admin");
  CHECK(body["csrf"].get<std::string>().size() == 64);

  PageRouter tls(true);
  CHECK(header_of(tls.login("alice", "pw-a"), "Set-Cookie").find("; Secure") != std::string::npos);
}

TEST_CASE("a wrong page login is refused with the back-off's delay and no browser password dialog", "[web]") {
  PageRouter p;
  auto r = p.login("alice", "wrong", "127.0.0.9");
  CHECK(r.status == 401);
  CHECK(nlohmann::json::parse(r.body)["error"] == "wrong user or password");
  CHECK(r.delay >= kBaseAuthDelay);
  CHECK(header_of(r, "WWW-Authenticate").empty());
  CHECK(header_of(r, "Set-Cookie").empty());
  // Locked until the delay passed: even the right password is not checked.
  auto locked = p.login("alice", "pw-a", "127.0.0.9");
  CHECK(locked.status == 429);
  CHECK_FALSE(header_of(locked, "Retry-After").empty());
}

TEST_CASE("the cookie file's line pasted as the password logs in as the admin", "[web]") {
  PageRouter p;
  auto r = p.login("", "__cookie__:cookiepass");
  REQUIRE(r.status == 200);
  CHECK(nlohmann::json::parse(r.body)["scope"] == "admin");
}

TEST_CASE("a POST with the session cookie needs the page's own Origin and the session's CSRF token", "[web]") {
  PageRouter p;
  auto login = p.login("alice", "pw-a");
  const auto token = cookie_token(login);
  const auto csrf = nlohmann::json::parse(login.body)["csrf"].get<std::string>();
  const std::string own = "http://127.0.0.1:8421";
  CHECK(p.rpc_with_cookie(token, own, csrf).status == 200);
  CHECK(p.rpc_with_cookie(token, "http://127.0.0.1:9999", csrf).status == 403);
  CHECK(p.rpc_with_cookie(token, "", csrf).status == 403);
  CHECK(p.rpc_with_cookie(token, own, "").status == 403);
  CHECK(p.rpc_with_cookie(token, own, std::string(64, '0')).status == 403);
  const auto ended = p.rpc_with_cookie(std::string(64, 'f'), own, csrf);
  CHECK(ended.status == 401);
  CHECK(ended.body.find("log in again") != std::string::npos);
}

TEST_CASE("the page's files are embedded and served with the CSP", "[web]") {
  REQUIRE(find_web_asset("index.html"));
  REQUIRE(find_web_asset("app.js"));
  CHECK(find_web_asset("app.js")->content_type.starts_with("text/javascript"));
  CHECK_FALSE(find_web_asset("../CMakeLists.txt"));
  PageRouter p;
  HttpRequest req;
  req.method = "GET";
  req.target = "/ui/";
  req.remote_address = "127.0.0.1";
  const auto r = p.router.handle(req);
  CHECK(r.status == 200);
  CHECK(r.body == find_web_asset("index.html")->body);
  const auto csp = header_of(r, "Content-Security-Policy");
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("unsafe-inline") == std::string::npos);
  req.target = "/ui/nothing-here.js";
  CHECK(p.router.handle(req).status == 404);
}
