#pragma once
// Transmission's RPC at /transmission/rpc (issue 8): the session-id handshake, the legacy
// envelope {"method","arguments","tag"} -> {"result","arguments","tag"}, and dispatch to the
// method table. The Router has already applied the guards and authentication.
#include <string>
#include <string_view>

#include "rpc/context.hpp"
#include "rpc/http_server.hpp"
#include "rpc/transmission/registry.hpp"

namespace seedd::rpc::transmission {

/// The header that carries the anti-CSRF session id (Transmission's spec 2.3.1).
constexpr const char* kSessionIdHeader = "X-Transmission-Session-Id";

class Server {
 public:
  /// Makes the process's session id (random, one per process).
  Server();
  explicit Server(std::string session_id) : m_session_id(std::move(session_id)) {}

  /// Answers one HTTP request: 409 with the session id for any request (any HTTP method)
  /// without the right one, 405 for anything but POST, else the JSON answer with HTTP 200.
  HttpResponse handle(const HttpRequest& req, Context& ctx);

  /// The JSON answer to one request body (the envelope); the handshake is already done.
  std::string answer(const std::string& body, Context& ctx);

  /// Whether the body asks for a method that only reads memory (session-get, session-stats):
  /// the Router answers those on the network thread.
  static bool runs_inline(std::string_view body);

  const std::string& session_id() const { return m_session_id; }
  Registry& registry() { return m_registry; }

 private:
  const std::string m_session_id;
  Registry m_registry;
};

}  // namespace seedd::rpc::transmission
