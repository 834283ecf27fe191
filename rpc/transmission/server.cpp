#include "rpc/transmission/server.hpp"

#include <chrono>
#include <cmath>
#include <system_error>

#include <spdlog/spdlog.h>

#include "daemon/engine/engine.hpp"
#include "daemon/util/io_error.hpp"
#include "daemon/util/logging.hpp"
#include "rpc/auth.hpp"
#include "daemon/util/json_input.hpp"
#include "rpc/metrics.hpp"
#include "rpc/rpc_error.hpp"
#include "rpc/transmission/methods.hpp"

namespace seedd::rpc::transmission {
namespace {

// Every body goes out through here: torrent names from the network need not be UTF-8.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string shown(const json& v) {
  auto s = dump(v);
  return s.size() > 60 ? s.substr(0, 60) + "..." : s;
}

[[noreturn]] void wrong_type(const char* name, const json& v, const char* what) {
  throw Failure(std::string("argument '") + name + "' must be " + what + ", not " + shown(v));
}

const json* find_arg(const json& args, const char* name) {
  auto it = args.find(name);
  return it == args.end() || it->is_null() ? nullptr : &*it;
}

std::optional<int64_t> whole(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

json response(const std::string& result, json arguments, const json& tag) {
  json out = {{"arguments", std::move(arguments)}, {"result", result}};
  if (!tag.is_null()) out["tag"] = tag;
  return out;
}

}  // namespace

Server::Server() : m_session_id(random_hex(24)) {}

bool Server::runs_inline(std::string_view body) {
  auto in = util::parse_untrusted_json(body);
  if (!in.ok() || !in.value.is_object()) return false;
  const auto method = in.value.find("method");
  return method != in.value.end() && method->is_string() &&
         (*method == "session-stats" || *method == "session-get");
}

HttpResponse Server::handle(const HttpRequest& req, Context& ctx) {
  // Transmission's CSRF guard (spec 2.3.1): a page in a browser cannot read this header from
  // another origin, so it cannot send it back. Checked for every HTTP method: clients probe
  // with a bare GET to learn the id.
  if (req.header("x-transmission-session-id") != m_session_id) {
    HttpResponse r;
    r.status = 409;
    r.content_type = "text/html; charset=utf-8";
    r.body = "<h1>409: Conflict</h1><p>Your request had an invalid session-id header.</p>"
             "<p>To fix this, send the header <code>" + std::string(kSessionIdHeader) + ": " + m_session_id +
             "</code> (it is in this response's headers too) and retry.</p>";
    r.headers.emplace_back(kSessionIdHeader, m_session_id);
    return r;
  }
  if (req.method != "POST") {
    HttpResponse r;
    r.status = 405;
    r.body = R"({"result":"use POST with a JSON body"})";
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  // Any Content-Type: transmission-remote 3.00 sends application/x-www-form-urlencoded.
  HttpResponse r;
  r.body = answer(req.body, ctx);
  return r;
}

std::string Server::answer(const std::string& body, Context& ctx) {
  auto in = util::parse_untrusted_json(body);
  if (!in.ok()) return dump(response("request " + util::json_input_problem(in), json::object(), nullptr));
  const json request = std::move(in.value);
  if (!request.is_object()) return dump(response("request must be a JSON object", json::object(), nullptr));
  // The tag is echoed when it is a number, as Transmission does (clients match answers by it).
  json tag = nullptr;
  if (auto it = request.find("tag"); it != request.end() && it->is_number_integer()) tag = *it;
  auto mit = request.find("method");
  if (mit == request.end() || !mit->is_string()) return dump(response("no method name", json::object(), tag));
  const auto& name = mit->get_ref<const std::string&>();
  json args = json::object();
  if (auto ait = request.find("arguments"); ait != request.end() && !ait->is_null()) {
    if (!ait->is_object()) return dump(response("arguments must be an object", json::object(), tag));
    args = *ait;
  }
  const Method* m = find_method(name);
  if (!m) return dump(response("method name not recognized", json::object(), tag));

  const auto start = std::chrono::steady_clock::now();
  std::string result = "success";
  json out = json::object();
  try {
    if (m->changes_state && ctx.scope == Scope::read)
      throw Failure("forbidden: '" + m->name + "' changes state and this user may only read");
    Call call{args, ctx, *this};
    out = m->run(call);
  } catch (const Failure& e) {
    result = e.what();
  } catch (const EngineError& e) {
    result = e.what();
  } catch (const RpcError& e) {
    result = e.what();
  } catch (const util::IoError& e) {
    result = std::string("I/O error: ") + e.what();
  } catch (const std::system_error& e) {
    result = std::string("I/O error: ") + e.what();
  } catch (const std::exception& e) {
    if (auto log = spdlog::get("rpc")) log->error("transmission {}: {}", m->name, e.what());
    result = std::string("internal error: ") + e.what();
  }
  rpc_metrics().observe("transmission." + m->name,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                        result != "success");
  if (auto log = spdlog::get("rpc"); log && result != "success")
    log->debug("transmission {}: {}", m->name, util::printable(result.substr(0, 200)));
  return dump(response(result, std::move(out), tag));
}

const std::vector<Method>& method_list() {
  static const auto methods = [] {
    auto all = torrent_methods();
    auto session = session_methods();
    all.insert(all.end(), session.begin(), session.end());
    return all;
  }();
  return methods;
}

const Method* find_method(std::string_view name) {
  for (const auto& m : method_list())
    if (m.name == name) return &m;
  return nullptr;
}

bool has_arg(const json& args, const char* name) { return find_arg(args, name) != nullptr; }

std::optional<bool> arg_bool(const json& args, const char* name) {
  const auto* v = find_arg(args, name);
  if (!v) return std::nullopt;
  if (v->is_boolean()) return v->get<bool>();
  if (auto i = whole(*v); i && (*i == 0 || *i == 1)) return *i == 1;
  wrong_type(name, *v, "true or false");
}

std::optional<int64_t> arg_int(const json& args, const char* name) {
  const auto* v = find_arg(args, name);
  if (!v) return std::nullopt;
  if (auto i = whole(*v)) return i;
  wrong_type(name, *v, "an integer");
}

std::optional<double> arg_real(const json& args, const char* name) {
  const auto* v = find_arg(args, name);
  if (!v) return std::nullopt;
  if (v->is_number() && std::isfinite(v->get<double>())) return v->get<double>();
  wrong_type(name, *v, "a number");
}

std::optional<std::string> arg_string(const json& args, const char* name) {
  const auto* v = find_arg(args, name);
  if (!v) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  wrong_type(name, *v, "a string");
}

std::optional<std::vector<std::string>> arg_strings(const json& args, const char* name) {
  const auto* v = find_arg(args, name);
  if (!v) return std::nullopt;
  if (!v->is_array()) wrong_type(name, *v, "a list of strings");
  std::vector<std::string> out;
  for (const auto& e : *v) {
    if (!e.is_string()) wrong_type(name, *v, "a list of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::optional<std::vector<int64_t>> arg_ints(const json& args, const char* name) {
  const auto* v = find_arg(args, name);
  if (!v) return std::nullopt;
  if (!v->is_array()) wrong_type(name, *v, "a list of integers");
  std::vector<int64_t> out;
  for (const auto& e : *v) {
    auto i = whole(e);
    if (!i) wrong_type(name, *v, "a list of integers");
    out.push_back(*i);
  }
  return out;
}

}  // namespace seedd::rpc::transmission
