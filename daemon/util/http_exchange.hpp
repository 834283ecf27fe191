#pragma once
// One HTTP request and its answer as one asynchronous chain (resolve, connect, TLS handshake
// for an ssl stream, write, read) on the caller's io_context, under one deadline. Beast's
// synchronous calls ignore the stream's expiry, so a server that accepts and then says nothing
// would block them for ever; run_for bounds name resolution too, which the stream's timer does
// not cover. Shared by seedd's two HTTP clients (util::http_post/http_get and chain's
// HttpTransport), which word their errors each for their own callers. Pulls in Beast: include it
// only from those .cpp files.
#include <chrono>
#include <string>
#include <type_traits>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace seedd::util {

/// A timeout for an error message: "30 s", "1.5 s" (tenths, cut, not rounded).
inline std::string timeout_text(int ms) {
  return std::to_string(ms / 1000) + (ms % 1000 ? "." + std::to_string(ms % 1000 / 100) : "") + " s";
}

struct HttpExchangeResult {
  bool done = false;                   // the whole answer is in the parser
  boost::beast::error_code failure;    // what stopped it, when not done
  const char* step = "resolving";      // what was under way when it stopped
  /// The deadline passed (nothing failed first, or the stream's own timer fired).
  bool timed_out() const { return !done && (!failure || failure == boost::beast::error::timeout); }
};

/// Sends `req` over `stream` and reads the answer into `parser`. A `reused` stream is already
/// connected (a kept-alive connection): the chain starts at the write.
template <class Stream, class Request, class Parser>
HttpExchangeResult http_exchange(boost::asio::io_context& ioc, Stream& stream, bool reused, const std::string& host,
                                 const std::string& port, Request& req, Parser& parser,
                                 std::chrono::milliseconds timeout) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  ioc.restart();
  tcp::resolver resolver(ioc);
  beast::flat_buffer buffer;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  HttpExchangeResult r;
  r.step = reused ? "sending to" : "resolving";

  auto on_read = [&](beast::error_code ec, size_t) {
    if (ec) r.failure = ec;
    else r.done = true;
  };
  auto on_write = [&](beast::error_code ec, size_t) {
    if (ec) {
      r.failure = ec;
      return;
    }
    r.step = "waiting for the answer from";
    http::async_read(stream, buffer, parser, on_read);
  };
  auto send = [&] {
    r.step = "sending to";
    http::async_write(stream, req, on_write);
  };
  auto on_connect = [&](beast::error_code ec, const tcp::endpoint&) {
    if (ec) {
      r.failure = ec;
      return;
    }
    if constexpr (kTls) {
      r.step = "in the TLS handshake with";
      stream.async_handshake(boost::asio::ssl::stream_base::client, [&](beast::error_code hec) {
        if (hec) r.failure = hec;
        else send();
      });
    } else {
      send();
    }
  };
  if (reused) {
    beast::get_lowest_layer(stream).expires_at(deadline);
    send();
  } else {
    resolver.async_resolve(host, port, [&](beast::error_code ec, tcp::resolver::results_type results) {
      if (ec) {
        r.failure = ec;
        return;
      }
      r.step = "connecting to";
      beast::get_lowest_layer(stream).expires_at(deadline);
      beast::get_lowest_layer(stream).async_connect(results, on_connect);
    });
  }
  ioc.run_for(timeout);
  return r;
}

}  // namespace seedd::util
