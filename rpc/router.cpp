#include "rpc/router.hpp"

#include <spdlog/spdlog.h>

#include "rpc/jsonrpc.hpp"
#include "rpc/method_table.hpp"

namespace seedd::rpc {
namespace {

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

}  // namespace

Router::Router(Context base, Authenticator auth, std::function<bool()> healthy)
    : m_base(base), m_auth(std::move(auth)), m_healthy(std::move(healthy)) {}

HttpResponse Router::handle(const HttpRequest& req) {
  const auto path = path_of(req.target);
  if (path == "/healthz") {
    if (req.method != "GET" && req.method != "HEAD") return json_response(405, R"({"error":"use GET"})");
    return m_healthy() ? json_response(200, R"({"status":"ok"})") : json_response(503, R"({"status":"unhealthy"})");
  }
  if (path == "/rpc") {
    if (req.method != "POST") {
      auto r = json_response(405, R"({"error":"use POST with a JSON-RPC 2.0 body"})");
      r.headers.emplace_back("Allow", "POST");
      return r;
    }
    return handle_rpc(req);
  }
  return json_response(404, R"({"error":"not found"})");
}

HttpResponse Router::handle_rpc(const HttpRequest& req) {
  const auto auth_header = req.header("authorization");
  auto scope = m_auth.check(auth_header);
  if (!scope) {
    spdlog::get("auth")->warn("authentication failed from {} (user '{}')", req.remote_address,
                              Authenticator::user_of(auth_header));
    auto r = json_response(401, R"({"error":"authentication required: use the cookie file or an rpc_auth user"})");
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"seedd\"");
    r.delay = AUTH_FAILURE_DELAY;
    return r;
  }
  Context ctx = m_base;
  ctx.scope = *scope;
  auto body = handle_jsonrpc(req.body, ctx, method_table());
  if (!body) {
    HttpResponse r;
    r.status = 204;
    return r;
  }
  return json_response(200, std::move(*body));
}

}  // namespace seedd::rpc
