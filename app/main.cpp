// seedd: start, signals, stop; the composition root, the one place that knows every part.
// Three phases as bitcoind: init() (which may fail half-way), interrupt() (stop taking work:
// RPC answers 503) and shutdown() (save, flush, close).
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <malloc.h>
#include <sys/resource.h>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "daemon/accountant/accountant.hpp"
#include "daemon/chain/http_transport.hpp"
#include "daemon/chain/settler.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/node_key.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/events/event_bus.hpp"
#include "daemon/events/sources.hpp"
#include "daemon/settings/live_settings.hpp"
#include "daemon/settings/start_settings.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/logging.hpp"
#include "daemon/util/sd_notify.hpp"
#include "daemon/watch/watcher.hpp"

#include "app/rpc_settings.hpp"
#include "rpc/auth.hpp"
#include "rpc/http_server.hpp"
#include "rpc/router.hpp"
#include "rpc/transmission/server.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace seedd;

std::map<std::string, std::string> environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

// How often the main loop wakes up for its periodic work, at most.
constexpr auto kMainLoopTick = std::chrono::seconds(1);
// How often systemd's STATUS= line is refreshed.
constexpr auto kStatusInterval = std::chrono::seconds(5);
// receipts.accepted is an aggregate, published at most this often.
constexpr auto kReceiptEventInterval = std::chrono::seconds(1);

std::string rate_text(int64_t bytes_per_second) {
  char buf[32];
  if (bytes_per_second >= 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f MiB/s", static_cast<double>(bytes_per_second) / (1024 * 1024));
  else
    std::snprintf(buf, sizeof buf, "%.1f KiB/s", static_cast<double>(bytes_per_second) / 1024);
  return buf;
}

// systemd's one-line status (`systemctl status seedd`).
std::string status_line(const Engine& engine) {
  size_t seeding = 0, count = 0;
  engine.visit([&](const TorrentStatus& t) {
    ++count;
    if (t.state == TorrentState::seeding) ++seeding;
  });
  const auto stats = engine.stats();
  return "STATUS=seeding " + std::to_string(seeding) + " of " + std::to_string(count) +
         " torrents, upload " + rate_text(stats.upload_rate) + ", " + std::to_string(stats.num_peers) +
         " peers";
}

// SIGHUP: re-reads the configuration with the arguments and environment seedd started with,
// and hands it to LiveSettings, which applies what can change while running and logs every
// changed option it did not apply. A file that no longer loads changes nothing.
void reload(LiveSettings& live, const std::vector<std::string>& args) {
  auto log = spdlog::get("main");
  // load() blanks secrets in the argv it is handed: give it a throw-away copy each time.
  std::vector<std::string> scratch = args;
  std::vector<char*> argv;
  for (auto& a : scratch) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::optional<config::LoadResult> loaded;
  try {
    loaded = config::load(static_cast<int>(scratch.size()), argv.data(), environment());
  } catch (const config::ConfigError& e) {
    log->error("SIGHUP: configuration not reloaded, nothing changed: {}", e.what());
    return;
  }
  log->info("SIGHUP: re-read {}", loaded->config_file.empty() ? std::string("(no config file)")
                                                             : loaded->config_file.string());
  live.reload(loaded->config);
}

/// Everything seedd runs, in the order init() makes it. Members are destroyed in reverse
/// order; shutdown() stops them first, in the order that loses nothing. Main thread only.
struct Node {
  Node(const config::Config& config, std::vector<std::string> arguments) : cfg(config), args(std::move(arguments)) {}

  const config::Config& cfg;
  const std::vector<std::string> args;  // for SIGHUP's re-read
  rpc::HttpServerOptions http_options;
  fs::path cookie_file;
  rpc::NodeFacts facts;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Accountant> accountant;
  std::unique_ptr<chain::Settler> settler;
  events::EventBus bus;
  std::unique_ptr<Watcher> watcher;
  std::unique_ptr<events::ReceiptEvents> receipt_events;
  std::unique_ptr<LiveSettings> live;  // the settings in force; SIGHUP and session.set change them
  rpc::Context base;
  std::unique_ptr<rpc::Router> router;
  // Declared before the server, so it outlives every request.
  rpc::transmission::Server transmission;
  std::unique_ptr<rpc::HttpServer> server;
  bool ready = false;
};

/// Settlement (issue 13): off unless chain_rpc is set. The start check needs the endpoint: a
/// wrong chain or a pool without code stops the start (exit 2); an endpoint that does not
/// answer does not (seeding goes on; settlement says "unreachable" until it answers, and the
/// check runs then).
std::unique_ptr<chain::Settler> make_settler(const Node& n, const crypto::PrivateKey& key) {
  auto log = spdlog::get("main");
  const auto options = settler_options_of(n.cfg, crypto::parse_address(n.facts.payout_address).value());
  if (!options) return nullptr;
  std::unique_ptr<chain::Settler> settler;
  try {
    settler = std::make_unique<chain::Settler>(*options, *n.accountant, key, n.facts.data_dir / "ledger.sqlite");
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError(std::string("option 'chain_rpc': ") + e.what());
  }
  try {
    if (auto problem = settler->check_at_start()) throw config::ConfigError("option 'chain_rpc': " + *problem);
    log->info("settlement on chain {} through {}; node account {}", options->chain_id, settler->endpoint(), n.facts.address);
  } catch (const chain::TransportError& e) {
    log->warn("chain endpoint {} does not answer ({}): seeding goes on, settlement waits for it", settler->endpoint(), e.what());
  } catch (const chain::RpcError& e) {
    log->warn("chain endpoint {} answered the start check with an error ({}): settlement waits", settler->endpoint(), e.what());
  }
  // A pass counts when its signer is the passSigner of a live bounty of the torrent (docs/protocol.md 9),
  // as the bounty cache last read them.
  n.accountant->set_pass_signer_check([s = settler.get()](const crypto::InfoHash20& infohash, const crypto::Address& signer,
                                                          int64_t now) {
    for (const auto& b : s->bounties())
      if (b.state.infohash == infohash && b.state.pass_signer == signer && b.state.balance > 0 &&
          b.state.expires_at >= static_cast<uint64_t>(now))
        return true;
    return false;
  });
  return settler;
}

/// Init: makes and starts every part, then the RPC server, and tells systemd it is ready. A
/// throw leaves the node half made: shutdown() copes with that.
void init(Node& n) {
  auto log = spdlog::get("main");
  const auto& cfg = n.cfg;
  n.http_options = app::http_server_options_of(cfg);
  const fs::path data_dir = cfg.get_string("data_dir");
  util::ensure_directory(data_dir, 0700);

  const auto key = crypto::load_or_create_node_key(data_dir / "node.key");
  auto& facts = n.facts;
  facts.address = crypto::to_checksum_address(key.address());
  facts.data_dir = data_dir;
  facts.pool_chain_id = static_cast<uint64_t>(cfg.get_int("pool_chain_id"));
  facts.pool_contract = crypto::to_checksum_address(crypto::parse_address(cfg.get_string("pool_contract")).value());
  log->info("seedd {} starting; node address {}; data in {}", SEEDD_VERSION, facts.address, data_dir.string());

  n.engine = std::make_unique<Engine>(engine_settings_of(cfg));
  facts.payout_address = payout_address_of(cfg, facts.address);
  n.accountant = std::make_unique<Accountant>(accounting_policy_of(cfg), key, data_dir);
  n.engine->add_plugin(n.accountant->plugin());
  n.settler = make_settler(n, key);

  const auto users = app::rpc_users_of(cfg);
  const auto guard = app::guard_options_of(cfg, users);
  n.cookie_file = data_dir / ".cookie";
  const auto cookie_password = rpc::random_hex(32);

  n.engine->on_event([&bus = n.bus](const TorrentEvent& e) { events::publish_torrent_event(bus, e); });
  n.accountant->start();
  n.engine->start();
  events::publish_session_started(n.bus, *n.engine);
  std::vector<WatchFolder> watch_folders;
  for (const auto& item : cfg.get_list("watch_dir")) watch_folders.push_back(WatchFolder::parse(item));
  n.watcher = std::make_unique<Watcher>(*n.engine, std::move(watch_folders),
                                        std::chrono::seconds(cfg.get_int("watch_poll_interval")));
  n.watcher->start();
  n.receipt_events = std::make_unique<events::ReceiptEvents>(*n.accountant, n.bus);
  n.live = std::make_unique<LiveSettings>(cfg, *n.engine, n.accountant.get());
  n.base.settings = n.live.get();
  n.base.engine = n.engine.get();
  n.base.accountant = n.accountant.get();
  n.base.node = &n.facts;
  n.base.events = &n.bus;
  n.base.settler = n.settler.get();
  if (n.settler) n.settler->start();
  n.router = std::make_unique<rpc::Router>(n.base, rpc::Authenticator(cookie_password, users), rpc::RequestGuard(guard),
                                           [&base = n.base] { return rpc::check_health(base); });
  auto& router = *n.router;
  router.set_metrics_open_on_loopback(cfg.get_string("metrics_auth") == "none");
  // Transmission's RPC (issue 8) for the remote GUIs and Sonarr/Radarr: behind the same guards
  // and users as /rpc.
  if (cfg.get_bool("transmission_rpc"))
    router.set_transmission_handler(
        [&transmission = n.transmission](const rpc::HttpRequest& r, rpc::Context& c) { return transmission.handle(r, c); },
        rpc::transmission::Server::runs_inline);
  auto& ho = n.http_options;
  // Connections from outside rpc_allow_ip are closed before they take a slot (issue 16).
  ho.address_allowed = [g = rpc::RequestGuard(guard)](const std::string& a) { return g.address_allowed(a); };
  ho.answer_inline = [&router](const rpc::HttpRequest& r) { return router.handle_inline(r); };
  facts.warnings = app::plain_http_warnings(cfg);
  for (const auto& w : facts.warnings) log->warn("{}", w);
  router.set_tls(!ho.tls_cert.empty() && !ho.tls_key.empty());
  n.server = std::make_unique<rpc::HttpServer>(
      ho, [&router](const rpc::HttpRequest& r) { return router.handle(r); },
      [&router](const rpc::HttpRequest& r) { return router.check_header(r); });
  n.server->start();
  facts.rpc_endpoint = n.server->bound_endpoints().front();
  util::write_file_atomic(n.cookie_file, std::string(rpc::kCookieUser) + ":" + cookie_password, 0600);
  log->info("RPC listening on {}{}", facts.rpc_endpoint, ho.tls_cert.empty() ? "" : " (HTTPS)");
  log->info("ready");
  n.ready = true;
  util::sd_notify("READY=1\n" + status_line(*n.engine));
}

/// Until SIGTERM or SIGINT: the main thread waits for signals with a timeout and does the
/// periodic work in between: systemd's STATUS= line, and watchdog pings, sent only while the
/// engine's alert loop turns, so a hung engine stops the pings and systemd restarts seedd.
/// SIGHUP re-reads the configuration.
void run_until_stopped(Node& n) {
  auto log = spdlog::get("main");
  auto& engine = *n.engine;
  const auto watchdog = util::watchdog_interval();
  auto tick = std::chrono::duration_cast<std::chrono::nanoseconds>(kMainLoopTick);
  if (watchdog) tick = std::min(tick, std::chrono::duration_cast<std::chrono::nanoseconds>(*watchdog / 4));
  using clock = std::chrono::steady_clock;
  auto next_status = clock::now() + kStatusInterval;
  auto next_receipt_event = clock::now() + kReceiptEventInterval;
  auto next_ping = clock::now();
  bool engine_was_healthy = true;

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  for (;;) {
    const auto now = clock::now();
    if (watchdog && now >= next_ping) {
      const bool healthy = engine.healthy();
      if (healthy) util::sd_notify("WATCHDOG=1");
      else if (engine_was_healthy) log->error("engine loop stalled: watchdog pings stop");
      engine_was_healthy = healthy;
      next_ping = now + *watchdog / 2;
    }
    n.live->tick();  // alt_schedule's window
    if (now >= next_receipt_event) {
      n.receipt_events->tick();
      next_receipt_event = now + kReceiptEventInterval;
    }
    if (now >= next_status) {
      util::sd_notify(status_line(engine));
      next_status = now + kStatusInterval;
    }
    timespec timeout{};
    timeout.tv_sec = static_cast<time_t>(tick.count() / 1000000000);
    timeout.tv_nsec = static_cast<long>(tick.count() % 1000000000);
    const int sig = sigtimedwait(&set, nullptr, &timeout);
    if (sig < 0) continue;  // timeout or EINTR
    if (sig == SIGHUP) {
      util::sd_notify("RELOADING=1");
      reload(*n.live, n.args);
      util::sd_notify("READY=1\n" + status_line(engine));
      continue;
    }
    util::sd_notify("STOPPING=1\nSTATUS=stopping");
    log->info("{}: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    break;
  }
}

/// Interrupt: stop taking work. RPC answers 503 once the calls in progress have ended, and the
/// cookie goes, so no new client finds this daemon.
void interrupt(Node& n) {
  if (n.server) n.server->interrupt();
  std::error_code ec;
  if (!n.cookie_file.empty()) fs::remove(n.cookie_file, ec);
}

/// Shutdown: stop the parts in the order that loses nothing, each only when init() made it.
void shutdown(Node& n) {
  if (n.watcher) n.watcher->stop();  // it adds torrents: before the engine
  if (n.live) n.live->stop();        // a blocklist download ends by loading the filter into the engine
  if (n.engine) n.engine->stop();
  if (n.settler) n.settler->stop();  // before the accountant: auto_settle claims through it
  if (n.accountant) n.accountant->stop();  // after the engine: receipts that arrived until the end are booked
  if (n.server) n.server->stop();
  if (n.ready) spdlog::get("main")->info("stopped");
}

/// init, run until a signal says stop, interrupt, shutdown. A failed init is shut down too,
/// then its error goes on to main().
int run(const config::Config& cfg, const std::vector<std::string>& args) {
  Node node(cfg, args);
  try {
    init(node);
  } catch (...) {
    interrupt(node);
    shutdown(node);
    throw;
  }
  run_until_stopped(node);
  interrupt(node);
  shutdown(node);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // One malloc arena for all threads, before any thread starts, unless MALLOC_ARENA_MAX says
  // otherwise. glibc's default (8 per core) made seeding cost about twice the CPU per byte and
  // left more freed memory in the arenas; torrent.list is about as fast. The figures are in
  // docs/benchmarks.md, "One malloc arena".
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) ::mallopt(M_ARENA_MAX, 1);
  // Every thread inherits this mask; the main thread takes the signals with sigwait.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Peers and RPC clients are file descriptors: take the soft limit up to the hard one.
  struct rlimit nofile {};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &nofile);
  }

  // SIGHUP re-reads the configuration with the same arguments; load() blanks secrets in argv,
  // so keep them as they came first.
  const std::vector<std::string> args(argv, argv + argc);
  std::optional<config::LoadResult> loaded;
  try {
    loaded = config::load(argc, argv, environment());
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "seedd: %s\n", e.what());
    return 2;
  }
  switch (loaded->action) {
    case config::LoadResult::Action::help:
      std::cout << config::help_text();
      return 0;
    case config::LoadResult::Action::version:
      std::cout << "seedd " << SEEDD_VERSION << " (libtorrent " << Engine::libtorrent_version() << ")\n";
      return 0;
    case config::LoadResult::Action::print_config:
      std::cout << loaded->config.print();
      return 0;
    case config::LoadResult::Action::run:
      break;
  }
  const auto& cfg = loaded->config;
  util::setup_logging(cfg.get_string("log_level"), cfg.get_string("log_format"));
  try {
    return run(cfg, args);
  } catch (const config::ConfigError& e) {
    spdlog::get("main")->critical("{}", e.what());
    return 2;
  } catch (const std::exception& e) {
    spdlog::get("main")->critical("cannot run: {}", e.what());
    return 1;
  }
}
