#include "rpc/http_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <spdlog/spdlog.h>

#include "rpc/guards.hpp"
#include "rpc/http_parser.hpp"

namespace seedd::rpc {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

constexpr int kNetworkThreads = 1;
constexpr size_t kFirstReadBytes = 4096;  // the first read of a request, into an empty buffer
constexpr std::chrono::seconds kTimerFloorPeriod{5};  // see Impl::timer_floor
static_assert(kTimerFloorPeriod < kRequestTimeout && kTimerFloorPeriod < kIdleTimeout);

/// The address to listen on for a bind endpoint (parsed and checked by util::Endpoint).
tcp::endpoint listen_endpoint(const util::Endpoint& e) {
  boost::system::error_code ec;
  auto addr = net::ip::make_address(e.host == "localhost" ? "127.0.0.1" : e.host, ec);
  if (ec) throw std::runtime_error("rpc_bind: '" + e.host + "' is not an IP address");
  return {addr, e.port};
}

}  // namespace

/// Runs handlers off the network threads; a full queue is refused rather than grown.
class WorkerPool {
 public:
  void start(int n) {
    for (int i = 0; i < n; ++i)
      m_threads.emplace_back([this, i] {
        const std::string name = "seedd-rpcw-" + std::to_string(i);
        ::pthread_setname_np(::pthread_self(), name.c_str());
        work();
      });
  }
  bool submit(std::function<void()> job) {
    {
      std::lock_guard lock(m_mutex);
      if (m_stopping || m_jobs.size() >= kMaxQueuedRequests) return false;
      m_jobs.push_back(std::move(job));
    }
    m_cv.notify_one();
    return true;
  }
  /// Waits until no job is queued or running, at most `limit`; false if it timed out.
  bool wait_idle(std::chrono::milliseconds limit) {
    std::unique_lock lock(m_mutex);
    return m_idle.wait_for(lock, limit, [this] { return m_jobs.empty() && m_running == 0; });
  }
  int running() {
    std::lock_guard lock(m_mutex);
    return m_running;
  }
  void stop() {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
      m_jobs.clear();
    }
    m_cv.notify_all();
    for (auto& t : m_threads) t.join();
    m_threads.clear();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
        if (m_stopping) return;
        job = std::move(m_jobs.front());
        m_jobs.pop_front();
        ++m_running;
      }
      job();
      job = nullptr;
      std::lock_guard lock(m_mutex);
      if (--m_running == 0 && m_jobs.empty()) m_idle.notify_all();
    }
  }
  std::mutex m_mutex;
  std::condition_variable m_cv, m_idle;
  int m_running = 0;
  std::deque<std::function<void()>> m_jobs;
  std::vector<std::thread> m_threads;
  bool m_stopping = false;
};

/// One of the server's connection slots, held by a connection's session and passed on to its
/// WebSocket; given back when the last of them ends.
struct Slot {
  Slot(ConnectionLimiter& limiter, std::string address) : limiter(limiter), address(std::move(address)) {}
  ~Slot() { limiter.release(address); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  ConnectionLimiter& limiter;
  const std::string address;
};

struct HttpServer::Impl {
  // Declared before the io_context: sessions still queued in it when it is destroyed use them.
  HttpServerOptions options;
  RequestHandler handler;
  HeaderCheck header_check;
  std::shared_ptr<spdlog::logger> log = spdlog::get("rpc");
  std::atomic<bool> interrupted{false};
  std::optional<ConnectionLimiter> limiter;  // made by start()
  std::mutex spare_mutex;
  int spare_fd = -1;  // kept open to be given up when descriptors run out (out_of_descriptors)
  std::atomic<bool> out_of_fds{false};
  std::atomic<uint64_t> refused_for_fds{0};
  std::vector<std::string> bound;
  WorkerPool workers;
  std::optional<net::ssl::context> tls;  // set when rpc_tls_cert and rpc_tls_key are
  // One network thread (kNetworkThreads): reads, writes, header checks and the inline methods
  // cost microseconds, and a second thread on the same io_context woke the first for nearly
  // every completion (issue 18: a third of the CPU went to context switches).
  net::io_context ioc{kNetworkThreads};
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::thread> threads;
  // Always pending, and always due before any connection's deadline (kRequestTimeout and
  // kIdleTimeout are longer than kTimerFloorPeriod): a connection's timer, re-armed for every
  // request, is then never the earliest, and Asio does not reprogram its timerfd for it. Without
  // it, a lone keep-alive connection cost a timerfd_settime syscall per request (issue 18).
  std::optional<net::steady_timer> timer_floor;

  void keep_timer_floor() {
    timer_floor->expires_after(kTimerFloorPeriod);
    timer_floor->async_wait([this](beast::error_code ec) {
      if (!ec) keep_timer_floor();
    });
  }

  // A handler that throws gets its request a 500, and the server goes on.
  template <class Result, class Call>
  Result guarded(Call&& call) {
    try {
      return call();
    } catch (const std::exception& e) {
      log->error("request handler failed: {}", e.what());
      HttpResponse res;
      res.status = 500;
      res.body = R"({"error":"internal error"})";
      return res;
    }
  }
  HttpResponse run_handler(const HttpRequest& req) {
    return guarded<HttpResponse>([&] { return handler(req); });
  }
  std::optional<HttpResponse> run_inline(const HttpRequest& req) {
    return guarded<std::optional<HttpResponse>>([&] { return options.answer_inline(req); });
  }

  // Stream: beast::tcp_stream, or beast::ssl_stream<beast::tcp_stream> when RPC is served over TLS.
  template <class Stream>
  class WsSession : public std::enable_shared_from_this<WsSession<Stream>>, public WebSocketChannel {
   public:
    using std::enable_shared_from_this<WsSession<Stream>>::shared_from_this;
    WsSession(Stream&& stream, Impl& server, std::shared_ptr<Slot> slot, std::shared_ptr<WebSocketAccept> accept)
        : m_ws(std::move(stream)), m_server(server), m_slot(std::move(slot)), m_accept(std::move(accept)) {}
    ~WsSession() override {
      if (m_on_close) m_on_close();
    }

    void run(http::request<http::string_body> req) {
      beast::get_lowest_layer(m_ws).expires_never();  // the WebSocket's own timeouts and pings
      m_ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      m_ws.set_option(websocket::stream_base::decorator(
          [](websocket::response_type& res) { res.set(http::field::server, "seedd/" SEEDD_VERSION); }));
      m_ws.read_message_max(kMaxWebsocketMessage);
      auto r = std::make_shared<http::request<http::string_body>>(std::move(req));
      m_ws.async_accept(*r, [self = shared_from_this(), r](beast::error_code ec) {
        if (ec) return;
        self->m_on_close = self->m_accept->open(self);
        self->read();
      });
    }

    void send(std::string text) override {
      net::post(m_ws.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
        if (self->m_closed) return;
        if (self->m_queue.size() >= kMaxWebsocketBacklog) return self->close_now("fell behind: reconnect with since");
        self->m_queue.push_back(std::move(text));
        self->flush();
      });
    }

    void close(std::string reason) override {
      net::post(m_ws.get_executor(), [self = shared_from_this(), reason = std::move(reason)] { self->close_now(reason); });
    }

   private:
    void read() {
      m_ws.async_read(m_buffer, [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec) return self->closed();
        self->m_buffer.consume(self->m_buffer.size());  // clients have nothing to say yet
        self->read();
      });
    }
    void flush() {
      if (m_writing || m_queue.empty() || m_closed) return;
      m_writing = true;
      m_ws.text(true);
      m_ws.async_write(net::buffer(m_queue.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
        self->m_writing = false;
        if (ec) return self->closed();
        self->m_queue.pop_front();
        self->flush();
      });
    }
    void close_now(const std::string& reason) {
      if (m_closed) return;
      m_closed = true;
      m_queue.clear();
      if (m_writing) {  // a write is in flight: cut the connection instead of a close frame
        beast::error_code ec;
        beast::get_lowest_layer(m_ws).socket().close(ec);
      } else {
        websocket::close_reason cr(websocket::close_code::policy_error, reason);
        m_ws.async_close(cr, [self = shared_from_this()](beast::error_code) {});
      }
      closed();
    }
    void closed() {
      m_closed = true;
      if (m_on_close) std::exchange(m_on_close, nullptr)();
    }

    websocket::stream<Stream> m_ws;
    beast::flat_buffer m_buffer;
    Impl& m_server;
    std::shared_ptr<Slot> m_slot;
    std::shared_ptr<WebSocketAccept> m_accept;
    std::function<void()> m_on_close;
    std::deque<std::string> m_queue;
    bool m_writing = false;
    bool m_closed = false;
  };

  template <class Stream>
  class Session : public std::enable_shared_from_this<Session<Stream>> {
    static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

   public:
    using std::enable_shared_from_this<Session<Stream>>::shared_from_this;
    using std::enable_shared_from_this<Session<Stream>>::weak_from_this;
    /// `args`: the accepted socket, and for TLS the server's ssl::context.
    template <class... Args>
    Session(Impl& server, std::shared_ptr<Slot> slot, Args&&... args)
        : m_stream(std::forward<Args>(args)...), m_server(server), m_slot(std::move(slot)) {}
    ~Session() {
      if (m_unwatch) m_unwatch();
    }

    void run() {
      if constexpr (kTls) {
        lowest().expires_after(kRequestTimeout);  // a client that never finishes the handshake is cut
        m_stream.async_handshake(net::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
          if (ec) return self->close();
          self->read();
        });
      } else {
        net::dispatch(m_stream.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
      }
    }

   private:
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(m_stream); }

    // An idle connection waits up to kIdleTimeout for a request's first byte; from there the
    // whole request, header and body, must arrive within kRequestTimeout.
    void read() {
      m_parser.emplace();
      m_request.reset();
      if (m_buffer.size() > 0) return parse_buffered();  // pipelined: its first bytes are here
      lowest().expires_after(kIdleTimeout);
      m_stream.async_read_some(m_buffer.prepare(kFirstReadBytes),
                               [self = shared_from_this()](beast::error_code ec, size_t n) {
                                 if (ec) return self->on_error(ec);
                                 self->m_buffer.commit(n);
                                 self->parse_buffered();
                               });
    }

    // Parses what is buffered at once, without a trip through the reactor for the header and
    // another for the body: a small request arrives whole in its first read and is answered
    // from here (issue 18, the RPC fast path). What is not all here yet is left to Beast's
    // asynchronous reads, which go on with the same parser and the same limits.
    void parse_buffered() {
      beast::error_code ec;
      m_buffer.consume(m_parser->put(m_buffer.data(), ec));
      if (ec == http::error::need_more || (!ec && !m_parser->is_header_done())) return read_header();
      if (ec) return on_error(ec);
      if (!header_allowed()) return;
      if (!m_parser->is_done()) {
        m_buffer.consume(m_parser->put(m_buffer.data(), ec));
        if (ec && ec != http::error::need_more) return on_error(ec);
      }
      if (m_parser->is_done()) return on_read({}, 0);
      read_body();
    }

    void read_header() {
      lowest().expires_after(kRequestTimeout);
      http::async_read_header(m_stream, m_buffer, *m_parser,
                              beast::bind_front_handler(&Session::on_header, shared_from_this()));
    }

    void read_body() {
      lowest().expires_after(kRequestTimeout);
      http::async_read(m_stream, m_buffer, *m_parser, beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_header(beast::error_code ec, size_t) {
      if (ec) return on_error(ec);
      if (header_allowed()) read_body();
    }

    // The header is in and the body is not: refuse here what must not get as far as its body.
    // The request (without its body) is made here once, for the check and for the handler.
    bool header_allowed() {
      const auto& header = m_parser->get();
      m_version = header.version();
      m_keep_alive = header.keep_alive();
      if (auto refused = check_framing(header)) {
        refuse(std::move(*refused));
        return false;
      }
      m_request = std::make_shared<HttpRequest>(request_of(header, m_slot->address));
      if (m_server.header_check) {
        std::optional<HttpResponse> refused;
        try {
          refused = m_server.header_check(*m_request);
        } catch (const std::exception& e) {
          m_server.log->error("request header check failed: {}", e.what());
          refused = json_error(500, "internal error", true);
        }
        if (refused) {
          refuse(std::move(*refused));
          return false;
        }
      }
      return true;
    }

    // A request that cannot be read is answered in JSON like every other refusal, so that a
    // client (the web page's upload) can show why.
    void on_error(beast::error_code ec) {
      if (auto answer = answer_to_parse_error(ec)) {
        m_version = 11;
        return refuse(json_error(answer->first, answer->second, true));
      }
      close();
    }

    // Answers and closes without reading the rest of the request.
    void refuse(HttpResponse r) {
      r.close = true;
      m_keep_alive = false;
      m_linger = true;
      write(std::move(r));
    }

    void on_read(beast::error_code ec, size_t) {
      if (ec) return on_error(ec);
      lowest().expires_never();  // while the handler works; the write sets its own deadline
      auto msg = m_parser->release();
      auto req = m_request ? std::move(m_request) : std::make_shared<HttpRequest>(request_of(msg, m_slot->address));
      if (req->websocket_upgrade) m_upgrade_request = msg;  // the handshake needs it whole
      req->body = std::move(msg.body());
      if (m_server.interrupted) return write(json_error(503, "seedd is shutting down", true));
      if (m_server.options.answer_inline)
        if (auto res = m_server.run_inline(*req)) return respond(std::move(*res));
      const bool queued = m_server.workers.submit([self = shared_from_this(), req] {
        // Queued before the interrupt, run after it: the daemon is stopping what handlers use.
        auto res = std::make_shared<HttpResponse>(self->m_server.interrupted
                                                      ? json_error(503, "seedd is shutting down", true)
                                                      : self->m_server.run_handler(*req));
        net::post(self->m_stream.get_executor(), [self, res]() mutable { self->respond(std::move(*res)); });
      });
      if (!queued) write(json_error(503, "seedd is busy: too many requests waiting; retry shortly", false));
    }

    static HttpResponse json_error(int status, const char* text, bool close) {
      HttpResponse r;
      r.status = status;
      r.body = std::string(R"({"error":")") + text + "\"}";
      r.close = close;
      if (status == 503) r.headers.emplace_back("Retry-After", "1");
      return r;
    }

    void respond(HttpResponse res) {
      if (res.websocket && m_upgrade_request) {
        auto ws = std::make_shared<WsSession<Stream>>(std::move(m_stream), m_server, m_slot, std::move(res.websocket));
        ws->run(std::move(*m_upgrade_request));
        return;  // this session ends here; the WebSocket lives on
      }
      m_upgrade_request.reset();
      if (res.deferred) return start_deferred(std::move(res.deferred));
      write(std::move(res));
    }

    // A long poll: wait for a wake-up or the timeout, on this connection's executor.
    void start_deferred(std::shared_ptr<DeferredResponse> deferred) {
      m_deferred = std::move(deferred);
      m_wait.emplace(m_stream.get_executor(), m_deferred->timeout);
      m_wait->async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec) self->poll_deferred(true);
      });
      m_unwatch = m_deferred->watch([weak = weak_from_this()] {
        if (auto self = weak.lock()) net::post(self->m_stream.get_executor(), [self] { self->poll_deferred(false); });
      });
      watch_client();
      poll_deferred(false);  // something may have happened between the handler and the watch
    }

    // A client that goes away during its long poll gives its slot back at once, not at the
    // poll's timeout: wait for the socket to become readable without reading from it.
    void watch_client() {
      lowest().socket().async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
        if (ec || !self->m_deferred) return;
        // The reactor may report readiness left over from the request's own bytes, which a
        // speculative read took before this wait began: ask the socket itself.
        char byte;
        const auto n = ::recv(self->lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n > 0) return;  // a pipelined request: later
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return self->watch_client();
        self->end_deferred();  // closed by the client (or failed)
        self->close();
      });
    }

    void end_deferred() {
      m_deferred.reset();
      if (m_unwatch) std::exchange(m_unwatch, nullptr)();
      if (m_wait) m_wait->cancel();
      beast::error_code ec;
      lowest().socket().cancel(ec);  // the client watch: nothing else is pending during a poll
    }

    void poll_deferred(bool final) {
      if (!m_deferred) return;
      std::optional<HttpResponse> res;
      try {
        res = m_deferred->poll(final);
      } catch (const std::exception& e) {
        m_server.log->error("long poll failed: {}", e.what());
        res = json_error(500, "internal error", false);
      }
      if (!res && !final) return;
      if (!res) res = json_error(500, "internal error", false);
      end_deferred();
      write(std::move(*res));
    }

    // The answer's bytes: status line, seedd's headers and the handler's, Content-Length, body.
    std::shared_ptr<std::string> serialize(const HttpResponse& r, bool keep_alive) const {
      auto out = std::make_shared<std::string>();
      out->reserve(160 + r.body.size());
      const auto reason = http::obsolete_reason(static_cast<http::status>(r.status));
      out->append(m_version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(r.status)).append(" ");
      out->append(reason.data(), reason.size()).append("\r\nServer: seedd/" SEEDD_VERSION "\r\n");
      if (!r.body.empty() || r.status != 204) out->append("Content-Type: ").append(r.content_type).append("\r\n");
      for (const auto& [k, v] : r.headers) out->append(k).append(": ").append(v).append("\r\n");
      if (m_version == 10 && keep_alive) out->append("Connection: keep-alive\r\n");
      if (m_version != 10 && !keep_alive) out->append("Connection: close\r\n");
      out->append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n\r\n").append(r.body);
      return out;
    }

    // Over plain TCP an answer is sent at once with a non-blocking send(), and only what the
    // socket does not take goes through an asynchronous write; over TLS, and for an answer
    // held back (r.delay: failed logins), all of it does.
    void write(HttpResponse r) {
      const bool keep_alive = m_keep_alive && !r.close;
      auto out = serialize(r, keep_alive);
      if (r.delay.count() > 0) {
        auto timer = std::make_shared<net::steady_timer>(m_stream.get_executor(), r.delay);
        timer->async_wait([self = shared_from_this(), out, keep_alive, timer](beast::error_code) {
          self->send(out, 0, keep_alive);
        });
        return;
      }
      size_t done = 0;
      if constexpr (!kTls) {
        const auto sent = ::send(lowest().socket().native_handle(), out->data(), out->size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return close();
        done = sent < 0 ? 0 : static_cast<size_t>(sent);
        if (done == out->size()) return after_write(keep_alive);
      }
      send(out, done, keep_alive);
    }

    void send(std::shared_ptr<std::string> out, size_t from, bool keep_alive) {
      lowest().expires_after(kRequestTimeout);
      net::async_write(m_stream, net::buffer(out->data() + from, out->size() - from),
                       [self = shared_from_this(), out, keep_alive](beast::error_code ec, size_t) {
                         if (ec) return self->close();
                         self->after_write(keep_alive);
                       });
    }

    void after_write(bool keep_alive) {
      if (m_linger) return linger();
      if (!keep_alive) return close();
      // A pipelined request is parsed on a later turn of the loop, not inside this call.
      if (m_buffer.size() > 0)
        return net::post(m_stream.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
      read();
    }

    // After a refusal the rest of the request is unread: take (and drop) what the client still
    // sends for a moment, so that the close does not reset the connection under its answer.
    void linger() {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      lowest().expires_after(kLingerTimeout);
      m_drain = std::make_unique<std::array<char, 4096>>();
      drain();
    }

    void drain() {
      lowest().async_read_some(net::buffer(*m_drain), [self = shared_from_this()](beast::error_code ec, size_t n) {
        self->m_drained += n;
        if (ec || self->m_drained >= kMaxLingerBytes) return self->close();
        self->drain();
      });
    }

    void close() {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      lowest().socket().close(ec);
    }

    Stream m_stream;
    beast::flat_buffer m_buffer{kMaxReadBufferBytes};  // bounded: see kMaxReadBufferBytes
    std::optional<RequestParser> m_parser;
    std::shared_ptr<HttpRequest> m_request;  // the request being read, from its header on
    std::optional<http::request<http::string_body>> m_upgrade_request;
    unsigned m_version = 11;
    bool m_keep_alive = true;
    bool m_linger = false;
    std::unique_ptr<std::array<char, 4096>> m_drain;
    size_t m_drained = 0;
    std::shared_ptr<DeferredResponse> m_deferred;
    std::optional<net::steady_timer> m_wait;
    std::function<void()> m_unwatch;
    Impl& m_server;
    std::shared_ptr<Slot> m_slot;
  };

  // What a connection's handlers run on. With one network thread nothing runs beside them, and
  // a strand would only add a queue to every completion (issue 18); with more, each
  // connection needs its strand.
  net::any_io_executor connection_executor() {
    if constexpr (kNetworkThreads == 1) return ioc.get_executor();
    else return net::make_strand(ioc);
  }

  void accept(tcp::acceptor& acceptor) {
    acceptor.async_accept(connection_executor(), [this, &acceptor](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space || ec == net::error::no_memory ||
          ec == boost::system::errc::too_many_files_open_in_system)
        return out_of_descriptors(acceptor, ec);
      if (!ec) take(std::move(socket));
      accept(acceptor);
    });
  }

  void take(tcp::socket socket) {
    if (out_of_fds.exchange(false))
      log->info("accepting RPC connections again; {} were closed unanswered meanwhile", refused_for_fds.exchange(0));
    beast::error_code ec;
    const auto address = socket.remote_endpoint(ec).address().to_string();
    // Refused: the socket closes as it goes out of scope, before it takes any slot.
    if (ec || limiter->admit(address) != ConnectionLimiter::Verdict::admitted) return;
    auto slot = std::make_shared<Slot>(*limiter, address);
    socket.set_option(tcp::no_delay(true), ec);
    if (tls)
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(slot), std::move(socket), *tls)->run();
    else
      std::make_shared<Session<beast::tcp_stream>>(*this, std::move(slot), std::move(socket))->run();
  }

  // accept() fails at once for as long as descriptors are short: a retry without a pause is a
  // busy loop. Log once, and use the spare descriptor to take the waiting connection and close
  // it, so that its client hears a close rather than waiting on the backlog.
  void out_of_descriptors(tcp::acceptor& acceptor, const beast::error_code& ec) {
    if (!out_of_fds.exchange(true))
      log->error("cannot accept RPC connections: {} ({} open); closing new ones until descriptors are free: "
                 "raise the open files limit (LimitNOFILE=, ulimit -n)",
                 ec.message(), limiter->open());
    {
      std::lock_guard lock(spare_mutex);
      if (spare_fd >= 0) {
        ::close(spare_fd);
        const int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
          ::close(fd);
          ++refused_for_fds;
        }
        spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      }
    }
    auto timer = std::make_shared<net::steady_timer>(acceptor.get_executor(), kAcceptBackoff);
    timer->async_wait([this, &acceptor, timer](beast::error_code wec) {
      if (!wec) accept(acceptor);
    });
  }
};

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler, HeaderCheck header_check)
    : m_impl(std::make_unique<Impl>()) {
  m_impl->options = std::move(options);
  m_impl->handler = std::move(handler);
  m_impl->header_check = std::move(header_check);
  m_impl->limiter.emplace(kMaxConnections, m_impl->options.address_allowed);
}

HttpServer::~HttpServer() {
  stop();
  if (m_impl->spare_fd >= 0) ::close(m_impl->spare_fd);
}

void HttpServer::start() {
  auto& d = *m_impl;
  if (!d.options.tls_cert.empty() || !d.options.tls_key.empty()) {
    if (d.options.tls_cert.empty() || d.options.tls_key.empty())
      throw std::runtime_error("TLS needs both rpc_tls_cert and rpc_tls_key");
    d.tls.emplace(net::ssl::context::tls_server);
    d.tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                       net::ssl::context::single_dh_use);
    beast::error_code ec;
    d.tls->use_certificate_chain_file(d.options.tls_cert, ec);
    if (ec) throw std::runtime_error("rpc_tls_cert: cannot load '" + d.options.tls_cert + "': " + ec.message());
    d.tls->use_private_key_file(d.options.tls_key, net::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("rpc_tls_key: cannot load '" + d.options.tls_key + "': " + ec.message());
    if (SSL_CTX_check_private_key(d.tls->native_handle()) != 1)
      throw std::runtime_error("rpc_tls_key: '" + d.options.tls_key + "' is not the key of '" + d.options.tls_cert + "'");
  }
  for (const auto& b : d.options.bind) {
    const auto ep = listen_endpoint(b);
    auto acc = std::make_unique<tcp::acceptor>(d.connection_executor());
    beast::error_code ec;
    acc->open(ep.protocol(), ec);
    if (!ec) acc->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec && ep.address().is_v6()) acc->set_option(net::ip::v6_only(true), ec);
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(net::socket_base::max_listen_connections, ec);
    if (!ec) acc->native_non_blocking(true, ec);  // out_of_descriptors() accepts on it directly
    if (ec) throw std::runtime_error("cannot listen for RPC on " + b.to_string() + ": " + ec.message());
    const auto local = acc->local_endpoint();
    d.bound.push_back(util::Endpoint{local.address().to_string(), local.port()}.to_string());
    d.acceptors.push_back(std::move(acc));
  }
  d.spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  for (auto& acc : d.acceptors) d.accept(*acc);
  d.timer_floor.emplace(d.ioc);
  d.keep_timer_floor();
  d.workers.start(std::max(1, d.options.threads));
  for (int i = 0; i < kNetworkThreads; ++i)
    d.threads.emplace_back([&d, i] {
      const std::string name = "seedd-rpc-" + std::to_string(i);
      ::pthread_setname_np(::pthread_self(), name.c_str());
      // A handler that throws ends its connection (its session goes with the handler), not the
      // daemon: run() may simply be called again.
      for (;;) {
        try {
          d.ioc.run();
          return;
        } catch (const std::exception& e) {
          d.log->error("RPC network thread: {}; the connection it served is closed", e.what());
        }
      }
    });
}

void HttpServer::interrupt() {
  auto& d = *m_impl;
  d.interrupted = true;
  // Handlers call the engine and the ledger, which main stops next: let the running ones end.
  if (const int running = d.workers.running(); running > 0)
    d.log->info("waiting for {} RPC calls in progress", running);
  if (!d.workers.wait_idle(std::chrono::seconds(30)))
    d.log->warn("{} RPC calls still running after 30 s; stopping anyway", d.workers.running());
}

void HttpServer::stop() {
  auto& d = *m_impl;
  if (d.threads.empty()) return d.workers.stop();
  net::post(d.ioc, [&d] {
    for (auto& acc : d.acceptors) {
      beast::error_code ec;
      acc->close(ec);
    }
  });
  d.ioc.stop();
  for (auto& t : d.threads) t.join();
  d.threads.clear();
  d.workers.stop();
}

std::vector<std::string> HttpServer::bound_endpoints() const { return m_impl->bound; }

}  // namespace seedd::rpc
