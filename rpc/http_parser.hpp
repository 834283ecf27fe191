#pragma once
// How the HTTP layer reads one request from bytes: Beast's parser with seedd's limits, and the
// checks made on a header before its body is read. Pulls in Beast: include it only from the
// HTTP layer (http_server.cpp) and the fuzz target, never from a header other parts include.
#include <cstddef>
#include <optional>
#include <string>

#include <boost/beast/http.hpp>

#include "rpc/http_server.hpp"

namespace seedd::rpc {

/// The most bytes of a request held unparsed for one connection. A header (kMaxHeaderBytes),
/// one chunk header with its extensions, or a trailer must fit; a request that needs more is
/// refused with 431 (Beast's parser otherwise buffers a chunk's extensions without end).
constexpr std::size_t kMaxReadBufferBytes = 32 * 1024;
/// The extensions of one chunk (";name=value..."): seedd reads none of them.
constexpr std::size_t kMaxChunkExtensionBytes = 1024;
/// The names and values of all trailer fields of a chunked body together. Beast throws
/// std::length_error on a field value over 65,533 bytes, out of the I/O thread: this keeps every
/// trailer far below that.
constexpr std::size_t kMaxTrailerBytes = 8 * 1024;

/// Beast's request parser with seedd's limits: body (kMaxBodyBytes), header
/// (kMaxHeaderBytes), chunk extensions and trailers (http::error::header_limit when passed).
class RequestParser : public boost::beast::http::request_parser<boost::beast::http::string_body> {
 public:
  RequestParser();

 private:
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                            boost::beast::error_code& ec) override;
  std::size_t m_trailer_bytes = 0;
};

/// A header-only view of a parsed request (body empty), for the checks made before the body.
HttpRequest request_of(const boost::beast::http::request_header<>& header, std::string remote_address);

/// The answer that refuses a header whatever the route (framing seedd does not speak), or
/// nothing: a Transfer-Encoding other than exactly "chunked" is 501 (Beast would hand the
/// still-compressed bytes of "gzip, chunked" to JSON-RPC as the body).
std::optional<HttpResponse> check_framing(const boost::beast::http::request_header<>& header);

/// What a parse error is answered with (status and text), or nothing to just close.
std::optional<std::pair<int, const char*>> answer_to_parse_error(const boost::beast::error_code& ec);

}  // namespace seedd::rpc
