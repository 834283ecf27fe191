#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/util/json_input.hpp"
#include "rpc/jsonrpc.hpp"
#include "rpc/method_table.hpp"

using seedd::util::JsonInput;
using seedd::util::kMaxJsonDepth;
using seedd::util::parse_untrusted_json;
using nlohmann::json;

namespace {
std::string nested(size_t depth, std::string_view inner = "") {
  return std::string(depth, '[') + std::string(inner) + std::string(depth, ']');
}
}  // namespace

TEST_CASE("JSON nested exactly kMaxJsonDepth levels deep parses") {
  const auto in = parse_untrusted_json(nested(kMaxJsonDepth, "1"));
  REQUIRE(in.ok());
  CHECK(in.value == json::parse(nested(kMaxJsonDepth, "1")));
}

TEST_CASE("JSON nested one level past kMaxJsonDepth is refused as too deep") {
  CHECK(parse_untrusted_json(nested(kMaxJsonDepth + 1)).status == JsonInput::Status::too_deep);
  std::string objects;
  for (size_t i = 0; i <= kMaxJsonDepth; ++i) objects += "{\"a\":";
  objects += "1" + std::string(kMaxJsonDepth + 1, '}');
  CHECK(parse_untrusted_json(objects).status == JsonInput::Status::too_deep);
}

TEST_CASE("brackets inside strings do not count as nesting") {
  const auto in = parse_untrusted_json("[\"" + std::string(1000, '[') + "\"]");
  REQUIRE(in.ok());
  CHECK(in.value[0].get<std::string>().size() == 1000);
}

TEST_CASE("invalid JSON is refused as invalid, and trailing bytes make it invalid") {
  CHECK(parse_untrusted_json("{").status == JsonInput::Status::invalid);
  CHECK(parse_untrusted_json("{} x").status == JsonInput::Status::invalid);
  CHECK(parse_untrusted_json("").status == JsonInput::Status::invalid);
  CHECK(parse_untrusted_json(" {\"a\": [1, 2.5, \"x\", null, true]} ").ok());
}

TEST_CASE("16 MiB of opening brackets is refused at once, without building anything") {
  const std::string body(16 << 20, '[');
  const auto start = std::chrono::steady_clock::now();
  CHECK(parse_untrusted_json(body).status == JsonInput::Status::too_deep);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(100));
}

TEST_CASE("a JSON-RPC body 100,000 levels deep in its id is answered -32600, not a crash") {
  seedd::rpc::Context ctx;
  const std::string body = "{\"jsonrpc\":\"2.0\",\"id\":" + nested(100000) + ",\"method\":\"node.info\"}";
  const auto answer = seedd::rpc::handle_jsonrpc(body, ctx, seedd::rpc::method_table());
  REQUIRE(answer);
  const auto j = json::parse(*answer);
  CHECK(j["error"]["code"] == -32600);
  CHECK(j["error"]["message"].get<std::string>().find("deeper than 64 levels") != std::string::npos);
  CHECK(j["id"].is_null());
}

TEST_CASE("kMaxJsonValues values parse and one more is refused, counting arrays and objects too") {
  using seedd::util::kMaxJsonValues;
  // The outer array is one value; then N - 1 more.
  auto body = [](size_t values) {
    std::string s = "[";
    for (size_t i = 1; i < values; ++i) s += i % 2 ? "[]," : "1,";
    if (s.back() == ',') s.pop_back();
    return s + "]";
  };
  CHECK(parse_untrusted_json(body(kMaxJsonValues)).ok());
  const auto in = parse_untrusted_json(body(kMaxJsonValues + 1));
  CHECK(in.status == JsonInput::Status::too_many_values);
  CHECK(seedd::util::json_input_problem(in) == "holds more than 1000000 values");
}

TEST_CASE("a 16 MiB body of empty arrays is refused before it costs hundreds of MB") {
  std::string body = "[";
  while (body.size() < (16u << 20) - 3) body += "[],";
  body += "[]]";
  const auto start = std::chrono::steady_clock::now();
  CHECK(parse_untrusted_json(body).status == JsonInput::Status::too_many_values);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}
