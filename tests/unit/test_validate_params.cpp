// validate_params: every param type accepts what its schema says and refuses the rest, a
// missing param and null mean the same, and the error names the param and what was wrong.
#include <catch2/catch.hpp>
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
