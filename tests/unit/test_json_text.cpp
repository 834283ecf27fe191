#include <catch2/catch.hpp>

#include <vector>

#include <nlohmann/json.hpp>

#include "rpc/json_text.hpp"

namespace jt = seedd::rpc::json_text;
using nlohmann::json;

namespace {
std::string text_of(std::string_view s) {
  std::string out;
  jt::append_string(out, s);
  return out;
}
// What every other answer is written with (rpc/jsonrpc.cpp).
std::string nlohmann_of(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }
}  // namespace

TEST_CASE("strings are escaped as nlohmann escapes them") {
  for (const auto& s : {std::string("plain"), std::string("quote \" and backslash \\"),
                              std::string("tab\tnewline\nreturn\rbell\x07 nul") + std::string(1, '\0'),
                              std::string("\x1f\x7f"), std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8c\xb1"),
                              std::string()}) {
    INFO(s);
    CHECK(text_of(s) == nlohmann_of(s));
    CHECK(json::parse(text_of(s)).get<std::string>() == s);
  }
}

TEST_CASE("invalid UTF-8 turns into U+FFFD and the text stays valid JSON") {
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(text_of("a\xff") == "\"a" + fffd + "\"");
  CHECK(text_of("\xc3") == "\"" + fffd + "\"");                    // cut short
  CHECK(text_of("\xc0\xaf") == "\"" + fffd + fffd + "\"");         // overlong
  CHECK(text_of("\xed\xa0\x80") == "\"" + fffd + fffd + fffd + "\"");  // a surrogate
  CHECK(text_of("\xf4\x90\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");  // past U+10FFFF
  CHECK(text_of("ok\xe2\x82z") == "\"ok" + fffd + fffd + "z\"");
  for (const auto& bad : std::vector<std::string>{"\xff\xfe", "x\xc3(", "\xe2\x28\xa1", "\xf0\x28\x8c\x28"})
    CHECK_NOTHROW(json::parse(text_of(bad)));
}

TEST_CASE("numbers print as nlohmann prints them") {
  for (const int64_t v : {int64_t{0}, int64_t{-1}, int64_t{42}, INT64_MAX, INT64_MIN}) {
    std::string out;
    jt::append_int(out, v);
    CHECK(out == nlohmann_of(v));
  }
  for (const double v : {0.0, 1.0, 0.5, 0.123456, 2.5, 1e-7, 1234567.0}) {
    std::string out;
    jt::append_double(out, v);
    CHECK(out == nlohmann_of(v));
  }
  std::string out;
  jt::append_decimal_string(out, uint64_t{18446744073709551615ULL});
  CHECK(out == "\"18446744073709551615\"");
}
