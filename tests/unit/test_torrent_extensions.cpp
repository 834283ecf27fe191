// make_torrent_extensions() with two real libtorrent sessions on 127.0.0.1: a torrent's inner
// plugins are made at its first connection and not before, their peer plugins reach that
// connection in order, and the session and torrent callbacks reach them.
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/extensions.hpp>
#include <libtorrent/peer_connection_handle.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include "daemon/engine/torrent_extensions.hpp"
#include "daemon/util/atomic_file.hpp"
#include "tests/lt_torrents.hpp"
#include "tests/unit/scratch_dir.hpp"

namespace lt = libtorrent;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

/// What one inner plugin saw; its callbacks run on the seeder's network thread.
struct Seen {
  std::atomic<int> torrents_made{0}, connections{0}, session_ticks{0}, torrent_ticks{0}, added{0};
  std::mutex mutex;
  std::vector<std::string>* handshakes = nullptr;  // shared by the plugins: the order they ran in
};

class RecordingPeer final : public lt::peer_plugin {
 public:
  RecordingPeer(std::string name, Seen& seen) : m_name(std::move(name)), m_seen(seen) {}
  bool on_handshake(lt::span<char const>) override {
    std::lock_guard lock(m_seen.mutex);
    m_seen.handshakes->push_back(m_name);
    return true;
  }

 private:
  std::string m_name;
  Seen& m_seen;
};

class RecordingTorrent final : public lt::torrent_plugin {
 public:
  RecordingTorrent(std::string name, Seen& seen) : m_name(std::move(name)), m_seen(seen) {}
  std::shared_ptr<lt::peer_plugin> new_connection(lt::peer_connection_handle const&) override {
    ++m_seen.connections;
    return std::make_shared<RecordingPeer>(m_name, m_seen);
  }
  void tick() override { ++m_seen.torrent_ticks; }

 private:
  std::string m_name;
  Seen& m_seen;
};

class RecordingPlugin final : public lt::plugin {
 public:
  RecordingPlugin(std::string name, Seen& seen, bool ticks) : m_name(std::move(name)), m_seen(seen), m_ticks(ticks) {}
  lt::feature_flags_t implemented_features() override { return m_ticks ? tick_feature : lt::feature_flags_t{}; }
  std::shared_ptr<lt::torrent_plugin> new_torrent(lt::torrent_handle const&, lt::client_data_t) override {
    ++m_seen.torrents_made;
    return std::make_shared<RecordingTorrent>(m_name, m_seen);
  }
  void added(lt::session_handle const&) override { ++m_seen.added; }
  void on_tick() override { ++m_seen.session_ticks; }

 private:
  std::string m_name;
  Seen& m_seen;
  bool m_ticks;
};

lt::settings_pack loopback_settings() {
  lt::settings_pack pack;
  pack.set_str(lt::settings_pack::listen_interfaces, "127.0.0.1:0");
  pack.set_bool(lt::settings_pack::enable_dht, false);
  pack.set_bool(lt::settings_pack::enable_lsd, false);
  pack.set_bool(lt::settings_pack::enable_upnp, false);
  pack.set_bool(lt::settings_pack::enable_natpmp, false);
  pack.set_bool(lt::settings_pack::enable_outgoing_utp, false);
  pack.set_bool(lt::settings_pack::enable_incoming_utp, false);
  pack.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
  pack.set_int(lt::settings_pack::alert_mask, 0);
  return pack;
}

std::shared_ptr<lt::torrent_info> make_torrent(const fs::path& dir, const std::string& name) {
  seedd::util::write_file_atomic(dir / name, std::string(40000, 'x') + name);
  return seedd::test::torrent_of_file(dir, name, 16 * 1024);
}

template <class F>
bool wait_until(F&& done, std::chrono::milliseconds budget = 20s) {
  const auto until = std::chrono::steady_clock::now() + budget;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

}  // namespace

TEST_CASE("a torrent's plugins are made at its first connection, and its peers get theirs in order",
          "[torrent_extensions]") {
  seedd::test::ScratchDir seed_dir("extensions-seed"), leech_dir("extensions-leech");
  std::vector<std::string> handshakes;
  Seen first, second;
  first.handshakes = second.handshakes = &handshakes;
  // Declared before the session: its torrent plugins point into it (as Engine::Impl keeps it).
  auto extensions = seedd::make_torrent_extensions({std::make_shared<RecordingPlugin>("first", first, true),
                                                    std::make_shared<RecordingPlugin>("second", second, false)});
  lt::session seeder(lt::session_params(loopback_settings(), {extensions}));
  lt::session leecher(lt::session_params(loopback_settings(), {}));

  std::vector<std::shared_ptr<lt::torrent_info>> torrents;
  std::vector<lt::torrent_handle> seeding;
  for (const auto* name : {"a.bin", "b.bin", "c.bin"}) {
    torrents.push_back(make_torrent(seed_dir.path(), name));
    seeding.push_back(seedd::test::add_started(seeder, torrents.back(), seed_dir.path(), true));
  }
  REQUIRE(wait_until([&] {
    for (auto& h : seeding)
      if (h.status().state != lt::torrent_status::seeding) return false;
    return true;
  }));
  CHECK(first.added == 1);
  CHECK(second.added == 1);
  // Session ticks reach the plugin that asked for them (once a second), and only that one.
  REQUIRE(wait_until([&] { return first.session_ticks >= 2; }, 5s));
  CHECK(second.session_ticks == 0);
  // Three torrents seeding for over a second, no peer yet: no inner torrent plugin was made.
  CHECK(first.torrents_made == 0);
  CHECK(second.torrents_made == 0);

  // A peer downloads the second torrent.
  auto leech = seedd::test::add_started(leecher, torrents[1], leech_dir.path(), false);
  leech.connect_peer({lt::make_address("127.0.0.1"), seeder.listen_port()});
  REQUIRE(wait_until([&] { return leech.status().is_seeding; }));

  CHECK(first.torrents_made == 1);  // for that torrent only
  CHECK(second.torrents_made == 1);
  CHECK(first.connections >= 1);
  CHECK(second.connections == first.connections.load());
  {
    std::lock_guard lock(first.mutex);
    REQUIRE(handshakes.size() >= 2);
    CHECK(handshakes.size() % 2 == 0);
    for (size_t i = 0; i + 1 < handshakes.size(); i += 2) {  // each connection: first, then second
      CHECK(handshakes[i] == "first");
      CHECK(handshakes[i + 1] == "second");
    }
  }
  // The torrent's ticks now reach its plugins.
  const int ticks = first.torrent_ticks;
  REQUIRE(wait_until([&] { return first.torrent_ticks > ticks; }, 5s));

  // A new connection to the same torrent (another download of it) does not make its plugins again.
  seedd::test::ScratchDir leech_dir2("extensions-leech2");
  leecher.remove_torrent(leech);
  REQUIRE(wait_until([&] { return !leech.is_valid(); }));
  const int connections = second.connections;
  auto leech2 = seedd::test::add_started(leecher, torrents[1], leech_dir2.path(), false);
  leech2.connect_peer({lt::make_address("127.0.0.1"), seeder.listen_port()});
  REQUIRE(wait_until([&] { return leech2.status().is_seeding; }));
  CHECK(second.connections > connections);
  CHECK(first.torrents_made == 1);
  CHECK(second.torrents_made == 1);
}
