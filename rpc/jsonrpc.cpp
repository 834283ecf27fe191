#include "rpc/jsonrpc.hpp"

#include <chrono>
#include <system_error>

#include <spdlog/spdlog.h>

#include "daemon/engine/engine.hpp"
#include "daemon/util/io_error.hpp"
#include "daemon/util/json_input.hpp"
#include "rpc/method_table.hpp"
#include "rpc/metrics.hpp"

namespace seedd::rpc {
namespace {

/// Every body goes out through here: a message may quote input cut at a byte limit, and an
/// invalid UTF-8 sequence must turn into U+FFFD, not into an exception and an HTTP 500.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

/// At most `max` bytes of `s`, not ending inside a UTF-8 sequence.
std::string clip_utf8(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

json error_response(const json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

int engine_error_code(EngineError::Kind kind) {
  switch (kind) {
    case EngineError::Kind::invalid_argument: return code::invalid_params;
    case EngineError::Kind::not_found: return code::not_found;
    case EngineError::Kind::io: return code::io_error;
  }
  return code::internal_error;
}

/// Runs one request object: the response as text; nullopt for a notification.
std::optional<std::string> handle_one(const json& req, Context& ctx, const MethodTable& table) {
  const auto error_text = [](const json& id, int c, const std::string& m) { return dump(error_response(id, c, m)); };
  if (!req.is_object()) return error_text(nullptr, code::invalid_request, "Invalid Request: not an object");
  const bool is_notification = !req.contains("id");
  json id = nullptr;
  if (!is_notification) {
    id = req["id"];
    if (!id.is_null() && !id.is_string() && !id.is_number())
      return error_text(nullptr, code::invalid_request, "Invalid Request: 'id' must be a string, number or null");
  }
  auto respond_error = [&](int c, const std::string& m) -> std::optional<std::string> {
    if (is_notification) return std::nullopt;
    return error_text(id, c, m);
  };
  auto jv = req.find("jsonrpc");
  if (jv == req.end() || *jv != "2.0")
    return error_text(id, code::invalid_request, "Invalid Request: 'jsonrpc' must be \"2.0\"");
  auto mv = req.find("method");
  if (mv == req.end() || !mv->is_string())
    return error_text(id, code::invalid_request, "Invalid Request: 'method' must be a string");
  const auto& name = mv->get_ref<const std::string&>();

  json params = json::object();
  if (auto pv = req.find("params"); pv != req.end() && !pv->is_null()) {
    if (pv->is_array())
      return respond_error(code::invalid_params, "Invalid params: seedd takes named params (an object), not an array");
    if (!pv->is_object()) return error_text(id, code::invalid_request, "Invalid Request: 'params' must be an object");
    params = *pv;
  }
  const MethodSpec* m = table.find(name);
  if (!m) return respond_error(code::method_not_found, "Method not found: '" + clip_utf8(name, 80) + "'");
  // Observed on every way out of the call, success or error.
  struct Observe {
    const std::string& method;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    bool ok = false;
    ~Observe() {
      rpc_metrics().observe(method, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), !ok);
    }
  } observe{m->name};
  try {
    if (m->changes_state && ctx.scope == Scope::read)
      throw RpcError(code::forbidden, "'" + name + "' changes state; this user has read scope only");
    validate_params(*m, params);
    if (m->text_handler) {
      // The response is written around the result in place: no copy of a big answer.
      std::string out = "{\"id\":" + dump(id) + ",\"jsonrpc\":\"2.0\",\"result\":";
      m->text_handler(params, ctx, out);
      out += '}';
      observe.ok = true;
      if (is_notification) return std::nullopt;
      return out;
    }
    json result = m->handler(params, ctx);
    observe.ok = true;
    if (is_notification) return std::nullopt;
    return dump(json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
  } catch (const RpcError& e) {
    return respond_error(e.code, e.code == code::invalid_params ? std::string("Invalid params: ") + e.what() : e.what());
  } catch (const EngineError& e) {
    const int c = engine_error_code(e.kind);
    return respond_error(c, c == code::invalid_params ? std::string("Invalid params: ") + e.what() : e.what());
  } catch (const json::exception& e) {
    // A handler read a param with the wrong type the schema could not express.
    return respond_error(code::invalid_params, std::string("Invalid params: ") + e.what());
  } catch (const util::IoError& e) {
    // The disk, not the caller nor a bug: full, read-only, failing. The cause is in the message.
    if (auto log = spdlog::get("rpc")) log->warn("{} failed: {}", name, e.what());
    return respond_error(code::io_error, std::string("I/O error: ") + e.what());
  } catch (const std::system_error& e) {
    if (auto log = spdlog::get("rpc")) log->warn("{} failed: {}", name, e.what());
    return respond_error(code::io_error, std::string("I/O error: ") + e.what());
  } catch (const std::exception& e) {
    spdlog::get("rpc")->error("{} failed: {}", name, e.what());
    return respond_error(code::internal_error, std::string("Internal error: ") + e.what());
  }
}

}  // namespace

bool jsonrpc_runs_inline(const util::JsonInput& in, const MethodTable& table) {
  if (!in.ok() || !in.value.is_object()) return false;
  const auto method = in.value.find("method");
  if (method == in.value.end() || !method->is_string()) return false;
  const auto* spec = table.find(method->get_ref<const std::string&>());
  return spec && spec->runs_inline;
}

std::optional<std::string> handle_jsonrpc(std::string_view body, Context& ctx, const MethodTable& table) {
  return handle_jsonrpc(util::parse_untrusted_json(body), ctx, table);
}

std::optional<std::string> handle_jsonrpc(util::JsonInput in, Context& ctx, const MethodTable& table) {
  if (in.status == util::JsonInput::Status::invalid)
    return dump(error_response(nullptr, code::parse_error, "Parse error: the body is not valid JSON"));
  if (!in.ok())  // too deep, too many values
    return dump(error_response(nullptr, code::invalid_request,
                               "Invalid Request: the body " + util::json_input_problem(in)));
  json req = std::move(in.value);
  if (req.is_array()) {
    if (req.empty()) return dump(error_response(nullptr, code::invalid_request, "Invalid Request: empty batch"));
    if (req.size() > kMaxBatchLength)
      return dump(error_response(nullptr, code::invalid_request,
                                 "Invalid Request: a batch holds at most " + std::to_string(kMaxBatchLength) +
                                     " requests"));
    std::string out;
    for (const auto& r : req)
      if (auto resp = handle_one(r, ctx, table)) {
        out += out.empty() ? '[' : ',';
        out += *resp;
      }
    if (out.empty()) return std::nullopt;
    out += ']';
    return out;
  }
  return handle_one(req, ctx, table);
}

}  // namespace seedd::rpc
