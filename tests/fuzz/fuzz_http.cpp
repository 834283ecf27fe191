// libFuzzer target: the HTTP layer as bytes arrive from the network. Each input goes over a
// real connection to a real HttpServer on 127.0.0.1 (Beast's parser with seedd's limits, the
// bounded read buffer, chunked bodies with extensions and trailers, the framing check, the
// header check before a body is read, refusals and their lingering close, keep-alive and
// pipelining, long polls). The header check is the Router's own (allow-list, Host, Origin,
// authentication, Content-Type) with its answer delays cut to 0 so that inputs run fast; the
// handler echoes the body's size (the engine is not here; fuzz_rpc covers JSON-RPC).
// Invariants beyond "no crash, no sanitizer report": the server answers every connection and
// closes it once the client has stopped sending, and whatever it writes parses back as a
// sequence of HTTP/1.1 responses.
//
//   tests/fuzz/run.sh BUILD_DIR SECONDS http   (builds with clang and runs over tests/fuzz/corpus/http)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "rpc/auth.hpp"
#include "rpc/guards.hpp"
#include "rpc/http_server.hpp"
#include "rpc/router.hpp"

namespace {
namespace http = boost::beast::http;
using namespace seedd;
using namespace std::chrono_literals;

constexpr auto kClientTimeout = 5s;  // after the client stopped sending, the server must close by then

void quiet_logger(const char* name) {
  if (!spdlog::get(name)) spdlog::register_logger(std::make_shared<spdlog::logger>(name, std::make_shared<spdlog::sinks::null_sink_mt>()));
}

rpc::HttpResponse handle(const rpc::HttpRequest& req) {
  rpc::HttpResponse r;
  r.body = "{\"bytes\":" + std::to_string(req.body.size()) + "}";
  if (req.target.rfind("/poll", 0) == 0) {  // a long poll that answers at its (short) timeout
    r.deferred = std::make_shared<rpc::DeferredResponse>();
    r.deferred->timeout = std::chrono::milliseconds(req.body.size() % 8);
    r.deferred->poll = [body = r.body](bool final) -> std::optional<rpc::HttpResponse> {
      if (!final) return std::nullopt;
      rpc::HttpResponse answer;
      answer.body = body;
      return answer;
    };
    r.deferred->watch = [](std::function<void()> wake) -> std::function<void()> {
      wake();
      return [] {};
    };
  }
  if (req.target.find("close") != std::string::npos) r.close = true;
  return r;
}

struct Setup {
  std::unique_ptr<rpc::Router> router;
  std::unique_ptr<rpc::HttpServer> server;
  uint16_t port = 0;
  uint32_t next_source = 0;
  Setup() {
    quiet_logger("rpc");
    quiet_logger("auth");
    router = std::make_unique<rpc::Router>(
        rpc::Context{}, rpc::Authenticator("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", {}),
        rpc::RequestGuard(rpc::GuardOptions{{"10.0.0.0/8"}, {"nas.home"}}), [] { return rpc::Health{}; });
    rpc::HttpServerOptions options;
    options.bind = {*seedd::util::Endpoint::parse("127.0.0.1:0")};
    options.threads = 1;
    server = std::make_unique<rpc::HttpServer>(options, handle, [this](const rpc::HttpRequest& req) {
      auto refused = router->check_header(req);
      if (refused) refused->delay = 0ms;
      return refused;
    });
    server->start();
    const auto ep = server->bound_endpoints().front();
    port = static_cast<uint16_t>(std::stoi(ep.substr(ep.rfind(':') + 1)));
  }
};

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_http: %s\n", what);
  std::abort();
}

/// Every answer the server wrote must be an HTTP/1.1 response; several when pipelined.
void check_responses(const std::string& bytes) {
  size_t used = 0;
  while (used < bytes.size()) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    parser.eager(true);
    boost::beast::error_code ec;
    const auto n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec || !parser.is_done()) fail("the server wrote something that is not a whole HTTP response");
    if (parser.get().version() != 11 && parser.get().version() != 10) fail("bad HTTP version in a response");
    used += n;
  }
}

/// A connection to the server from a new loopback source address: closed connections sit in
/// TIME_WAIT, and one address would run out of ports long before a million inputs. A connect
/// that fails is retried from other addresses (a SYN can meet a TIME_WAIT of the same pair);
/// failing three times, the server is down.
int connect_to_server(Setup& s) {
  int error = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    const uint32_t n = s.next_source++;
    sockaddr_in src{};
    src.sin_family = AF_INET;
    const uint32_t a = 1 + n / (256 * 254) % 254, b = n / 254 % 256, c = 1 + n % 254;  // 16.5 million
    src.sin_addr.s_addr = htonl(127u << 24 | a << 16 | b << 8 | c);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(s.port);
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const timeval tv{std::chrono::duration_cast<std::chrono::seconds>(kClientTimeout).count(), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0 &&
        ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0)
      return fd;
    // libFuzzer's timers interrupt system calls (EINTR): seen 7 times in a million inputs.
    error = errno;
    std::fprintf(stderr, "fuzz_http: connect from 127.%u.%u.%u failed (%s): retrying\n", a, b, c, std::strerror(error));
    ::close(fd);
  }
  std::fprintf(stderr, "fuzz_http: cannot connect to the server: %s\n", std::strerror(error));
  fail("connect: is the server up?");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Setup s;
  const int fd = connect_to_server(s);
  size_t sent = 0;
  while (sent < size) {
    const auto w = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;  // the server may close early (a refusal after its linger)
    sent += static_cast<size_t>(w);
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buf[65536];
  bool reset = false;
  for (;;) {
    const auto r = ::recv(fd, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r > 0) {
      answer.append(buf, static_cast<size_t>(r));
      continue;
    }
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) fail("the server kept the connection open after the client stopped");
    reset = r < 0;  // a close with bytes unread (a parse error): what was on its way may be lost
    break;
  }
  ::close(fd);
  if (!reset) check_responses(answer);
  return 0;
}
