// libFuzzer target: the JSON depth and value bounds (issue 16, item 6). Every byte string goes through
// parse_untrusted_json, which every JSON text from outside passes (/rpc, /transmission/rpc,
// claim files), and then through JSON-RPC dispatch and the Transmission parser's twin.
// Invariants beyond "no crash, no sanitizer report":
// - a text nlohmann accepts is `ok` exactly when it nests at most kMaxJsonDepth levels, and
//   then parses to the same value as nlohmann's unbounded parser;
// - a text nlohmann refuses is never `ok`;
// - a value that is `ok` never nests deeper than kMaxJsonDepth;
// - the same for the bound on values, checked with a small bound (50) that inputs of a few KiB
//   can cross (kMaxJsonValues itself needs megabytes);
// - every JSON-RPC answer is an object, or an array of objects, that itself parses.
//
//   SEEDD_FUZZ_TARGET=json_depth tests/fuzz/run.sh BUILD_DIR SECONDS
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/util/json_input.hpp"
#include "rpc/jsonrpc.hpp"
#include "rpc/method_table.hpp"

namespace {
using json = nlohmann::json;
using namespace seedd;

/// The deepest nesting of a valid JSON text, by scanning it (strings skipped). nlohmann's lexer
/// takes a NUL byte for the end of the input, so the scan stops there too.
size_t text_depth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (c == '\0') break;
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

/// How many values (every scalar, array and object) a valid text holds, duplicate keys' values
/// included (the DOM keeps one of them): what the parser counts against its bound.
struct ValueCounter {
  size_t n = 0;
  bool null() { return ++n; }
  bool boolean(bool) { return ++n; }
  bool number_integer(json::number_integer_t) { return ++n; }
  bool number_unsigned(json::number_unsigned_t) { return ++n; }
  bool number_float(json::number_float_t, const json::string_t&) { return ++n; }
  bool string(json::string_t&) { return ++n; }
  bool binary(json::binary_t&) { return ++n; }
  bool key(json::string_t&) { return true; }
  bool start_object(size_t) { return ++n; }
  bool end_object() { return true; }
  bool start_array(size_t) { return ++n; }
  bool end_array() { return true; }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception&) { return false; }
};

size_t text_value_count(std::string_view text) {
  ValueCounter counter;
  json::sax_parse(text, &counter);
  return counter.n;
}

/// How many values (every scalar, array and object) a parsed value holds, without recursion.
size_t value_count(const json& root) {
  size_t n = 0;
  std::vector<const json*> stack{&root};
  while (!stack.empty()) {
    const json* v = stack.back();
    stack.pop_back();
    ++n;
    if (v->is_structured())
      for (const auto& child : *v) stack.push_back(&child);
  }
  return n;
}

/// The deepest nesting of a parsed value, without recursion.
size_t value_depth(const json& root) {
  size_t deepest = 0;
  std::vector<std::pair<const json*, size_t>> stack{{&root, 0}};
  while (!stack.empty()) {
    auto [v, d] = stack.back();
    stack.pop_back();
    if (!v->is_structured()) continue;
    deepest = std::max(deepest, d + 1);
    for (const auto& child : *v) stack.emplace_back(&child, d + 1);
  }
  return deepest;
}

struct Setup {
  rpc::MethodTable table;
  Setup() {
    for (auto spec : rpc::method_table().all()) {
      spec.handler = [](const json& params, rpc::Context&) { return params; };
      spec.text_handler = nullptr;
      table.add(std::move(spec));
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Setup s;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto in = util::parse_untrusted_json(text);
  const bool valid = json::accept(text);
  if (!valid && in.ok()) std::abort();
  if (valid) {
    const bool shallow = text_depth(text) <= util::kMaxJsonDepth;
    if (shallow != in.ok()) std::abort();
    if (!shallow && in.status != util::JsonInput::Status::too_deep) std::abort();
    if (in.ok() && in.value != json::parse(text)) std::abort();
  }
  if (in.ok() && value_depth(in.value) > util::kMaxJsonDepth) std::abort();

  // The bound on values, with a limit small enough for inputs of a few KiB to cross it.
  constexpr size_t kSmallMaxValues = 50;
  const auto small = util::parse_untrusted_json(text, util::kMaxJsonDepth, kSmallMaxValues);
  if (!valid && small.ok()) std::abort();
  if (valid && text_depth(text) <= util::kMaxJsonDepth) {
    const bool few = text_value_count(text) <= kSmallMaxValues;
    if (few != small.ok()) std::abort();
    if (!few && small.status != util::JsonInput::Status::too_many_values) std::abort();
  }
  if (small.ok() && value_count(small.value) > kSmallMaxValues) std::abort();

  rpc::Context ctx;
  ctx.scope = size % 2 ? rpc::Scope::read : rpc::Scope::admin;
  if (auto answer = rpc::handle_jsonrpc(text, ctx, s.table)) {
    const auto j = util::parse_untrusted_json(*answer);
    if (!j.ok()) std::abort();  // an answer is JSON, and no deeper than what was let in
    if (j.value.is_array()) {
      for (const auto& item : j.value)
        if (!item.is_object()) std::abort();
    } else if (!j.value.is_object()) {
      std::abort();
    }
  }
  return 0;
}
