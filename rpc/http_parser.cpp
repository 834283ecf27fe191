#include "rpc/http_parser.hpp"

#include <algorithm>
#include <cctype>

#include <boost/beast/websocket/rfc6455.hpp>

namespace seedd::rpc {
namespace http = boost::beast::http;

RequestParser::RequestParser() {
  body_limit(kMaxBodyBytes);
  header_limit(kMaxHeaderBytes);
}

void RequestParser::on_field_impl(http::field name, boost::beast::string_view name_string,
                                  boost::beast::string_view value, boost::beast::error_code& ec) {
  if (is_header_done()) {  // a trailer field: the header itself is bounded by header_limit
    m_trailer_bytes += name_string.size() + value.size();
    if (m_trailer_bytes > kMaxTrailerBytes) {
      ec = http::error::header_limit;
      return;
    }
  }
  get().insert(name, name_string, value);
}

void RequestParser::on_chunk_header_impl(std::uint64_t, boost::beast::string_view extensions,
                                         boost::beast::error_code& ec) {
  if (extensions.size() > kMaxChunkExtensionBytes) ec = http::error::header_limit;
}

HttpRequest request_of(const http::request_header<>& header, std::string remote_address) {
  HttpRequest req;
  req.method = std::string(header.method_string());
  req.target = std::string(header.target());
  for (const auto& f : header) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers[name] = std::string(f.value());
  }
  req.websocket_upgrade = boost::beast::websocket::is_upgrade(header);
  req.remote_address = std::move(remote_address);
  return req;
}

std::optional<HttpResponse> check_framing(const http::request_header<>& header) {
  // Every Transfer-Encoding line, joined: "gzip" then "chunked" on two lines is "gzip,chunked".
  std::string value;
  const auto [first, last] = header.equal_range(http::field::transfer_encoding);
  if (first == last) return std::nullopt;
  for (auto it = first; it != last; ++it) value += (value.empty() ? "" : ",") + std::string(it->value());
  value.erase(std::remove_if(value.begin(), value.end(), [](unsigned char c) { return c == ' ' || c == '\t'; }),
              value.end());
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
  if (value == "chunked") return std::nullopt;
  HttpResponse r;
  r.status = 501;
  r.content_type = "text/plain";
  r.body = "Transfer-Encoding not supported: send the body as is or chunked\n";
  r.close = true;
  return r;
}

static_assert(kMaxBodyBytes == 16 * 1024 * 1024, "the 413 answer below names the limit");

std::optional<std::pair<int, const char*>> answer_to_parse_error(const boost::beast::error_code& ec) {
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
  if (ec == http::error::body_limit) return std::pair{413, "request body too large: at most 16 MiB"};
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
    return std::pair{431, "request header, chunk extensions or trailer too large"};
  if (ec.category() == boost::beast::error_code(http::error::bad_method).category())
    return std::pair{400, "bad request"};
  return std::nullopt;
}

}  // namespace seedd::rpc
