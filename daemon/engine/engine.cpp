// The engine's session and its alert loop (start, stop, the loop's turn), the one path that
// registers a torrent handed to libtorrent (torrent.add and torrent.create), and Engine's
// operations. The rest of Engine::Impl is in the files engine_impl.hpp lists.
#include "daemon/engine/engine.hpp"

#include <algorithm>
#include <limits>
#include <malloc.h>

#include <libtorrent/error_code.hpp>
#include <libtorrent/extensions.hpp>
#include <libtorrent/extensions/smart_ban.hpp>
#include <libtorrent/extensions/ut_metadata.hpp>
#include <libtorrent/extensions/ut_pex.hpp>
#include <libtorrent/magnet_uri.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_stats.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/version.hpp>
#include <spdlog/spdlog.h>

#include "daemon/engine/blocklist.hpp"
#include "daemon/engine/engine_impl.hpp"
#include "daemon/engine/lt_network.hpp"
#include "daemon/engine/lt_util.hpp"
#include "daemon/engine/path_guard.hpp"
#include "daemon/engine/status_map.hpp"
#include "daemon/engine/peer_id.hpp"
#include "daemon/engine/torrent_extensions.hpp"
#include "daemon/engine/torrent_maker.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/bounded_read.hpp"
#include "daemon/util/disk_space.hpp"

namespace seedd {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kResumeSaveInterval = 30s;
constexpr auto kStatusUpdateInterval = 1s;
constexpr auto kAlertWait = 200ms;
constexpr auto kWatchdogStale = 10s;
constexpr int kAlertQueueSize = 100000;
// Requests one peer may have queued with us (libtorrent's max_allowed_in_request_queue, told to
// the peer as `reqq`): 16 MiB in flight, enough for one fast peer far away. libtorrent keeps the
// queue in a vector and erases from its front as each block goes to disk, so a deeper queue
// costs CPU for every block seeded (docs/benchmarks.md, "CPU per byte seeded").
// tests/integration/test_request_queue.py.
constexpr int kPeerRequestQueueBlocks = 1000;
constexpr size_t kTrimAfterAlerts = 5000;
constexpr size_t kBusyRound = 16;  // alerts in one round
constexpr auto kTrimWhenQuietFor = 3s;
// Resume and .torrent files waiting for the file writer before torrent.add waits for it. A mass
// add then goes at the disk's pace: the files queued (and the window a kill -9 loses) stay
// few, and so do the holes their buffers leave in the engine thread's heap. Unbounded, 10,000
// adds left ~3 KiB a torrent of those (RSS 8.5 KiB a torrent instead of 5.4).
constexpr size_t kWriterBacklogLimit = 1024;
// The largest ip_filter file read; the big public p2p lists are a few tens of MiB.
constexpr uint64_t kMaxIpFilterBytes = 256ull * 1024 * 1024;

/// A session plugin that gives each torrent the plugin `make` returns (libtorrent's own
/// ut_metadata and ut_pex, which its default list holds the same way).
class TorrentPluginOf final : public lt::plugin {
 public:
  using Make = std::shared_ptr<lt::torrent_plugin> (*)(lt::torrent_handle const&, lt::client_data_t);
  explicit TorrentPluginOf(Make make) : m_make(make) {}
  std::shared_ptr<lt::torrent_plugin> new_torrent(lt::torrent_handle const& h, lt::client_data_t data) override {
    return m_make(h, data);
  }

 private:
  Make m_make;
};

}  // namespace

bool is_info_hash_hex(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::vector<fs::path> Engine::Impl::roots() const {
  return path_guard::resolve_roots(settings.download_dir, settings.data_roots);
}

lt::settings_pack Engine::Impl::make_settings() const {
  lt::settings_pack pack;
  pack.set_str(lt::settings_pack::listen_interfaces, settings.listen);
  pack.set_bool(lt::settings_pack::enable_outgoing_utp, settings.utp);
  pack.set_bool(lt::settings_pack::enable_incoming_utp, settings.utp);
  pack.set_int(lt::settings_pack::alert_mask,
               lt::alert_category::status | lt::alert_category::error | lt::alert_category::storage |
                   lt::alert_category::file_progress | lt::alert_category::port_mapping);
  pack.set_str(lt::settings_pack::user_agent, "seedd/" SEEDD_VERSION " libtorrent/" LIBTORRENT_VERSION);
  pack.set_str(lt::settings_pack::peer_fingerprint, peer_id_prefix());
  // Limits, switches, slots, encryption, proxy: what SIGHUP and session.set change later.
  lt_network::fill(pack, settings.network);
  // A seeding box serves many peers behind one NAT, and tests run several peers on 127.0.0.1.
  pack.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
  // Seed everything: no queueing stops torrents (LIBTORRENT-NOTES: default keeps 5 active).
  // With active_seeds/active_downloads, only those limits, and idle torrents count too (as
  // qBittorrent's default): "at most N seed" means N.
  pack.set_int(lt::settings_pack::active_limit, -1);
  pack.set_int(lt::settings_pack::active_seeds, settings.active_seeds > 0 ? settings.active_seeds : -1);
  pack.set_int(lt::settings_pack::active_downloads, settings.active_downloads > 0 ? settings.active_downloads : -1);
  pack.set_int(lt::settings_pack::active_checking, 1);
  pack.set_bool(lt::settings_pack::dont_count_slow_torrents, false);
  if (settings.queueing()) pack.set_int(lt::settings_pack::auto_manage_interval, 5);  // (30 s: slow to react)
  // Bigger send buffers (set in lt_network::fill, as they follow upload_limit) and request
  // queues (docs/benchmarks.md, "Send buffers").
  pack.set_int(lt::settings_pack::max_queued_disk_bytes, 16 * 1024 * 1024);
  pack.set_int(lt::settings_pack::max_out_request_queue, 1500);
  pack.set_int(lt::settings_pack::max_allowed_in_request_queue, kPeerRequestQueueBlocks);
  // libtorrent's mmap disk I/O wakes every idle disk thread (notify_all) for each batch of
  // reads it submits, so its default of 10 threads costs CPU for every block seeded
  // (docs/benchmarks.md, "CPU per byte seeded").
  pack.set_int(lt::settings_pack::aio_threads, settings.disk_threads);
  // Room for the alerts of thousands of torrents added at once (restores are paced too).
  pack.set_int(lt::settings_pack::alert_queue_size, kAlertQueueSize);
  return pack;
}

lt::torrent_flags_t Engine::Impl::base_flags(bool paused) const {
  auto flags = lt::torrent_flags::default_flags & ~lt::torrent_flags::auto_managed &
               ~lt::torrent_flags::paused;
  if (!settings.pex) flags |= lt::torrent_flags::disable_pex;
  return with_pause(flags, paused);
}

/// `flags` with seedd's pause and queue bits: paused by hand, or (queueing) left to the
/// queue, or (no queueing) running.
lt::torrent_flags_t Engine::Impl::with_pause(lt::torrent_flags_t flags, bool paused_by_user) const {
  flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused);
  if (paused_by_user) flags |= lt::torrent_flags::paused;
  else if (settings.queueing()) flags |= lt::torrent_flags::auto_managed | lt::torrent_flags::paused;
  return flags;
}

void Engine::Impl::request_save(const lt::torrent_handle& h) {
  try {
    h.save_resume_data(lt::torrent_handle::save_info_dict | lt::torrent_handle::flush_disk_cache);
  } catch (const lt::system_error& e) {
    // Removed meanwhile (torrent.remove between an alert and its handling): nothing to save.
    if (e.code() != lt::errors::invalid_torrent_handle) throw;
    return;
  }
  ++outstanding_saves;  // after: a handle that throws gets no answer to wait for
}

/// libtorrent's smart_ban (bans the peer that sent the bad blocks of a piece that failed its
/// check) for a torrent that may download. Not a session plugin: a complete torrent does
/// not need one (~180 bytes each at 10,000 seeding), and gets it when it starts downloading
/// (attach_deferred_smart_ban).
void Engine::Impl::with_smart_ban(lt::add_torrent_params& atp) { atp.extensions.push_back(&lt::create_smart_ban_plugin); }

/// Adds smart_ban to the torrent now if it was handed to libtorrent without it (engine thread).
void Engine::Impl::attach_deferred_smart_ban(lt::torrent_handle h) {  // (add_extension is not const)
  {
    std::unique_lock lock(mutex);
    auto it = torrents.find(lt_util::torrent_id_of(h.info_hashes()));
    if (it == torrents.end() || !it->second.smart_ban_deferred) return;
    it->second.smart_ban_deferred = false;
  }
  h.add_extension(&lt::create_smart_ban_plugin);
}

size_t Engine::Impl::pump_alerts() {
  std::vector<lt::alert*> alerts;
  session->pop_alerts(&alerts);
  for (auto* a : alerts) {
    // An alert may name a torrent that an RPC call removed after libtorrent queued the alert:
    // its handle throws. That torrent is gone, the daemon is not (issue 18: torrent.remove
    // right after torrent.create aborted seedd from on_torrent_finished).
    try {
      handle_alert(a);
    } catch (const lt::system_error& e) {
      if (e.code() != lt::errors::invalid_torrent_handle) throw;
      spdlog::get("engine")->debug("{}: its torrent was removed meanwhile", a->what());
    }
  }
  if (alerts.size() >= 1000) spdlog::get("engine")->debug("a round of {} alerts", alerts.size());
  return alerts.size();
}

void Engine::Impl::run() {
  auto next_update = std::chrono::steady_clock::now();
  auto next_save = next_update + kResumeSaveInterval;
  auto next_missing = next_update + settings.missing_data_retry;
  while (!stopping) {
    last_turn_ms = now_ms();
    if (restore_next < restore_queue.size()) restore_some();
    session->wait_for_alert(kAlertWait);
    const size_t handled = pump_alerts();
    // After a burst (thousands of torrents added or restored) glibc keeps the freed alerts,
    // JSON and parse buffers; give them back once it has been quiet for a while (a quiet
    // round in the middle of a restore is not the end of it).
    burst_alerts += handled;
    const auto now = std::chrono::steady_clock::now();
    if (handled >= kBusyRound || restore_next < restore_queue.size()) last_busy = now;
    if (burst_alerts >= kTrimAfterAlerts && now - last_busy >= kTrimWhenQuietFor) {
      ::malloc_trim(0);
      burst_alerts = 0;
    }
    if (restores_finished.exchange(false)) {
      const std::chrono::duration<double> took = now - restore_started;
      spdlog::get("engine")->info("restored {} torrents in {:.1f} s", restores_started, took.count());
      next_update = now;
    }
    if (now >= next_update) {
      session->post_torrent_updates();
      session->post_session_stats();
      next_update = now + kStatusUpdateInterval;
    }
    if (now >= next_missing) {
      retry_missing();
      next_missing = now + settings.missing_data_retry;
    }
    if (now >= next_save) {
      save_modified();
      next_save = now + kResumeSaveInterval;
    }
  }
}

/// Operations that need libtorrent refuse a torrent in missing_data, with what to do instead.
void Engine::Impl::require_live(const Entry& e) {
  if (e.parked())
    throw EngineError(EngineError::Kind::invalid_argument,
                      "info_hash: " + e.status.info_hash.hex() +
                          " is in state missing_data (its files are not there); bring them back or use "
                          "torrent.recheck with redownload");
}

Engine::Impl::Entry* Engine::Impl::find(const std::string& id) {
  auto it = torrents.find(lt_util::normalize_id(id));
  return it == torrents.end() ? nullptr : &it->second;
}

/// Puts a torrent that torrent.add or torrent.create just handed to libtorrent into the
/// snapshot, publishes torrent.added and asks for its resume data. With `torrent_file_saved`
/// false its .torrent is written with that resume file (once it has metadata).
void Engine::Impl::register_torrent(const std::string& id, const lt::torrent_handle& h, std::vector<std::string> labels,
                                    bool torrent_file_saved) {
  // Round trips to libtorrent's thread: before the lock, which the alert loop needs meanwhile.
  // libtorrent's copy of the metadata, not a second one of ours.
  const auto status = h.status();
  auto info = h.torrent_file();
  {
    std::unique_lock lock(mutex);
    removed.erase(id);
    auto& e = torrents[id];
    const bool first = !e.handle.is_valid();  // the engine thread may have seen its add_torrent_alert already
    e.handle = h;
    if (e.status.info_hash.empty()) e.status.info_hash = TorrentId::from_hex(id).value_or(TorrentId{});
    fill_status(e.status, status);
    e.status.labels = std::move(labels);
    touch(e);
    e.info = std::move(info);
    e.need_torrent_file = !torrent_file_saved && e.info != nullptr;
    // Under the lock: the engine thread's torrent.finished for this torrent waits behind it.
    if (first) emit(TorrentEvent::Kind::added, id, e.status.name);
  }
  request_save(h);
}

Engine::Engine(EngineSettings settings) : m_impl(std::make_unique<Impl>()) {
  m_impl->settings = std::move(settings);
  m_impl->resume_dir = m_impl->settings.data_dir / "resume";
  m_impl->torrents_dir = m_impl->settings.data_dir / "torrents";
}

Engine::~Engine() { stop(); }

void Engine::on_event(std::function<void(const TorrentEvent&)> sink) { m_impl->event_sink = std::move(sink); }

void Engine::add_plugin(std::shared_ptr<lt::plugin> plugin) { m_impl->plugins.push_back(std::move(plugin)); }

void Engine::start() {
  auto& d = *m_impl;
  util::ensure_directory(d.resume_dir, 0700);
  util::ensure_directory(d.torrents_dir, 0700);
  util::ensure_directory(d.settings.download_dir, 0755);
  // libtorrent's default plugins but smart_ban, which torrents get one by one (with_smart_ban);
  // ut_pex only when PEX is on (it is made for every torrent, even one flagged disable_pex).
  std::vector<std::shared_ptr<lt::plugin>> plugins{std::make_shared<TorrentPluginOf>(&lt::create_ut_metadata_plugin)};
  if (d.settings.pex) plugins.push_back(std::make_shared<TorrentPluginOf>(&lt::create_ut_pex_plugin));
  // Guards against known remote bugs of libtorrent 2.0.8 (docs/operations.md, Threat model).
  plugins.push_back(make_peer_guard(d.guard_counters));
  for (auto& ext : d.plugins) plugins.push_back(ext);
  // All behind one: a torrent's plugins are made at its first connection (torrent_extensions.hpp).
  d.extensions = make_torrent_extensions(std::move(plugins));
  lt::session_params params(d.make_settings(), {d.extensions});
  d.session = std::make_unique<lt::session>(std::move(params));
  d.sent_payload_metric = lt::find_metric_idx("net.sent_payload_bytes");
  d.recv_payload_metric = lt::find_metric_idx("net.recv_payload_bytes");
  // Peer classes and the IP filter before any torrent is added, so no peer escapes them.
  d.lan_exempt_filter = d.session->get_peer_class_filter();
  d.session->set_peer_class_filter(lt_network::peer_class_filter(d.settings.network.rate_limit_lan, d.lan_exempt_filter));
  load_ip_filter(d.settings.ip_filter);
  d.writer = std::make_unique<util::FileWriter>(0644, [&d](const fs::path& path, const std::string& error) {
    if (!d.awaited_writes.failed(path, error)) d.write_failures.failed(path.string() + ": " + error);
  });
  d.load_resume_files();
  d.running = true;
  d.last_turn_ms = Impl::now_ms();
  d.thread = std::thread([&d] {
    lt_util::name_this_thread("seedd-engine");
    d.run();
  });
}

void Engine::stop(std::chrono::milliseconds budget) {
  auto& d = *m_impl;
  if (!d.running.exchange(false)) return;
  auto log = spdlog::get("engine");
  d.stopping = true;
  if (d.thread.joinable()) d.thread.join();
  const auto deadline = std::chrono::steady_clock::now() + budget;
  d.session->pause();
  // Fresh status first (one round trip for all): need_save_resume may have changed since the
  // last update. A torrent whose file already says what libtorrent would write is skipped.
  {
    const auto statuses = d.session->get_torrent_status([](const lt::torrent_status& st) { return st.need_save_resume; },
                                                      lt::torrent_handle::query_save_path);
    std::shared_lock lock(d.mutex);
    for (const auto& st : statuses) {
      auto it = d.torrents.find(lt_util::torrent_id_of(st.info_hashes));
      if (it == d.torrents.end() || !it->second.handle.is_valid()) continue;
      if (ResumeFingerprint::of(st) == it->second.saved) continue;
      d.request_save(st.handle);
    }
  }
  log->info("saving resume data ({} torrents)", std::max(d.outstanding_saves.load(), 0));
  while (d.outstanding_saves > 0 && std::chrono::steady_clock::now() < deadline) {
    d.session->wait_for_alert(100ms);
    d.pump_alerts();
  }
  if (d.outstanding_saves > 0) log->warn("{} resume saves did not finish in time", d.outstanding_saves.load());
  d.writer->flush();
  d.session.reset();
  log->info("engine stopped");
}

std::optional<std::string> Engine::state_files_problem() const { return m_impl->write_failures.problem(); }

bool Engine::healthy() const {
  return m_impl->running && Impl::now_ms() - m_impl->last_turn_ms <
                                std::chrono::duration_cast<std::chrono::milliseconds>(kWatchdogStale).count();
}

fs::path Engine::confine_path(const fs::path& path, const std::string& what) const {
  const auto& s = m_impl->settings;
  return path_guard::confine(path, s.download_dir, m_impl->roots(), !s.data_roots.empty(), what);
}

namespace {
// Labels are short names shown in lists; Transmission forbids the comma (its separator).
constexpr size_t kMaxLabels = 64;
constexpr size_t kMaxLabelBytes = 128;

void check_labels(const std::vector<std::string>& labels) {
  using K = EngineError::Kind;
  if (labels.size() > kMaxLabels)
    throw EngineError(K::invalid_argument, "labels: more than " + std::to_string(kMaxLabels));
  for (const auto& l : labels) {
    if (l.empty() || l.size() > kMaxLabelBytes)
      throw EngineError(K::invalid_argument, "labels: each must be 1 to " + std::to_string(kMaxLabelBytes) + " bytes");
    for (unsigned char c : l)
      if (c < 0x20 || c == 0x7f || c == ',')
        throw EngineError(K::invalid_argument, "labels: '" + l.substr(0, 40) + "' holds a comma or a control character");
  }
}

int lt_limit(int64_t v) {  // seedd's 0 = none is libtorrent's -1
  return v <= 0 ? -1 : static_cast<int>(std::min<int64_t>(v, std::numeric_limits<int>::max()));
}
}  // namespace

std::string Engine::add_torrent(const AddTorrentRequest& req, bool* added) {
  auto& d = *m_impl;
  using K = EngineError::Kind;
  const int sources = req.magnet.has_value() + req.torrent_bytes.has_value() + req.torrent_path.has_value();
  if (sources != 1)
    throw EngineError(K::invalid_argument, "give exactly one of magnet, torrent or path");
  check_labels(req.labels);

  // Check everything before anything is added or written.
  std::vector<lt::tcp::endpoint> peers;
  for (const auto& p : req.peers) {
    auto ep = lt_util::parse_endpoint(p);
    if (!ep) throw EngineError(K::invalid_argument, "peers: '" + p + "' is not host:port with an IP address");
    peers.push_back(*ep);
  }
  lt::add_torrent_params atp;
  lt::error_code ec;
  auto parse_torrent = [&](const std::string& bytes, const std::string& field) {
    if (static_cast<int64_t>(bytes.size()) > kMaxTorrentFileBytes)
      throw EngineError(K::invalid_argument, field + ": larger than " + std::to_string(kMaxTorrentFileBytes) + " bytes");
    auto ti = std::make_shared<lt::torrent_info>(lt::span<char const>(bytes.data(), static_cast<long>(bytes.size())),
                                                 ec, lt::from_span);
    if (ec) throw EngineError(K::invalid_argument, field + ": not a valid .torrent (" + ec.message() + ")");
    atp.ti = std::move(ti);
  };
  if (req.magnet) {
    atp = lt::parse_magnet_uri(*req.magnet, ec);
    if (ec || (!atp.info_hashes.has_v1() && !atp.info_hashes.has_v2()))
      throw EngineError(K::invalid_argument,
                        "magnet: not a valid magnet URI (" + (ec ? ec.message() : std::string("no info-hash")) + ")");
  } else if (req.torrent_bytes) {
    parse_torrent(*req.torrent_bytes, "torrent");
  } else {
    const auto p = confine_path(*req.torrent_path, "path");
    std::optional<std::string> bytes;
    try {
      bytes = util::read_regular_file(p, kMaxTorrentFileBytes);
    } catch (const std::exception& e) {
      throw EngineError(K::invalid_argument, std::string("path: ") + e.what());
    }
    if (!bytes) throw EngineError(K::invalid_argument, "path: '" + p.string() + "' does not exist");
    parse_torrent(*bytes, "path");
  }
  const fs::path save_path = confine_path(req.save_path.value_or(d.settings.download_dir), "save_path");
  path_guard::require_directory_or_absent(save_path, "save_path");
  if (atp.ti) path_guard::confine_files(save_path, atp.ti->files(), d.roots(), "save_path");

  const auto id = lt_util::id_of(lt_util::info_hashes_of(atp));
  {
    std::shared_lock lock(d.mutex);
    if (auto it = d.torrents.find(id); it != d.torrents.end()) {
      if (it->second.handle.is_valid())
        for (const auto& ep : peers) it->second.handle.connect_peer(ep);
      if (added) *added = false;
      return id;
    }
  }
  // Its resume file is written later, by the writer thread: with no room for it, the torrent
  // would be gone after a restart.
  if (const auto free = util::free_bytes(d.settings.data_dir); free && *free < util::kMinFreeDataDirBytes)
    throw EngineError(K::io, "data_dir " + d.settings.data_dir.string() + " is full (" + std::to_string(*free) +
                                 " bytes free): no room for the torrent's resume data");
  d.writer->wait_backlog_below(kWriterBacklogLimit);
  util::ensure_directory(save_path);
  atp.save_path = save_path.string();
  atp.flags = d.base_flags(req.paused);
  // Its file names come with the metadata: nothing is written until they are checked.
  if (!atp.ti) atp.flags |= lt::torrent_flags::upload_mode;
  d.with_smart_ban(atp);
  lt::torrent_handle h = d.session->add_torrent(std::move(atp), ec);
  if (ec) throw EngineError(K::io, "cannot add torrent: " + ec.message());
  for (const auto& ep : peers) h.connect_peer(ep);
  // The .torrent goes with the resume file, in the engine thread's next batch of writes.
  d.register_torrent(id, h, req.labels, false);
  spdlog::get("engine")->info("added {}", id);
  if (added) *added = true;
  return id;
}

CreatedTorrent Engine::create_torrent(const CreateTorrentRequest& req) {
  auto& d = *m_impl;
  using K = EngineError::Kind;
  const auto p = confine_path(req.path, "path");
  auto made = torrent_maker::make(p, req, d.roots());
  auto ti = std::move(made.info);
  CreatedTorrent out;
  out.info_hash = lt_util::id_of(ti->info_hashes());
  out.magnet = lt::make_magnet_uri(*ti);
  out.torrent_bytes = std::move(made.bytes);

  {
    std::shared_lock lock(d.mutex);
    out.existed = d.torrents.count(out.info_hash) > 0;
    if (out.existed) return out;
  }
  lt::error_code ec;
  lt::add_torrent_params atp;
  atp.ti = ti;
  atp.save_path = p.parent_path().string();
  // The data was just hashed: seed at once instead of checking it again.
  atp.flags = d.base_flags(false) | lt::torrent_flags::seed_mode;
  // On disk before libtorrent has it: a torrent.create that answers made a torrent a restart
  // brings back, and one that fails (a full disk) leaves nothing seeding.
  d.write_state_files_now(out.info_hash, out.torrent_bytes, atp);
  d.with_smart_ban(atp);
  lt::torrent_handle h = d.session->add_torrent(std::move(atp), ec);
  if (ec) {
    d.remove_state_files_now(out.info_hash);
    throw EngineError(K::io, "cannot add torrent: " + ec.message());
  }
  d.register_torrent(out.info_hash, h, {}, true);
  spdlog::get("engine")->info("created and seeding {} ({}, {})", out.info_hash, p.string(),
                              torrent_maker::version_name(req.version));
  return out;
}

std::vector<TorrentStatus> Engine::list() const {
  std::vector<TorrentStatus> out;
  visit([&](const TorrentStatus& t) { out.push_back(t); });
  return out;
}

void Engine::visit(const std::function<void(const TorrentStatus&)>& visitor) const {
  std::shared_lock lock(m_impl->mutex);
  for (const auto& [id, e] : m_impl->torrents) visitor(e.status);
}

TorrentDelta Engine::visit_since(const std::string& cursor,
                                 const std::function<void(const TorrentStatus&)>& visitor) const {
  const auto& d = *m_impl;
  std::shared_lock lock(d.mutex);
  TorrentDelta out;
  out.cursor = d.run_id + "." + std::to_string(d.change_seq);
  uint64_t since = 0;
  bool usable = false;
  if (const auto dot = cursor.find('.'); dot != std::string::npos && cursor.substr(0, dot) == d.run_id) {
    try {
      size_t used = 0;
      since = std::stoull(cursor.substr(dot + 1), &used);
      usable = used == cursor.size() - dot - 1 && since <= d.change_seq &&
               // removals older than the log are forgotten: such a cursor gets everything
               (d.removal_log.size() < Impl::kRemovalLogMax || d.removal_log.front().first <= since + 1);
    } catch (const std::exception&) {
    }
  }
  out.full = !usable;
  for (const auto& [id, e] : d.torrents)
    if (out.full || e.changed > since) visitor(e.status);
  if (!out.full)
    for (auto it = std::upper_bound(d.removal_log.begin(), d.removal_log.end(), since,
                                    [](uint64_t v, const auto& r) { return v < r.first; });
         it != d.removal_log.end(); ++it)
      out.removed.push_back(it->second);
  return out;
}

std::optional<TorrentStatus> Engine::get(const std::string& info_hash) const {
  std::shared_lock lock(m_impl->mutex);
  auto it = m_impl->torrents.find(lt_util::normalize_id(info_hash));
  if (it == m_impl->torrents.end()) return std::nullopt;
  return it->second.status;
}

void throw_not_found(const std::string& id) {
  throw EngineError(EngineError::Kind::not_found, "info_hash: no torrent " + id);
}

Engine::Impl::Live Engine::Impl::live(const std::string& info_hash) const {
  std::shared_lock lock(mutex);
  auto it = torrents.find(lt_util::normalize_id(info_hash));
  if (it == torrents.end()) throw_not_found(info_hash);
  require_live(it->second);
  return {it->second.handle, it->second.info};
}

void Engine::pause(const std::string& info_hash) {
  std::unique_lock lock(m_impl->mutex);
  auto* e = m_impl->find(info_hash);
  if (!e) throw_not_found(info_hash);
  e->status.paused = true;
  m_impl->touch(*e);
  if (e->parked()) {  // stays missing_data; comes back paused
    e->parked()->flags = m_impl->with_pause(e->parked()->flags, true);
    return;
  }
  e->handle.unset_flags(lt::torrent_flags::auto_managed);
  e->handle.pause(lt::torrent_handle::graceful_pause);
  e->status.state = TorrentState::paused;
  m_impl->request_save(e->handle);
}

void Engine::resume(const std::string& info_hash) {
  std::unique_lock lock(m_impl->mutex);
  auto* e = m_impl->find(info_hash);
  if (!e) throw_not_found(info_hash);
  e->status.paused = false;
  m_impl->touch(*e);
  if (e->parked()) {
    e->parked()->flags = m_impl->with_pause(e->parked()->flags, false);
    return;
  }
  if (m_impl->settings.queueing()) e->handle.set_flags(lt::torrent_flags::auto_managed);  // the queue starts it
  else e->handle.resume();
  // As Transmission: starting a torrent by hand that a seeding limit stopped lifts the limit,
  // or it would stop again at once.
  if (e->status.seed_limit_reached) {
    e->status.seed_limit_reached = false;
    e->status.seed_ratio_limit_permille = -1;
    e->status.seed_idle_limit_minutes = -1;
    spdlog::get("engine")->info("{}: resumed by hand, seeding limits lifted", e->status.info_hash.hex());
  }
  m_impl->request_save(e->handle);
  // As pause does, show the new state now rather than at the next state update (up to a
  // second): libtorrent runs handle calls in order, so this status() sees the resume. Asked
  // without the mutex (it waits for libtorrent's thread); a pause meanwhile wins.
  const auto h = e->handle;
  lock.unlock();
  const auto st = h.status();
  lock.lock();
  e = m_impl->find(info_hash);
  if (e && e->handle == h && !e->status.paused && e->status.state != state_of(st)) {
    e->status.state = state_of(st);
    m_impl->touch(*e);
  }
}

void Engine::remove(const std::string& info_hash, bool delete_data) {
  auto& d = *m_impl;
  lt::torrent_handle h;
  std::string name;
  const auto id = lt_util::normalize_id(info_hash);
  {
    std::unique_lock lock(d.mutex);
    auto it = d.torrents.find(id);
    if (it == d.torrents.end()) throw_not_found(info_hash);
    h = it->second.handle;
    name = it->second.status.name;
    // Handed to libtorrent at start, not added yet: its add alert removes it (a queued one is
    // dropped when its turn comes).
    if (it->second.restore == Impl::Entry::Restore::handed) d.restores_removed.insert(id);
    d.erase_entry(it);
    d.removed.insert(id);
  }
  if (h.is_valid()) d.session->remove_torrent(h, delete_data ? lt::session::delete_files : lt::remove_flags_t{});
  // After `removed` has the id: no write of its files is queued after these (queue_write).
  d.writer->remove(d.resume_file(id));
  d.writer->remove(d.torrent_file(id));
  d.writer->flush();  // gone from disk before the caller hears so
  spdlog::get("engine")->info("removed {}{}", id, delete_data ? " and its data" : "");
  d.emit(TorrentEvent::Kind::removed, id, name);
}

void Engine::recheck(const std::string& info_hash, bool redownload) {
  std::optional<lt::add_torrent_params> parked;
  {
    std::shared_lock lock(m_impl->mutex);
    auto* e = m_impl->find(info_hash);
    if (!e) throw_not_found(info_hash);
    if (e->parked()) parked = *e->parked();
  }
  const auto missing = parked && !redownload ? Impl::missing_file(*parked) : std::string();
  std::unique_lock lock(m_impl->mutex);
  auto* e = m_impl->find(info_hash);
  if (!e) throw_not_found(info_hash);
  if (e->parked()) {
    if (!missing.empty()) {
      e->status.error = "data missing: " + missing;
      return;  // still missing: stays parked (redownload: true fetches it again)
    }
    m_impl->unpark(*e, redownload ? "recheck with redownload: handing it to libtorrent to fetch its data again"
                                  : "recheck found its data, seeding again");
    return;
  }
  e->handle.force_recheck();
  e->status.state = TorrentState::checking;
  m_impl->touch(*e);
}

void Engine::reannounce(const std::string& info_hash) {
  const bool dht = m_impl->session->get_settings().get_bool(lt::settings_pack::enable_dht);
  m_impl->with_live(info_hash, [dht](const Impl::Live& l) {
    l.handle.force_reannounce();
    if (dht) l.handle.force_dht_announce();
  });
}

void Engine::move(const std::string& info_hash, const fs::path& path, bool move_data) {
  const auto target = confine_path(path, "location");
  m_impl->with_live(info_hash, [&](const Impl::Live& l) {
    const lt::torrent_handle& h = l.handle;
    path_guard::require_directory_or_absent(target, "location");
    if (const auto info = h.torrent_file()) path_guard::confine_files(target, info->files(), m_impl->roots(), "location");
    util::ensure_directory(target);
    // libtorrent runs a move as a fence on the torrent's storage: the recheck queues behind it.
    h.move_storage(target.string(), move_data ? lt::move_flags_t::always_replace_files : lt::move_flags_t::dont_replace);
    if (!move_data) h.force_recheck();
  });
  spdlog::get("engine")->info("{}: {} {}", lt_util::normalize_id(info_hash),
                              move_data ? "moving data to" : "looking for data in", target.string());
}


void Engine::set_torrent(const std::string& info_hash, const TorrentSettings& s) {
  using K = EngineError::Kind;
  if (s.labels) check_labels(*s.labels);
  auto non_negative = [](const std::optional<int64_t>& v, const char* name) {
    if (v && *v < 0) throw EngineError(K::invalid_argument, std::string(name) + ": must be 0 or more");
  };
  non_negative(s.upload_limit, "upload_limit");
  non_negative(s.download_limit, "download_limit");
  if (s.max_connections && *s.max_connections < 0)
    throw EngineError(K::invalid_argument, "max_connections: must be 0 or more");
  if (s.seed_ratio_limit_permille && *s.seed_ratio_limit_permille < -1)
    throw EngineError(K::invalid_argument, "seed_ratio_limit: must be -1 (none) or more");
  if (s.seed_idle_limit_minutes && *s.seed_idle_limit_minutes < -1)
    throw EngineError(K::invalid_argument, "seed_idle_limit_minutes: must be -1 (none) or more");

  std::unique_lock lock(m_impl->mutex);
  auto* e = m_impl->find(info_hash);
  if (!e) throw_not_found(info_hash);
  if (s.upload_limit || s.download_limit || s.max_connections) Impl::require_live(*e);
  auto& t = e->status;
  if (s.labels) {
    std::vector<std::string> labels;
    for (const auto& l : *s.labels)
      if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
    t.labels = std::move(labels);
  }
  if (s.upload_limit) {
    e->handle.set_upload_limit(lt_limit(*s.upload_limit));
    t.upload_limit = *s.upload_limit;
  }
  if (s.download_limit) {
    e->handle.set_download_limit(lt_limit(*s.download_limit));
    t.download_limit = *s.download_limit;
  }
  if (s.max_connections) {
    e->handle.set_max_connections(lt_limit(*s.max_connections));
    t.max_connections = *s.max_connections;
  }
  if (s.seed_ratio_limit_permille) t.seed_ratio_limit_permille = *s.seed_ratio_limit_permille;
  if (s.seed_idle_limit_minutes) t.seed_idle_limit_minutes = *s.seed_idle_limit_minutes;
  m_impl->touch(*e);
  // libtorrent does not know about labels and seeding limits: save them now (a torrent in
  // missing_data keeps them in memory until it is back).
  if (e->handle.is_valid()) m_impl->request_save(e->handle);
}

const EngineSettings& Engine::settings() const { return m_impl->settings; }

SessionStats Engine::stats() const {
  std::shared_lock lock(m_impl->mutex);
  SessionStats s;
  for (const auto& [id, e] : m_impl->torrents) {
    s.upload_rate += e.status.upload_rate;
    s.download_rate += e.status.download_rate;
    s.uploaded_bytes += e.status.uploaded_bytes;
    s.downloaded_bytes += e.status.downloaded_bytes;
    s.num_peers += e.status.num_peers;
  }
  s.num_torrents = static_cast<int64_t>(m_impl->torrents.size());
  s.run_uploaded_bytes = m_impl->counters.run_uploaded_bytes;
  s.run_downloaded_bytes = m_impl->counters.run_downloaded_bytes;
  s.peers_refused_v2_bit = static_cast<int64_t>(m_impl->guard_counters->v2_bit_without_metadata.load());
  s.peers_refused_allowed_fast = static_cast<int64_t>(m_impl->guard_counters->allowed_fast_flood.load());
  return s;
}

std::vector<std::string> Engine::listen_endpoints() const {
  std::shared_lock lock(m_impl->mutex);
  return m_impl->endpoints;
}

std::vector<PortMapping> Engine::port_mappings() const { return m_impl->port_mappings.snapshot(); }

uint16_t Engine::listen_port() const {
  if (const int port = m_impl->first_tcp_port.load(); port >= 0) return static_cast<uint16_t>(port);
  return m_impl->session ? m_impl->session->listen_port() : 0;
}

std::string Engine::libtorrent_version() { return LIBTORRENT_VERSION; }

void Engine::apply_rate_limits(int64_t upload, int64_t download, int max_connections) {
  if (!m_impl->session) throw std::logic_error("Engine::apply_rate_limits before start()");
  // settings_pack holds ints: a limit past 2 GiB/s is as good as unlimited, so cap, not wrap.
  const auto to_int = [](int64_t v) {
    return static_cast<int>(std::clamp<int64_t>(v, 0, std::numeric_limits<int>::max()));
  };
  lt::settings_pack pack;
  pack.set_int(lt::settings_pack::upload_rate_limit, to_int(upload));
  pack.set_int(lt::settings_pack::download_rate_limit, to_int(download));
  pack.set_int(lt::settings_pack::connections_limit, max_connections);
  m_impl->session->apply_settings(std::move(pack));
}

Engine::RateLimits Engine::rate_limits() const {
  if (!m_impl->session) throw std::logic_error("Engine::rate_limits before start()");
  // get_settings() is a round trip to the network thread, so it reflects apply_settings calls
  // made before it.
  const auto pack = m_impl->session->get_settings();
  RateLimits r;
  r.upload = pack.get_int(lt::settings_pack::upload_rate_limit);
  r.download = pack.get_int(lt::settings_pack::download_rate_limit);
  r.max_connections = pack.get_int(lt::settings_pack::connections_limit);
  return r;
}

void Engine::apply_network(const NetworkSettings& network) {
  if (!m_impl->session) throw std::logic_error("Engine::apply_network before start()");
  lt::settings_pack pack;
  lt_network::fill(pack, network);
  m_impl->session->apply_settings(std::move(pack));
  m_impl->session->set_peer_class_filter(lt_network::peer_class_filter(network.rate_limit_lan, m_impl->lan_exempt_filter));
}

NetworkSettings Engine::network() const {
  if (!m_impl->session) throw std::logic_error("Engine::network before start()");
  // Both calls are round trips to the network thread: they see every apply made before them.
  return lt_network::read(m_impl->session->get_settings(), m_impl->session->get_peer_class_filter());
}

IpFilterStats Engine::load_ip_filter(const std::filesystem::path& path) {
  if (!m_impl->session) throw std::logic_error("Engine::load_ip_filter before start()");
  auto log = spdlog::get("engine");
  std::lock_guard lock(m_impl->ip_filter_mutex);
  IpFilterStats stats;
  stats.path = path.string();
  lt::ip_filter filter;
  if (!path.empty()) {
    std::optional<std::string> text;
    try {
      // session.set may name any file: never a FIFO (it would block the caller), never unbounded.
      text = util::read_regular_file(path, kMaxIpFilterBytes);
      if (!text) stats.error = "no such file";
    } catch (const std::exception& e) {
      stats.error = e.what();
    }
    if (text) {
      const auto list = parse_blocklist(*text);
      for (const auto& r : list.ranges) filter.add_rule(r.first, r.last, lt::ip_filter::blocked);
      stats.rules = static_cast<int64_t>(list.ranges.size());
      stats.bad_lines = list.bad_lines;
      for (const auto& [number, line] : list.bad_samples)
        log->warn("ip_filter {} line {}: not a p2p or dat range, skipped: {}", stats.path, number, line);
      if (list.bad_lines > static_cast<int64_t>(list.bad_samples.size()))
        log->warn("ip_filter {}: {} more lines skipped", stats.path,
                  list.bad_lines - static_cast<int64_t>(list.bad_samples.size()));
      log->info("ip_filter {}: {} ranges blocked, {} lines skipped", stats.path, stats.rules, stats.bad_lines);
    } else {
      log->error("ip_filter {}: cannot read it ({}); no address is blocked", stats.path, stats.error);
    }
  }
  m_impl->session->set_ip_filter(std::move(filter));
  m_impl->ip_filter_loaded = stats;
  return stats;
}

IpFilterStats Engine::ip_filter_stats() const {
  std::lock_guard lock(m_impl->ip_filter_mutex);
  return m_impl->ip_filter_loaded;
}

}  // namespace seedd
