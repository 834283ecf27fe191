// validate_params: every param type accepts what its schema says and refuses the rest, a
// missing param and null mean the same, and the error names the param and what was wrong.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "rpc/method_table.hpp"
#include "rpc/rpc_error.hpp"

using namespace seedd::rpc;
using nlohmann::json;

namespace {

MethodSpec spec_with(ParamType type, bool required) {
  MethodSpec m;
  m.name = "test.method";
  m.params = {{"p", type, required, ""}, {"other", ParamType::string, false, ""}};
  m.changes_state = false;
  return m;
}

/// The message of the RpcError that validate_params throws, or "" when it accepts.
std::string refusal(ParamType type, const json& params, bool required = false) {
  try {
    validate_params(spec_with(type, required), params);
    return "";
  } catch (const RpcError& e) {
    CHECK(e.code == code::invalid_params);
    return e.what();
  }
}

bool accepts(ParamType type, const json& value) { return refusal(type, {{"p", value}}).empty(); }

}  // namespace

TEST_CASE("string params take strings only", "[params]") {
  CHECK(accepts(ParamType::string, "x"));
  CHECK(accepts(ParamType::string, ""));
  CHECK_FALSE(accepts(ParamType::string, 1));
  CHECK_FALSE(accepts(ParamType::string, json::array()));
  CHECK(refusal(ParamType::string, {{"p", 5}}) == "param 'p' must be a string, got 5");
}

TEST_CASE("boolean params take true and false, not 0/1 or strings", "[params]") {
  CHECK(accepts(ParamType::boolean, true));
  CHECK(accepts(ParamType::boolean, false));
  CHECK_FALSE(accepts(ParamType::boolean, 1));
  CHECK_FALSE(accepts(ParamType::boolean, "true"));
}

TEST_CASE("integer params take JSON integers, negative too, not floats or strings", "[params]") {
  CHECK(accepts(ParamType::integer, 0));
  CHECK(accepts(ParamType::integer, -5));
  CHECK_FALSE(accepts(ParamType::integer, 1.5));
  CHECK_FALSE(accepts(ParamType::integer, "1"));
}

TEST_CASE("uint64 params take non-negative integers and decimal strings up to 2^64-1", "[params]") {
  CHECK(accepts(ParamType::uint64, 0));
  CHECK(accepts(ParamType::uint64, json(UINT64_MAX)));
  CHECK(accepts(ParamType::uint64, "18446744073709551615"));
  CHECK_FALSE(accepts(ParamType::uint64, -1));
  CHECK_FALSE(accepts(ParamType::uint64, "-1"));
  CHECK_FALSE(accepts(ParamType::uint64, "1e3"));
  CHECK_FALSE(accepts(ParamType::uint64, " 1"));
  CHECK_FALSE(accepts(ParamType::uint64, ""));
  CHECK_FALSE(accepts(ParamType::uint64, 2.0));
}

TEST_CASE("info_hash params take exactly 40 hex digits, either case", "[params]") {
  CHECK(accepts(ParamType::info_hash, std::string(40, 'a')));
  CHECK(accepts(ParamType::info_hash, std::string(40, 'F')));
  CHECK_FALSE(accepts(ParamType::info_hash, std::string(39, 'a')));
  CHECK_FALSE(accepts(ParamType::info_hash, std::string(41, 'a')));
  CHECK_FALSE(accepts(ParamType::info_hash, std::string(39, 'a') + "g"));
  CHECK_FALSE(accepts(ParamType::info_hash, 12));
}

TEST_CASE("string_array params take arrays of strings, the empty one too", "[params]") {
  CHECK(accepts(ParamType::string_array, json::array()));
  CHECK(accepts(ParamType::string_array, json::array({"a", "b"})));
  CHECK_FALSE(accepts(ParamType::string_array, json::array({"a", 1})));
  CHECK_FALSE(accepts(ParamType::string_array, "a"));
}

TEST_CASE("object params take objects; any takes anything", "[params]") {
  CHECK(accepts(ParamType::object, json::object()));
  CHECK_FALSE(accepts(ParamType::object, json::array()));
  CHECK(accepts(ParamType::any, 1));
  CHECK(accepts(ParamType::any, json::array()));
}

TEST_CASE("a required param that is missing or null is refused by name", "[params]") {
  CHECK(refusal(ParamType::string, json::object(), true) == "missing required param 'p'");
  CHECK(refusal(ParamType::string, {{"p", nullptr}}, true) == "missing required param 'p'");
  CHECK(refusal(ParamType::string, {{"p", "x"}}, true).empty());
}

TEST_CASE("null for an optional param means the same as leaving it out", "[params]") {
  for (auto type : {ParamType::string, ParamType::boolean, ParamType::integer, ParamType::uint64,
                    ParamType::info_hash, ParamType::string_array, ParamType::object})
    CHECK(refusal(type, {{"p", nullptr}}).empty());
}

TEST_CASE("an unknown param is refused with the method's name", "[params]") {
  CHECK(refusal(ParamType::string, {{"q", 1}}) == "unknown param 'q' for test.method");
}

TEST_CASE("a long wrong value is cut in the message", "[params]") {
  const auto message = refusal(ParamType::integer, {{"p", std::string(200, 'x')}});
  CHECK(message.size() < 120);
  CHECK(message.find("...") != std::string::npos);
}

TEST_CASE("every param type, when required, is refused by name when missing or null", "[params]") {
  for (auto type : {ParamType::string, ParamType::boolean, ParamType::integer, ParamType::uint64,
                    ParamType::info_hash, ParamType::string_array, ParamType::object, ParamType::any}) {
    CAPTURE(static_cast<int>(type));
    CHECK(refusal(type, json::object(), true) == "missing required param 'p'");
    CHECK(refusal(type, {{"p", nullptr}}, true) == "missing required param 'p'");
    // Another param given does not stand in for it.
    CHECK(refusal(type, {{"other", "x"}}, true) == "missing required param 'p'");
  }
}

TEST_CASE("a wrong type is refused with the param's name, the type it takes and the value", "[params]") {
  CHECK(refusal(ParamType::boolean, {{"p", 1}}) == "param 'p' must be a boolean, got 1");
  CHECK(refusal(ParamType::integer, {{"p", "1"}}) == "param 'p' must be an integer, got \"1\"");
  CHECK(refusal(ParamType::uint64, {{"p", -1}}) == "param 'p' must be a non-negative integer or decimal string, got -1");
  CHECK(refusal(ParamType::info_hash, {{"p", "abc"}}) == "param 'p' must be a 40-hex info-hash, got \"abc\"");
  CHECK(refusal(ParamType::string_array, {{"p", json::array({1})}}) == "param 'p' must be an array of strings, got [1]");
  CHECK(refusal(ParamType::object, {{"p", "x"}}) == "param 'p' must be an object, got \"x\"");
  // A required param of the wrong type is a wrong type, not a missing one.
  CHECK(refusal(ParamType::integer, {{"p", true}}, true) == "param 'p' must be an integer, got true");
}

TEST_CASE("uint64 params stop at 2^64-1, as an integer or a decimal string of 20 digits at most", "[params]") {
  CHECK(accepts(ParamType::uint64, "18446744073709551615"));
  CHECK_FALSE(accepts(ParamType::uint64, "18446744073709551616"));
  CHECK_FALSE(accepts(ParamType::uint64, "99999999999999999999"));
  CHECK_FALSE(accepts(ParamType::uint64, "000000000000000000001"));  // 21 digits
  CHECK(accepts(ParamType::uint64, "9999999999999999999"));          // 19 digits
  CHECK(accepts(ParamType::uint64, json(INT64_MAX)));
  CHECK(accepts(ParamType::uint64, "0"));
}

TEST_CASE("integer params take the whole int64 range, and nothing that is not a JSON integer", "[params]") {
  CHECK(accepts(ParamType::integer, json(INT64_MIN)));
  CHECK(accepts(ParamType::integer, json(INT64_MAX)));
  CHECK_FALSE(accepts(ParamType::integer, true));
  CHECK_FALSE(accepts(ParamType::integer, json::object()));
  CHECK_FALSE(accepts(ParamType::integer, 2.0));
}

TEST_CASE("info_hash params take mixed case, and refuse non-hex anywhere in the 40", "[params]") {
  CHECK(accepts(ParamType::info_hash, std::string(20, 'a') + std::string(20, 'B')));
  CHECK_FALSE(accepts(ParamType::info_hash, "g" + std::string(39, 'a')));
  CHECK_FALSE(accepts(ParamType::info_hash, std::string(20, 'a') + " " + std::string(19, 'a')));
  CHECK_FALSE(accepts(ParamType::info_hash, json::array()));
}

TEST_CASE("string_array params refuse null, nested arrays and objects among their items", "[params]") {
  CHECK_FALSE(accepts(ParamType::string_array, json::array({"a", nullptr})));
  CHECK_FALSE(accepts(ParamType::string_array, json::array({json::array({"a"})})));
  CHECK_FALSE(accepts(ParamType::string_array, json::array({json::object()})));
  CHECK_FALSE(accepts(ParamType::string_array, json::object()));
  CHECK(accepts(ParamType::string_array, json::array({""})));
}

TEST_CASE("boolean, string and object params refuse every other JSON type", "[params]") {
  const json others[] = {json(1), json(1.5), json("s"), json::array(), json::object(), json(true)};
  for (const auto& v : others) {
    CAPTURE(v.dump());
    CHECK(accepts(ParamType::boolean, v) == v.is_boolean());
    CHECK(accepts(ParamType::string, v) == v.is_string());
    CHECK(accepts(ParamType::object, v) == v.is_object());
    CHECK(accepts(ParamType::any, v));
  }
}
