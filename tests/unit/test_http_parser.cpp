#include <catch2/catch.hpp>

#include <string>

#include "rpc/http_parser.hpp"

namespace http = boost::beast::http;
using seedd::rpc::RequestParser;

namespace {

/// Feeds the whole of `bytes` to a fresh RequestParser as the server would; the error, if any.
boost::beast::error_code parse(const std::string& bytes, RequestParser& p) {
  boost::beast::error_code ec;
  size_t used = 0;
  while (!p.is_done() && used < bytes.size()) {
    const auto n = p.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == http::error::need_more) ec = {};
    if (ec || n == 0) break;
    used += n;
  }
  return ec;
}

std::string chunked(const std::string& extension, const std::string& trailer) {
  return "POST /rpc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
         "2" + extension + "\r\n{}\r\n0\r\n" + trailer + "\r\n";
}

}  // namespace

TEST_CASE("chunk extensions are accepted up to kMaxChunkExtensionBytes", "[http]") {
  const std::string fits = ";" + std::string(seedd::rpc::kMaxChunkExtensionBytes - 1, 'a');
  RequestParser ok;
  CHECK_FALSE(parse(chunked(fits, ""), ok));
  CHECK(ok.is_done());
  CHECK(ok.get().body() == "{}");
  RequestParser over;
  CHECK(parse(chunked(fits + "a", ""), over) == http::error::header_limit);
}

TEST_CASE("trailers are accepted up to kMaxTrailerBytes in all, and never throw", "[http]") {
  const auto field = [](size_t value_bytes) { return "X-T: " + std::string(value_bytes, 'a') + "\r\n"; };
  RequestParser ok;
  CHECK_FALSE(parse(chunked("", field(seedd::rpc::kMaxTrailerBytes - 3)), ok));
  CHECK(ok.is_done());
  RequestParser over;
  CHECK(parse(chunked("", field(seedd::rpc::kMaxTrailerBytes - 2)), over) == http::error::header_limit);
  RequestParser two;
  CHECK(parse(chunked("", field(5000) + field(5000)), two) == http::error::header_limit);
  RequestParser huge;  // Beast's field table throws std::length_error past 65,533 bytes
  CHECK_NOTHROW(parse(chunked("", field(70000)), huge));
  CHECK_FALSE(huge.is_done());
}

TEST_CASE("only a bare chunked Transfer-Encoding passes the framing check", "[http]") {
  const auto framing = [](const std::string& te_lines) {
    RequestParser p;
    parse("POST /rpc HTTP/1.1\r\nHost: x\r\n" + te_lines + "\r\n", p);
    REQUIRE(p.is_header_done());
    const auto refused = seedd::rpc::check_framing(p.get());
    return refused ? refused->status : 0;
  };
  CHECK(framing("") == 0);
  CHECK(framing("Content-Length: 2\r\n") == 0);
  CHECK(framing("Transfer-Encoding: chunked\r\n") == 0);
  CHECK(framing("Transfer-Encoding:  Chunked \r\n") == 0);
  CHECK(framing("Transfer-Encoding: gzip, chunked\r\n") == 501);
  CHECK(framing("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n") == 501);
  CHECK(framing("Transfer-Encoding: chunked, chunked\r\n") == 501);
}

TEST_CASE("parse errors are answered 413, 431 or 400, and a client that left is not", "[http]") {
  using seedd::rpc::answer_to_parse_error;
  CHECK(answer_to_parse_error(http::error::body_limit)->first == 413);
  CHECK(answer_to_parse_error(http::error::header_limit)->first == 431);
  CHECK(answer_to_parse_error(http::error::buffer_overflow)->first == 431);
  CHECK(answer_to_parse_error(http::error::bad_chunk)->first == 400);
  CHECK_FALSE(answer_to_parse_error(http::error::end_of_stream));
  CHECK_FALSE(answer_to_parse_error(http::error::partial_message));
  CHECK_FALSE(answer_to_parse_error(boost::asio::error::connection_reset));
}
