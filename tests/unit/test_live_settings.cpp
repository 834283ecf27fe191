// LiveSettings on a real engine (a libtorrent session on 127.0.0.1, DHT/LSD/UPnP/NAT-PMP off)
// and a real accountant: every runtime option that can be switched here reaches the part that
// acts on it, read back from that part; a bad or unknown option changes nothing.
//
// dht, lsd, upnp and natpmp are not switched on here: each would send traffic off the machine
// (bootstrap nodes, multicast, the gateway). They go the same way as the other engine options
// (apply_network), which the cases below cover.
#include <catch2/catch.hpp>
#include <algorithm>
#include <fstream>
#include <memory>

#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "daemon/accountant/accountant.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/settings/live_settings.hpp"
#include "daemon/util/logging.hpp"
#include "scratch_dir.hpp"

using namespace seedd;

namespace {

struct World {
  test::ScratchDir dir{"live_settings"};
  config::Config cfg;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Accountant> accountant;
  std::unique_ptr<LiveSettings> live;

  World() {
    util::setup_logging("info", "text");
    for (const char* off : {"dht", "lsd", "upnp", "natpmp"}) cfg.set(off, "false", config::Source::file);
    EngineSettings s;
    s.data_dir = dir.path() / "data";
    s.download_dir = dir.path() / "downloads";
    s.listen = "127.0.0.1:0";
    s.network.dht = s.network.lsd = s.network.upnp = s.network.natpmp = false;
    engine = std::make_unique<Engine>(s);
    engine->start();
    accountant = std::make_unique<Accountant>(accountant::AccountingPolicy{}, crypto::PrivateKey::generate(),
                                              dir.path() / "data");
    live = std::make_unique<LiveSettings>(cfg, *engine, accountant.get());
  }
  ~World() { engine->stop(); }

  void set(const std::string& name, const std::string& value) {
    live->set({{name, value}}, config::Source::rpc);
  }
};

}  // namespace

TEST_CASE("rate limits, connection limit and upload slots reach the session", "[live_settings]") {
  World w;
  w.set("upload_limit", "1048576");
  w.set("download_limit", "2097152");
  w.set("max_connections", "77");
  w.set("upload_slots", "3");
  const auto n = w.engine->network();
  CHECK(n.upload_limit == 1048576);
  CHECK(n.download_limit == 2097152);
  CHECK(n.max_connections == 77);
  CHECK(n.upload_slots == 3);
  CHECK(w.engine->rate_limits().upload == 1048576);
}

TEST_CASE("encryption, rate_limit_lan and the proxy reach the session", "[live_settings]") {
  World w;
  w.set("encryption", "forced");
  w.set("rate_limit_lan", "true");
  w.set("proxy", "socks5://127.0.0.1:1080");
  const auto n = w.engine->network();
  CHECK(n.encryption == "forced");
  CHECK(n.rate_limit_lan);
  CHECK(n.proxy == "socks5://127.0.0.1:1080");
}

TEST_CASE("credit_window and the vanilla policy reach the accountant", "[live_settings]") {
  World w;
  w.set("credit_window", "1048576");
  w.set("vanilla_peers", "throttle");
  w.set("vanilla_upload_limit", "65536");
  const auto p = w.accountant->runtime_policy();
  CHECK(p.credit_window == 1048576);
  CHECK(p.vanilla == accountant::VanillaPolicy::throttle);
  CHECK(p.vanilla_upload_limit == 65536);
}

TEST_CASE("log_level changes the loggers' level", "[live_settings]") {
  World w;
  w.set("log_level", "debug");
  CHECK(spdlog::get("engine")->level() == spdlog::level::debug);
  w.set("log_level", "info");
  CHECK(spdlog::get("engine")->level() == spdlog::level::info);
}

TEST_CASE("ip_filter is read when set, and read again when set to the same path", "[live_settings]") {
  World w;
  const auto path = w.dir.path() / "block.p2p";
  { std::ofstream(path) << "test:10.0.0.1-10.0.0.9\n"; }
  w.set("ip_filter", path.string());
  CHECK(w.engine->ip_filter_stats().rules == 1);
  { std::ofstream(path) << "test:10.0.0.1-10.0.0.9\ntest:10.1.0.1-10.1.0.9\n"; }
  w.set("ip_filter", path.string());
  CHECK(w.engine->ip_filter_stats().rules == 2);
}

TEST_CASE("every runtime option is one of the sixteen this file knows", "[live_settings]") {
  // A new runtime option needs a case above (or the note at the top): this fails until then.
  const std::vector<std::string> known = {"upload_limit", "download_limit", "max_connections", "dht", "lsd",
                                          "upnp", "natpmp", "rate_limit_lan", "upload_slots", "encryption",
                                          "proxy", "ip_filter", "vanilla_peers", "vanilla_upload_limit",
                                          "credit_window", "log_level"};
  auto runtime = LiveSettings::runtime_options();
  std::sort(runtime.begin(), runtime.end());
  auto expected = known;
  std::sort(expected.begin(), expected.end());
  CHECK(runtime == expected);
}

TEST_CASE("an unknown, a restart-only or a bad option is refused and changes nothing", "[live_settings]") {
  World w;
  CHECK_THROWS_WITH(w.set("no_such_option", "1"), Catch::Contains("no such option"));
  CHECK_THROWS_WITH(w.set("listen", "127.0.0.1:1"), Catch::Contains("cannot change while seedd runs"));
  // Checked all before any applies: a good change beside a bad one is not made either.
  CHECK_THROWS_AS(w.live->set({{"upload_limit", "4096"}, {"max_connections", "many"}}, config::Source::rpc),
                  config::ConfigError);
  CHECK(w.engine->network().upload_limit == 0);
  CHECK(w.live->current().get_bytes("upload_limit") == 0);
}
