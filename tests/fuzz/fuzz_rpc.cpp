// libFuzzer target: the RPC request path as bytes arrive from the network. Beast's HTTP parser
// with seedd's limits, the guards (Host, Origin), authentication, and JSON-RPC 2.0 dispatch
// with every real method's params schema (handlers echo their params: the engine is not here).
// Invariants beyond "no crash, no sanitizer report": every JSON-RPC answer is valid JSON and
// an object or an array of objects.
//
//   tests/fuzz/run.sh BUILD_DIR SECONDS   (builds with clang and runs over tests/fuzz/corpus/rpc)
#include <cstdint>
#include <cstdlib>
#include <string>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "daemon/events/event_bus.hpp"
#include "rpc/auth.hpp"
#include "rpc/events.hpp"
#include "rpc/guards.hpp"
#include "rpc/http_server.hpp"
#include "daemon/util/json_input.hpp"
#include "rpc/jsonrpc.hpp"
#include "rpc/method_table.hpp"

namespace {
namespace http = boost::beast::http;
using namespace seedd;

struct Setup {
  rpc::MethodTable table;
  rpc::Authenticator auth{"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", {}};
  rpc::RequestGuard guard{rpc::GuardOptions{}};
  events::EventBus bus;
  Setup() {
    for (auto spec : rpc::method_table().all()) {
      spec.handler = [](const nlohmann::json& params, rpc::Context&) { return params; };
      spec.text_handler = nullptr;
      table.add(std::move(spec));
    }
    bus.publish("torrent.added", {{"info_hash", std::string(40, 'a')}});
  }
};

void check_answer(const std::string& answer) {
  auto j = nlohmann::json::parse(answer, nullptr, false);
  if (j.is_discarded()) std::abort();  // the server must always answer JSON
  if (j.is_array()) {
    for (const auto& item : j)
      if (!item.is_object()) std::abort();
  } else if (!j.is_object()) {
    std::abort();
  }
}

void dispatch(Setup& s, const std::string& body, rpc::Scope scope) {
  rpc::Context ctx;
  ctx.scope = scope;
  ctx.events = &s.bus;
  if (auto answer = rpc::handle_jsonrpc(body, ctx, s.table)) {
    check_answer(*answer);
    (void)rpc::poll_answer_is_empty(*answer);
  }
  if (auto in = util::parse_untrusted_json(body); in.ok()) (void)rpc::long_poll_of(in.value, s.bus);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Setup s;
  const auto scope = size % 2 ? rpc::Scope::read : rpc::Scope::admin;
  http::request_parser<http::string_body> parser;
  parser.body_limit(rpc::kMaxBodyBytes);
  parser.header_limit(rpc::kMaxHeaderBytes);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t used = 0;
  // As the server reads: put() again only with more bytes than the last call had. After
  // need_more every byte has been offered and none will come, so the peer closes (put_eof);
  // calling put() again on the same bytes breaks Beast's precondition (an assertion in
  // parse_chunk_header, found by this target on "0\r\n!" after a chunked header).
  while (!parser.is_done() && used < size) {
    const auto n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    used += n;
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec || n == 0) break;
  }
  if (!ec && parser.is_header_done() && !parser.is_done()) parser.put_eof(ec);  // as when the peer closes
  if (ec || !parser.is_done()) {
    // Not HTTP: the bytes still make a good JSON-RPC body.
    dispatch(s, std::string(reinterpret_cast<const char*>(data), size), scope);
    return 0;
  }
  const auto& msg = parser.get();
  (void)s.guard.host_allowed(std::string(msg[http::field::host]));
  (void)s.guard.origin_allowed(std::string(msg[http::field::origin]), std::string(msg[http::field::host]));
  (void)rpc::Authenticator::user_of(std::string(msg[http::field::authorization]));
  (void)s.auth.check(std::string(msg[http::field::authorization]));
  dispatch(s, msg.body(), scope);
  return 0;
}
