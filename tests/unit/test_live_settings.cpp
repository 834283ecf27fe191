// LiveSettings on a real engine (a libtorrent session on 127.0.0.1, DHT/LSD/UPnP/NAT-PMP off)
// and a real accountant: every runtime option that can be switched here reaches the part that
// acts on it, read back from that part; a bad or unknown option changes nothing.
//
// dht, lsd, upnp and natpmp are not switched on in the session: each would send traffic off the
// machine (bootstrap nodes, multicast, the gateway). They go the same way as the other engine
// options (apply_network), and a case below follows them into libtorrent's settings pack.
// blocklist_url and blocklist_update_interval are fetched from an HTTP server on 127.0.0.1 here;
// tests/integration/test_transmission_bridge.py covers them end to end.
#include <catch2/catch.hpp>
#include <algorithm>
#include <atomic>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>

#include <libtorrent/settings_pack.hpp>

#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "daemon/accountant/accountant.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/engine/lt_network.hpp"
#include "daemon/settings/live_settings.hpp"
#include "daemon/settings/settings_of.hpp"
#include "daemon/util/logging.hpp"
#include "rpc_stub.hpp"
#include "scratch_dir.hpp"

using namespace seedd;

namespace {

/// A time on Monday 2024-01-01 (local time, whatever the TZ) `minutes` after midnight.
std::chrono::system_clock::time_point monday_at(int minutes) {
  std::tm tm{};
  tm.tm_year = 124;
  tm.tm_mon = 0;
  tm.tm_mday = 1;
  tm.tm_hour = minutes / 60;
  tm.tm_min = minutes % 60;
  tm.tm_isdst = -1;
  return std::chrono::system_clock::from_time_t(std::mktime(&tm));
}

struct World {
  test::ScratchDir dir{"live_settings"};
  config::Config cfg;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Accountant> accountant;
  std::unique_ptr<LiveSettings> live;

  // The time alt_schedule is read against: a Monday at `now_minutes` local time.
  int now_minutes = 12 * 60;

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
    live = std::make_unique<LiveSettings>(cfg, *engine, accountant.get(), [this] { return monday_at(now_minutes); });
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

TEST_CASE("lane_weights reach the accountant, and a bad value is refused with what is allowed", "[live_settings]") {
  World w;
  CHECK(w.accountant->runtime_policy().lane_weights == accountant::LaneWeights{6, 3, 1});
  w.set("lane_weights", " 8 : 2 : 1 ");
  CHECK(w.accountant->runtime_policy().lane_weights == accountant::LaneWeights{8, 2, 1});
  CHECK(w.live->current().get_string("lane_weights") == "8:2:1");
  for (const char* bad : {"6:3", "6:0:1", "a:b:c", "1001:1:1"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH(w.set("lane_weights", bad), Catch::Contains("option 'lane_weights'") &&
                                                      Catch::Contains("pass:receipt:vanilla"));
  }
  CHECK(w.accountant->runtime_policy().lane_weights == accountant::LaneWeights{8, 2, 1});
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

TEST_CASE("a blocklist update reads the ip_filter file again, and without one names ip_filter", "[live_settings]") {
  World w;
  CHECK_THROWS_WITH(w.live->update_blocklist(), Catch::Contains("no ip_filter is set"));
  const auto path = w.dir.path() / "update.p2p";
  { std::ofstream(path) << "test:10.0.0.1-10.0.0.9\n"; }
  w.set("ip_filter", path.string());
  { std::ofstream(path) << "test:10.0.0.1-10.0.0.9\ntest:10.1.0.1-10.1.0.9\ntest:10.2.0.1-10.2.0.9\n"; }
  CHECK(w.live->update_blocklist() == 3);
  CHECK(w.engine->ip_filter_stats().rules == 3);
}

TEST_CASE("alt_speed puts the alternative limits in force and takes them off again", "[live_settings]") {
  World w;
  w.set("upload_limit", "1000000");
  w.set("download_limit", "2000000");
  w.set("alt_upload_limit", "30000");
  w.set("alt_download_limit", "40000");
  CHECK(w.engine->rate_limits().upload == 1000000);
  CHECK_FALSE(w.live->alt_limits_active());
  w.set("alt_speed", "true");
  CHECK(w.live->alt_limits_active());
  CHECK(w.engine->rate_limits().upload == 30000);
  CHECK(w.engine->rate_limits().download == 40000);
  w.set("alt_upload_limit", "35000");  // a new alternative limit acts at once while they are on
  CHECK(w.engine->rate_limits().upload == 35000);
  w.set("alt_speed", "false");
  CHECK(w.engine->rate_limits().upload == 1000000);
  CHECK(w.engine->rate_limits().download == 2000000);
}

TEST_CASE("alt_schedule switches the limits when its window opens and closes", "[live_settings]") {
  World w;
  w.set("upload_limit", "1000000");
  w.set("alt_upload_limit", "30000");
  w.now_minutes = 8 * 60 + 59;
  w.set("alt_schedule", "weekdays 09:00-17:00");
  CHECK(w.live->current().get_string("alt_schedule") == "weekdays 09:00-17:00");
  CHECK(w.engine->rate_limits().upload == 1000000);
  w.now_minutes = 9 * 60;
  w.live->tick();
  CHECK(w.live->alt_limits_active());
  CHECK(w.engine->rate_limits().upload == 30000);
  w.now_minutes = 17 * 60;
  w.live->tick();
  CHECK_FALSE(w.live->alt_limits_active());
  CHECK(w.engine->rate_limits().upload == 1000000);
  // A schedule set while inside its window acts at once, and an empty one ends it.
  w.now_minutes = 10 * 60;
  w.set("alt_schedule", "mon 10:00-10:01");
  CHECK(w.engine->rate_limits().upload == 30000);
  w.set("alt_schedule", "");
  CHECK(w.engine->rate_limits().upload == 1000000);
  CHECK_THROWS_WITH(w.set("alt_schedule", "weekdays 9-17"), Catch::Contains("DAYS HH:MM-HH:MM"));
}

TEST_CASE("every runtime option is one of the twenty-three this file knows", "[live_settings]") {
  // A new runtime option needs a case above (or the note at the top): this fails until then.
  const std::vector<std::string> known = {"upload_limit", "download_limit", "max_connections", "dht", "lsd",
                                          "upnp", "natpmp", "rate_limit_lan", "upload_slots", "encryption",
                                          "proxy", "ip_filter", "vanilla_peers", "vanilla_upload_limit",
                                          "credit_window", "log_level", "alt_upload_limit", "alt_download_limit",
                                          "alt_speed", "alt_schedule", "blocklist_url", "blocklist_update_interval",
                                          "lane_weights"};
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

TEST_CASE("dht, lsd, upnp and natpmp reach the settings pack the engine applies, each its own", "[live_settings]") {
  // Not switched on in a live session (see the top of this file): this follows them along the
  // path every engine option takes, network_settings_of() then Engine::apply_network's
  // lt_network::fill(), in two patterns so that no two are swapped.
  for (const bool first : {true, false}) {
    CAPTURE(first);
    config::Config cfg;
    cfg.set("dht", first ? "true" : "false", config::Source::rpc);
    cfg.set("lsd", first ? "false" : "true", config::Source::rpc);
    cfg.set("upnp", first ? "true" : "false", config::Source::rpc);
    cfg.set("natpmp", first ? "false" : "true", config::Source::rpc);
    lt::settings_pack pack;
    lt_network::fill(pack, network_settings_of(cfg));
    CHECK(pack.get_bool(lt::settings_pack::enable_dht) == first);
    CHECK(pack.get_bool(lt::settings_pack::enable_lsd) == !first);
    CHECK(pack.get_bool(lt::settings_pack::enable_upnp) == first);
    CHECK(pack.get_bool(lt::settings_pack::enable_natpmp) == !first);
    const auto back = lt_network::read(pack, lt::ip_filter{});
    CHECK(back.dht == first);
    CHECK(back.lsd == !first);
    CHECK(back.upnp == first);
    CHECK(back.natpmp == !first);
  }
}

TEST_CASE("blocklist_url: a blocklist update downloads it into the ip_filter file and puts it in force", "[live_settings]") {
  const std::string list = "a:10.0.0.1-10.0.0.9\nb:10.1.0.1-10.1.0.9\n";
  test::RpcStub server([&](const test::StubRequest&) { return test::StubReply::raw(200, list); });
  World w;
  const auto path = w.dir.path() / "download.p2p";
  { std::ofstream(path) << "old:10.9.0.1-10.9.0.9\n"; }
  w.set("ip_filter", path.string());
  REQUIRE(w.engine->ip_filter_stats().rules == 1);
  w.set("blocklist_url", server.url("/list.p2p"));
  CHECK(w.live->update_blocklist() == 2);
  CHECK(w.engine->ip_filter_stats().rules == 2);
  std::ifstream in(path);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == list);
  REQUIRE(server.requests().size() == 1);
  CHECK(server.requests()[0].target == "/list.p2p");
}

TEST_CASE("blocklist_update_interval: tick() downloads the list again once the interval has passed, not before",
          "[live_settings]") {
  std::atomic<int> ranges{1};
  test::RpcStub server([&](const test::StubRequest&) {
    std::string text;
    for (int i = 1; i <= ranges; ++i) text += "r:10." + std::to_string(i) + ".0.1-10." + std::to_string(i) + ".0.9\n";
    return test::StubReply::raw(200, text);
  });
  World w;
  const auto path = w.dir.path() / "interval.p2p";
  { std::ofstream(path) << "old:10.9.0.1-10.9.0.9\n"; }
  auto rules_become = [&](int64_t n) {
    for (int i = 0; i < 200 && w.engine->ip_filter_stats().rules != n; ++i) {
      w.live->tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return w.engine->ip_filter_stats().rules == n;
  };
  w.set("ip_filter", path.string());
  w.set("blocklist_update_interval", "3600");
  ranges = 2;
  w.set("blocklist_url", server.url("/list.p2p"));  // a new URL is fetched at the next tick
  CHECK(rules_become(2));
  ranges = 3;
  w.now_minutes += 59;
  w.live->tick();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(server.connections() == 1);
  CHECK(w.engine->ip_filter_stats().rules == 2);
  w.now_minutes += 1;
  CHECK(rules_become(3));
  CHECK(server.connections() == 2);
  w.live->stop();  // the download thread is done before the server goes
}

TEST_CASE("SIGHUP applies a changed runtime option and leaves a restart-only one for the restart", "[live_settings]") {
  World w;
  config::Config fresh = w.cfg;
  fresh.set("upload_limit", "123456", config::Source::file);
  fresh.set("credit_window", "2097152", config::Source::file);
  fresh.set("listen", "127.0.0.1:1", config::Source::file);
  w.live->reload(fresh);
  CHECK(w.engine->network().upload_limit == 123456);
  CHECK(w.accountant->runtime_policy().credit_window == 2097152);
  CHECK(w.live->current().get_bytes("upload_limit") == 123456);
  const auto& listen = *config::find_option("listen");
  CHECK(option_text(w.live->current(), listen) == option_text(w.cfg, listen));
  CHECK(option_text(fresh, listen) != option_text(w.cfg, listen));
}
