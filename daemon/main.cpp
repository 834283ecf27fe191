// seedd: start, signals, stop. Three phases as bitcoind: init (which may fail half-way),
// interrupt (stop taking work: RPC answers 503), shutdown (save, flush, close).
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
#include "daemon/settings/settings_of.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/logging.hpp"
#include "daemon/util/sd_notify.hpp"
#include "daemon/watch/watcher.hpp"
#include <boost/asio/ip/address.hpp>

#include "rpc/auth.hpp"
#include "rpc/guards.hpp"
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

std::string endpoint_list(const std::vector<config::Endpoint>& eps) {
  std::string out;
  for (const auto& ep : eps) {
    if (!out.empty()) out += ',';
    const bool v6 = ep.host.find(':') != std::string::npos;
    out += (v6 ? "[" + ep.host + "]" : ep.host) + ":" + std::to_string(ep.port);
  }
  return out;
}

std::vector<std::string> endpoint_vector(const std::vector<config::Endpoint>& eps) {
  std::vector<std::string> out;
  for (const auto& ep : eps) {
    const bool v6 = ep.host.find(':') != std::string::npos;
    out.push_back((v6 ? "[" + ep.host + "]" : ep.host) + ":" + std::to_string(ep.port));
  }
  return out;
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
    if (t.state == "seeding") ++seeding;
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

int run(const config::Config& cfg, const std::vector<std::string>& args) {
  auto log = spdlog::get("main");
  // Half a TLS setup would mean plain HTTP where the user asked for HTTPS: refuse it.
  if (cfg.get_string("rpc_tls_cert").empty() != cfg.get_string("rpc_tls_key").empty())
    throw config::ConfigError(std::string("option '") +
                              (cfg.get_string("rpc_tls_cert").empty() ? "rpc_tls_cert" : "rpc_tls_key") +
                              "': not set, but its pair is: HTTPS needs both rpc_tls_cert and rpc_tls_key");
  const fs::path data_dir = cfg.get_string("data_dir");
  util::ensure_directory(data_dir, 0700);

  const auto key = crypto::load_or_create_node_key(data_dir / "node.key");
  rpc::NodeFacts facts;
  facts.address = crypto::to_checksum_address(key.address());
  facts.data_dir = data_dir;
  facts.pool_chain_id = static_cast<uint64_t>(cfg.get_int("pool_chain_id"));
  facts.pool_contract = crypto::to_checksum_address(crypto::parse_address(cfg.get_string("pool_contract")).value());
  log->info("seedd {} starting; node address {}; data in {}", SEEDD_VERSION, facts.address, data_dir.string());

  EngineSettings es;
  es.data_dir = data_dir;
  es.download_dir = cfg.get_string("download_dir");
  for (const auto& r : cfg.get_list("data_roots")) es.data_roots.emplace_back(r);
  es.listen = endpoint_list(cfg.get_endpoints("listen"));
  es.pex = cfg.get_bool("pex");
  es.utp = cfg.get_bool("utp");
  es.network = network_settings_of(cfg, alt_limits_on(cfg, std::chrono::system_clock::now()));
  es.ip_filter = cfg.get_string("ip_filter");
  es.missing_data_retry = std::chrono::seconds(cfg.get_int("missing_data_retry"));
  es.active_seeds = static_cast<int>(cfg.get_int("active_seeds"));
  es.active_downloads = static_cast<int>(cfg.get_int("active_downloads"));
  es.disk_threads = static_cast<int>(cfg.get_int("disk_threads"));
  Engine engine(es);

  accountant::AccountingPolicy policy;
  policy.credit_window = cfg.get_bytes("credit_window");
  policy.receipt_interval = cfg.get_bytes("receipt_interval");
  policy.vanilla = vanilla_policy_of(cfg.get_string("vanilla_peers"));
  policy.vanilla_upload_limit = cfg.get_bytes("vanilla_upload_limit");
  policy.lane_weights = accountant::parse_lane_weights(cfg.get_string("lane_weights")).value();  // checked at load
  policy.sign_receipts = cfg.get_bool("sign_receipts");
  policy.domain.chain_id = facts.pool_chain_id;
  policy.domain.verifying_contract = crypto::parse_address(facts.pool_contract).value();
  policy.default_rate = crypto::parse_decimal_u256(cfg.get_string("reward_rate")).value();
  for (const auto& signer : cfg.get_list("trusted_pass_signers"))
    policy.trusted_pass_signers.push_back(crypto::parse_address(signer).value());
  facts.payout_address = cfg.get_string("payout_address").empty()
                             ? facts.address
                             : crypto::to_checksum_address(crypto::parse_address(cfg.get_string("payout_address")).value());
  Accountant accountant(policy, key, data_dir);
  engine.add_plugin(accountant.plugin());

  // Settlement (issue 13): off unless chain_rpc is set. The start check needs the endpoint: a
  // wrong chain or a pool without code stops the start (exit 2); an endpoint that does not
  // answer does not (seeding goes on; settlement says "unreachable" until it answers, and the
  // check runs then).
  std::unique_ptr<chain::Settler> settler;
  if (!cfg.get_string("chain_rpc").empty()) {
    chain::SettlerOptions so;
    so.rpc_url = cfg.get_string("chain_rpc");
    so.chain_id = facts.pool_chain_id;
    so.pool = policy.domain.verifying_contract;
    so.deploy_block = static_cast<uint64_t>(cfg.get_int("pool_deploy_block"));
    so.max_fee_per_gas = crypto::parse_decimal_u256(cfg.get_string("max_fee_per_gas")).value();
    so.auto_settle = cfg.get_bool("auto_settle");
    so.settle_min_amount = crypto::parse_decimal_u256(cfg.get_string("settle_min_amount")).value();
    so.payout = crypto::parse_address(facts.payout_address).value();
    if (std::all_of(so.pool.begin(), so.pool.end(), [](uint8_t b) { return b == 0; }))
      throw config::ConfigError("option 'chain_rpc': set, but pool_contract is the zero address: settlement needs the pool");
    try {
      settler = std::make_unique<chain::Settler>(so, accountant, key, data_dir / "ledger.sqlite");
    } catch (const std::invalid_argument& e) {
      throw config::ConfigError(std::string("option 'chain_rpc': ") + e.what());
    }
    try {
      if (auto problem = settler->check_at_start()) throw config::ConfigError("option 'chain_rpc': " + *problem);
      log->info("settlement on chain {} through {}; node account {}", so.chain_id, settler->endpoint(), facts.address);
    } catch (const chain::TransportError& e) {
      log->warn("chain endpoint {} does not answer ({}): seeding goes on, settlement waits for it", settler->endpoint(), e.what());
    } catch (const chain::RpcError& e) {
      log->warn("chain endpoint {} answered the start check with an error ({}): settlement waits", settler->endpoint(), e.what());
    }
  }

  // A pass counts when its signer is the passSigner of a live bounty of the torrent (docs/protocol.md 9),
  // as the bounty cache last read them.
  if (settler) {
    accountant.set_pass_signer_check([s = settler.get()](const crypto::InfoHash20& infohash, const crypto::Address& signer,
                                                         int64_t now) {
      for (const auto& b : s->bounties())
        if (b.state.infohash == infohash && b.state.pass_signer == signer && b.state.balance > 0 &&
            b.state.expires_at >= static_cast<uint64_t>(now))
          return true;
      return false;
    });
  }

  std::vector<rpc::RpcAuthEntry> users;
  for (const auto& entry : cfg.get_list("rpc_auth")) {
    auto e = rpc::RpcAuthEntry::parse(entry);
    if (!e) throw config::ConfigError("option 'rpc_auth': an entry is not valid: expected user:salt$hmac[:read|:admin]");
    users.push_back(*e);
  }
  // An RPC reachable from the network needs both an allow-list and a password of its own:
  // refuse to start rather than expose it (qBittorrent's CVE-2023-30801 was a default password).
  rpc::GuardOptions guard;
  guard.allow_cidrs = cfg.get_list("rpc_allow_ip");
  guard.host_names = cfg.get_list("rpc_host");
  for (const auto& ep : cfg.get_endpoints("rpc_bind")) {
    guard.host_names.push_back(ep.host);
    boost::system::error_code aec;
    const auto addr = boost::asio::ip::make_address(ep.host, aec);
    const bool loopback = ep.host == "localhost" || (!aec && addr.is_loopback());
    if (!loopback && (guard.allow_cidrs.empty() || users.empty()))
      throw config::ConfigError("option 'rpc_bind': value '" + ep.host +
                                "' is not a loopback address: binding RPC to the network needs rpc_allow_ip "
                                "and at least one rpc_auth user (make one with: seedctl rpcauth USER)");
  }
  const fs::path cookie_file = data_dir / ".cookie";
  const auto cookie_password = rpc::random_hex(32);

  // Init. A failure here unwinds through the destructors, which cope with a half-done start.
  events::EventBus bus;
  engine.on_event([&bus](const TorrentEvent& e) { events::publish_torrent_event(bus, e); });
  accountant.start();
  engine.start();
  events::publish_session_started(bus, engine);
  std::vector<WatchFolder> watch_folders;
  for (const auto& item : cfg.get_list("watch_dir")) watch_folders.push_back(WatchFolder::parse(item));
  Watcher watcher(engine, std::move(watch_folders), std::chrono::seconds(cfg.get_int("watch_poll_interval")));
  watcher.start();
  events::ReceiptEvents receipt_events(accountant, bus);
  // The settings in force; SIGHUP and session.set change them through here.
  LiveSettings live(cfg, engine, &accountant);
  rpc::Context base;
  base.settings = &live;
  base.engine = &engine;
  base.accountant = &accountant;
  base.node = &facts;
  base.events = &bus;
  base.settler = settler.get();
  if (settler) settler->start();
  rpc::Router router(base, rpc::Authenticator(cookie_password, users), rpc::RequestGuard(guard),
                     [&base] { return rpc::check_health(base); });
  // Transmission's RPC (issue 8) for the remote GUIs and Sonarr/Radarr: behind the same guards
  // and users as /rpc. Declared before the server, so it outlives every request.
  router.set_metrics_open_on_loopback(cfg.get_string("metrics_auth") == "none");
  rpc::transmission::Server transmission;
  if (cfg.get_bool("transmission_rpc"))
    router.set_transmission_handler(
        [&transmission](const rpc::HttpRequest& r, rpc::Context& c) { return transmission.handle(r, c); },
        rpc::transmission::Server::runs_inline);
  rpc::HttpServerOptions ho;
  ho.bind = endpoint_vector(cfg.get_endpoints("rpc_bind"));
  ho.threads = static_cast<int>(cfg.get_int("rpc_threads"));
  ho.tls_cert = cfg.get_string("rpc_tls_cert");
  ho.tls_key = cfg.get_string("rpc_tls_key");
  // Connections from outside rpc_allow_ip are closed before they take a slot (issue 16).
  ho.address_allowed = [g = rpc::RequestGuard(guard)](const std::string& a) { return g.address_allowed(a); };
  ho.answer_inline = [&router](const rpc::HttpRequest& r) { return router.handle_inline(r); };
  // Basic auth over plain HTTP sends the password as is: say so wherever someone looks.
  const bool tls = !ho.tls_cert.empty() && !ho.tls_key.empty();
  for (const auto& ep : cfg.get_endpoints("rpc_bind")) {
    boost::system::error_code aec;
    const auto addr = boost::asio::ip::make_address(ep.host, aec);
    if (tls || ep.host == "localhost" || (!aec && addr.is_loopback())) continue;
    facts.warnings.push_back("RPC on " + ep.host + " is plain HTTP: passwords cross the network in clear text; "
                             "set rpc_tls_cert and rpc_tls_key");
  }
  for (const auto& w : facts.warnings) log->warn("{}", w);
  router.set_tls(tls);
  rpc::HttpServer server(
      ho, [&router](const rpc::HttpRequest& r) { return router.handle(r); },
      [&router](const rpc::HttpRequest& r) { return router.check_header(r); });
  server.start();
  facts.rpc_endpoint = server.bound_endpoints().front();
  util::write_file_atomic(cookie_file, std::string(rpc::COOKIE_USER) + ":" + cookie_password, 0600);
  log->info("RPC listening on {}{}", facts.rpc_endpoint, ho.tls_cert.empty() ? "" : " (HTTPS)");
  log->info("ready");
  util::sd_notify("READY=1\n" + status_line(engine));

  // The main thread waits for signals with a timeout and does the periodic work in between:
  // systemd's STATUS= line, and watchdog pings, sent only while the engine's alert loop turns,
  // so a hung engine stops the pings and systemd restarts seedd.
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
    live.tick();  // alt_schedule's window
    if (now >= next_receipt_event) {
      receipt_events.tick();
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
      reload(live, args);
      util::sd_notify("READY=1\n" + status_line(engine));
      continue;
    }
    util::sd_notify("STOPPING=1\nSTATUS=stopping");
    log->info("{}: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    break;
  }

  // Interrupt, then shutdown.
  server.interrupt();
  std::error_code ec;
  fs::remove(cookie_file, ec);
  watcher.stop();  // it adds torrents: before the engine
  live.stop();     // a blocklist download ends by loading the filter into the engine
  engine.stop();
  if (settler) settler->stop();  // before the accountant: auto_settle claims through it
  accountant.stop();  // after the engine: receipts that arrived until the end are booked
  server.stop();
  log->info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // One malloc arena for all threads, before any thread starts, unless MALLOC_ARENA_MAX says
  // otherwise. glibc's default (8 per core) made seeding cost twice the CPU per byte (1 GiB to
  // a libtorrent client: 204 MB/s at 241 MB per CPU-second, against 264 MB/s at 488 with one
  // arena) and left more freed memory in the arenas (10,000 torrents after a restart: 7.2 KiB
  // a torrent against 5.4); torrent.list is about as fast. docs/benchmarks.md has the figures.
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
