// seedd: start, signals, stop. Three phases as bitcoind: init (which may fail half-way),
// interrupt (stop taking work: RPC answers 503), shutdown (save, flush, close).
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/node_key.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/logging.hpp"
#include "rpc/auth.hpp"
#include "rpc/http_server.hpp"
#include "rpc/router.hpp"

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

int run(const config::Config& cfg) {
  auto log = spdlog::get("main");
  const fs::path data_dir = cfg.get_string("data_dir");
  util::ensure_directory(data_dir, 0700);

  const auto key = crypto::load_or_create_node_key(data_dir / "node.key");
  rpc::NodeFacts facts;
  facts.address = crypto::to_checksum_address(key.address());
  facts.data_dir = data_dir;
  facts.pool_chain_id = static_cast<uint64_t>(cfg.get_int("pool_chain_id"));
  facts.pool_contract = cfg.get_string("pool_contract");
  log->info("seedd {} starting; node address {}; data in {}", SEEDD_VERSION, facts.address, data_dir.string());

  EngineSettings es;
  es.data_dir = data_dir;
  es.download_dir = cfg.get_string("download_dir");
  for (const auto& r : cfg.get_list("data_roots")) es.data_roots.emplace_back(r);
  es.listen = endpoint_list(cfg.get_endpoints("listen"));
  es.dht = cfg.get_bool("dht");
  es.lsd = cfg.get_bool("lsd");
  es.upnp = cfg.get_bool("upnp");
  es.natpmp = cfg.get_bool("natpmp");
  es.pex = cfg.get_bool("pex");
  es.upload_limit = static_cast<int64_t>(cfg.get_bytes("upload_limit"));
  es.download_limit = static_cast<int64_t>(cfg.get_bytes("download_limit"));
  es.max_connections = static_cast<int>(cfg.get_int("max_connections"));
  Engine engine(es);

  std::vector<rpc::RpcAuthEntry> users;
  for (const auto& entry : cfg.get_list("rpc_auth")) {
    auto e = rpc::RpcAuthEntry::parse(entry);
    if (!e) throw config::ConfigError("option 'rpc_auth': an entry is not valid: expected user:salt$hmac[:read|:admin]");
    users.push_back(*e);
  }
  const fs::path cookie_file = data_dir / ".cookie";
  const auto cookie_password = rpc::random_hex(32);

  // Init. A failure here unwinds through the destructors, which cope with a half-done start.
  engine.start();
  rpc::Context base;
  base.engine = &engine;
  base.node = &facts;
  rpc::Router router(base, rpc::Authenticator(cookie_password, users), [&engine] { return engine.healthy(); });
  rpc::HttpServerOptions ho;
  ho.bind = endpoint_vector(cfg.get_endpoints("rpc_bind"));
  ho.threads = static_cast<int>(cfg.get_int("rpc_threads"));
  rpc::HttpServer server(ho, [&router](const rpc::HttpRequest& r) { return router.handle(r); });
  server.start();
  facts.rpc_endpoint = server.bound_endpoints().front();
  util::write_file_atomic(cookie_file, std::string(rpc::COOKIE_USER) + ":" + cookie_password, 0600);
  log->info("RPC listening on {}", facts.rpc_endpoint);
  log->info("ready");

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  for (;;) {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig == SIGHUP) {
      log->info("SIGHUP: nothing to reload yet");
      continue;
    }
    log->info("{}: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    break;
  }

  // Interrupt, then shutdown.
  server.interrupt();
  std::error_code ec;
  fs::remove(cookie_file, ec);
  engine.stop();
  server.stop();
  log->info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Every thread inherits this mask; the main thread takes the signals with sigwait.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

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
    return run(cfg);
  } catch (const config::ConfigError& e) {
    spdlog::get("main")->critical("{}", e.what());
    return 2;
  } catch (const std::exception& e) {
    spdlog::get("main")->critical("cannot run: {}", e.what());
    return 1;
  }
}
