// Benchmark (issue 14, item 3): how the fast lane divides a seeder's upload limit among the three
// lanes. Four libtorrent sessions in this process on 127.0.0.1: one seeder with seedd's receipt
// extension and an upload limit of 4 MiB/s (loopback put under it, as rate_limit_lan does), and
// one leecher per lane downloading the same torrent from it:
//   - pass:    a leecher with the extension whose connection the seeder marks as a pass holder
//              (PeerConnection::pass_holder, the flag the pass check of issue 14 items 1-2 sets;
//              set here directly, since no pass is exchanged in this bench);
//   - receipt: a leecher with the extension (it signs receipts);
//   - vanilla: a plain session without it.
// It prints each lane's share of what the seeder sent over the window, beside its weight's share,
// for the default weights and for the ones given. It asserts nothing: tests/integration/
// test_fast_lane.py is the test. The seeder does not verify the receipts here (its credit window
// is open): the bench measures the lanes, not the accountant. Build and run it on demand:
//   cmake --build <build dir> --target bench_lanes && <build dir>/tests/bench_lanes [P:R:V ...]
// (default: 6:3:1, then 1:1:1 and 1:3:6). Each setting runs WINDOW_S seconds after a warm-up.
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>

#include "daemon/accountant/lanes.hpp"
#include "daemon/accountant/peer_state.hpp"
#include "daemon/accountant/receipt_extension.hpp"
#include "tests/lt_torrents.hpp"
#include "daemon/engine/lt_network.hpp"

namespace {

using namespace seedd;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr int64_t MiB = 1024 * 1024;
constexpr int64_t kUploadLimit = 4 * MiB;
constexpr int64_t kTorrentBytes = 512 * MiB;  // outlasts every window at 4 MiB/s
constexpr auto kWarmup = 5s;
constexpr auto kWindow = 30s;

std::shared_ptr<accountant::ExtensionContext> make_context() {
  auto ctx = std::make_shared<accountant::ExtensionContext>(crypto::PrivateKey::generate());
  ctx->policy.receipt_interval = 1 * MiB;
  ctx->credit_window = UINT64_MAX / 2;  // no receipt is verified here
  return ctx;
}

lt::session make_session(std::shared_ptr<accountant::ExtensionContext> ctx, int64_t upload_limit) {
  NetworkSettings n;
  n.upload_limit = upload_limit;
  n.dht = n.lsd = n.upnp = n.natpmp = false;
  n.rate_limit_lan = true;
  lt::settings_pack pack;
  lt_network::fill(pack, n);
  pack.set_str(lt::settings_pack::listen_interfaces, "127.0.0.1:0");
  pack.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
  pack.set_bool(lt::settings_pack::enable_outgoing_utp, false);
  pack.set_bool(lt::settings_pack::enable_incoming_utp, false);
  lt::session_params params(pack);
  params.extensions.clear();  // no PEX: the leechers download from the seeder only
  if (ctx) params.extensions.push_back(accountant::make_receipt_plugin(ctx));
  lt::session s(std::move(params));
  s.set_peer_class_filter(lt_network::peer_class_filter(true, {}));
  return s;
}

/// A file of `bytes` pseudo-random bytes and a v1 torrent of it.
std::shared_ptr<lt::torrent_info> make_torrent(const fs::path& dir) {
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "payload.bin", std::ios::binary);
    std::mt19937_64 rng(14);
    std::vector<uint64_t> block(1 << 17);
    for (int64_t done = 0; done < kTorrentBytes; done += static_cast<int64_t>(block.size() * 8)) {
      for (auto& w : block) w = rng();
      out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size() * 8));
    }
  }
  return test::torrent_of_file(dir, "payload.bin", 1 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<accountant::LaneWeights> settings;
  for (int i = 1; i < argc; ++i) {
    auto w = accountant::parse_lane_weights(argv[i]);
    if (!w) {
      std::fprintf(stderr, "'%s': expected lane weights P:R:V, such as 6:3:1\n", argv[i]);
      return 2;
    }
    settings.push_back(*w);
  }
  if (settings.empty()) settings = {{6, 3, 1}, {1, 1, 1}, {1, 3, 6}};

  const auto dir = fs::temp_directory_path() / ("seedd-bench-lanes-" + std::to_string(::getpid()));
  std::printf("making a %lld MiB torrent in %s\n", static_cast<long long>(kTorrentBytes / MiB), dir.c_str());
  std::fflush(stdout);
  const auto ti = make_torrent(dir / "seed");

  auto seeder_ctx = make_context();
  seeder_ctx->lane_capacity = static_cast<uint64_t>(kUploadLimit);
  seeder_ctx->lanes_cover_lan = true;
  seeder_ctx->upload_slots = 8;
  auto pass_ctx = make_context();
  auto receipt_ctx = make_context();
  lt::session seeder = make_session(seeder_ctx, kUploadLimit);
  lt::session pass_leecher = make_session(pass_ctx, 0);
  lt::session receipt_leecher = make_session(receipt_ctx, 0);
  lt::session vanilla_leecher = make_session(nullptr, 0);
  auto seeding = test::add_started(seeder, ti, dir / "seed", true);
  const std::array<lt::session*, 3> leechers = {&pass_leecher, &receipt_leecher, &vanilla_leecher};
  const std::array<const char*, 3> names = {"pass", "receipt", "vanilla"};
  std::array<std::string, 3> endpoints;
  for (size_t i = 0; i < leechers.size(); ++i) {
    test::add_started(*leechers[i], ti, dir / names[i], false);
    // The seeder dials each leecher, so it knows each connection by the leecher's listen port.
    endpoints[i] = "127.0.0.1:" + std::to_string(leechers[i]->listen_port());
    seeding.connect_peer({lt::make_address("127.0.0.1"), leechers[i]->listen_port()});
  }

  // The seeder's connection to each leecher, once the pass and receipt leechers said `seedd`.
  std::array<std::shared_ptr<accountant::PeerConnection>, 3> conns;
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < give_up) {
    for (const auto& c : seeder_ctx->registry.all())
      for (size_t i = 0; i < endpoints.size(); ++i)
        if (c->endpoint == endpoints[i] && !c->closed.load()) conns[i] = c;
    if (conns[0] && conns[1] && conns[2] && conns[0]->is_seedd.load() && conns[1]->is_seedd.load()) break;
    std::this_thread::sleep_for(50ms);
  }
  if (!conns[0] || !conns[1] || !conns[2] || !conns[0]->is_seedd.load() || !conns[1]->is_seedd.load()) {
    std::fprintf(stderr, "the leechers did not all connect within 30 s\n");
    return 1;
  }
  conns[0]->pass_holder = true;  // what a verified pass does

  // Receipts are not verified here; drop them as they come.
  std::atomic<bool> stop{false};
  std::thread drain([&] {
    while (!stop) (void)seeder_ctx->queue.drain(100ms);
  });

  std::printf("upload limit %lld MiB/s, one leecher per lane, %lld s windows\n",
              static_cast<long long>(kUploadLimit / MiB), static_cast<long long>(kWindow.count()));
  for (const auto& w : settings) {
    for (size_t i = 0; i < accountant::kLaneCount; ++i) seeder_ctx->lane_weights[i] = w[i];
    std::this_thread::sleep_for(kWarmup);
    std::array<uint64_t, 3> before{}, moved{};
    for (size_t i = 0; i < 3; ++i) before[i] = conns[i]->uploaded.load();
    const auto t0 = std::chrono::steady_clock::now();
    if (std::getenv("BENCH_LANES_TRACE")) {
      // Each second: what each lane's peer took, and its cap (KiB/s).
      std::array<uint64_t, 3> last = before;
      for (int sec = 0; sec < kWindow.count(); ++sec) {
        std::this_thread::sleep_for(1s);
        std::printf("  t=%2d", sec + 1);
        for (size_t i = 0; i < 3; ++i) {
          const auto now = conns[i]->uploaded.load();
          std::printf("  %s %5llu/%5llu%s", names[i], static_cast<unsigned long long>((now - last[i]) / 1024),
                      static_cast<unsigned long long>(conns[i]->lane_cap.load() / 1024),
                      conns[i]->choked.load() ? (conns[i]->pace_held.load() ? " P" : " C") : "  ");
          last[i] = now;
        }
        std::printf("\n");
      }
    } else {
      std::this_thread::sleep_for(kWindow);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    uint64_t total = 0;
    for (size_t i = 0; i < 3; ++i) total += moved[i] = conns[i]->uploaded.load() - before[i];
    const double weight_sum = w[0] + w[1] + w[2];
    std::printf("lane_weights %s: total %.2f MiB/s;", accountant::to_string(w).c_str(),
                static_cast<double>(total) / seconds / MiB);
    for (size_t i = 0; i < 3; ++i)
      std::printf(" %s %.1f %% (weight share %.1f %%)%s", names[i], 100.0 * static_cast<double>(moved[i]) / total,
                  100.0 * w[i] / weight_sum, i < 2 ? ";" : "\n");
    std::fflush(stdout);
  }
  stop = true;
  drain.join();
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
