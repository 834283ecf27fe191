#pragma once
// The web page's logins (issue 17): sessions behind an HttpOnly cookie, each with its own CSRF
// token, and the one-time login links that `seedctl ui` prints. Memory only: a restart of seedd
// ends every session, as it changes the cookie file. Thread-safe.
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "rpc/context.hpp"

namespace seedd::rpc {

/// The cookie that carries a session's token.
constexpr const char* kSessionCookie = "seedd_session";
/// The header a changing call from the page carries its session's CSRF token in.
constexpr const char* kCsrfHeader = "x-csrf-token";
/// The largest body POST /ui/login takes ({"user": ..., "password": ...}).
constexpr size_t kMaxLoginBodyBytes = 4096;
/// How long a session lasts from its login (not extended by use).
constexpr std::chrono::hours kSessionLifetime{12};
/// Sessions kept at once; a new login past it ends the oldest.
constexpr size_t kMaxSessions = 256;
/// How long a one-time login link is valid, and how many may be pending.
constexpr std::chrono::minutes kLoginLinkLifetime{10};
constexpr size_t kMaxLoginLinks = 64;

struct WebSession {
  std::string user;  // the rpc_auth user, or "__cookie__" (the cookie file or a login link)
  Scope scope = Scope::read;
  std::string csrf;  // 64 hex, sent back in kCsrfHeader by changing calls
  std::chrono::system_clock::time_point expires;
};

class WebSessions {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  explicit WebSessions(Clock clock = [] { return std::chrono::system_clock::now(); }) : m_clock(std::move(clock)) {}

  /// A new session; returns its token (64 hex), the cookie's value.
  std::string open(const std::string& user, Scope scope);
  /// The live session of a token, or nothing (unknown, ended or expired; an expired one is
  /// forgotten).
  std::optional<WebSession> find(const std::string& token);
  void close(const std::string& token);
  /// A one-time login link's token (64 hex) for the admin.
  std::string issue_login_link();
  /// Spends a login link's token: true once, within kLoginLinkLifetime.
  bool redeem_login_link(const std::string& token);
  size_t size() const;

 private:
  void expire_locked();
  Clock m_clock;
  mutable std::mutex m_mutex;
  std::map<std::string, WebSession> m_sessions;  // by token
  std::map<std::string, std::chrono::system_clock::time_point> m_links;  // token -> expiry
};

/// The value of cookie `name` in a Cookie header, or "".
std::string cookie_value(const std::string& cookie_header, const std::string& name);

}  // namespace seedd::rpc
