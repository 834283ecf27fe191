#include "daemon/engine/engine.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <climits>
#include <limits>
#include <malloc.h>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/announce_entry.hpp>
#include <libtorrent/bdecode.hpp>
#include <libtorrent/extensions.hpp>
#include <libtorrent/ip_filter.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/magnet_uri.hpp>
#include <libtorrent/read_resume_data.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_stats.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/version.hpp>
#include <libtorrent/write_resume_data.hpp>
#include <spdlog/spdlog.h>

#include "daemon/engine/blocklist.hpp"
#include "daemon/engine/lt_network.hpp"
#include "daemon/engine/lt_util.hpp"
#include "daemon/engine/path_guard.hpp"
#include "daemon/engine/peer_guard.hpp"
#include "daemon/engine/state_files.hpp"
#include "daemon/engine/status_map.hpp"
#include "daemon/engine/peer_id.hpp"
#include "daemon/engine/peer_list.hpp"
#include "daemon/engine/torrent_maker.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/bounded_read.hpp"
#include "daemon/util/disk_space.hpp"
#include "daemon/util/file_writer.hpp"
#include "daemon/engine/torrent_export.hpp"  // apart: the includes above are edited on other branches
#include "daemon/engine/tracker_state.hpp"
#include "daemon/engine/listen_port.hpp"

namespace seedd {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kResumeSaveInterval = 30s;
constexpr auto kStatusUpdateInterval = 1s;
constexpr auto kAlertWait = 200ms;
constexpr auto kWatchdogStale = 10s;
// Torrents handed to libtorrent at start whose add_torrent_alert has not come yet.
constexpr int kRestoreInFlight = 500;
constexpr int kAlertQueueSize = 100000;
// Requests one peer may have queued with us (libtorrent's max_allowed_in_request_queue, told to
// the peer as `reqq`): 1,000 blocks, 16 MiB in flight, ~160 MB/s to one peer 100 ms away.
// libtorrent keeps the queue in a vector and erases from its front as each block goes to disk,
// so a deeper queue costs CPU per block: 4,000 cost ~6 % more seeder CPU per byte than 1,000
// (docs/benchmarks.md, "CPU per byte seeded"). tests/integration/test_request_queue.py.
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

}  // namespace

bool is_info_hash_hex(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

/// What a resume file says that changes while a torrent runs: libtorrent flags every restored
/// torrent as needing a save, and 10,000 rewrites of unchanged files would take seconds at
/// every stop. Seeding time counts in whole hours, so an idle torrent's file is rewritten at
/// most hourly for it.
struct ResumeFingerprint {
  int64_t uploaded = -1, downloaded = -1;
  int pieces = -1;
  bool paused = false;
  size_t save_path_hash = 0;
  int64_t seeding_hours = -1;
  bool operator==(const ResumeFingerprint& o) const {
    return uploaded == o.uploaded && downloaded == o.downloaded && pieces == o.pieces && paused == o.paused &&
           save_path_hash == o.save_path_hash && seeding_hours == o.seeding_hours;
  }
  static ResumeFingerprint of(const lt::add_torrent_params& p) {
    return {p.total_uploaded, p.total_downloaded, p.have_pieces.count(), bool(p.flags & lt::torrent_flags::paused),
            std::hash<std::string>{}(p.save_path), p.seeding_time / 3600};
  }
  static ResumeFingerprint of(const lt::torrent_status& st) {
    return {st.all_time_upload, st.all_time_download, st.num_pieces, bool(st.flags & lt::torrent_flags::paused),
            std::hash<std::string>{}(st.save_path), static_cast<int64_t>(st.seeding_duration.count() / 3600)};
  }
};

struct Engine::Impl {
  std::shared_ptr<PeerGuardCounters> guard_counters = std::make_shared<PeerGuardCounters>();
  struct Entry {
    lt::torrent_handle handle;
    TorrentStatus status;
    bool need_save_resume = false;
    ResumeFingerprint saved;  // what its resume file on disk holds
    std::shared_ptr<const lt::torrent_info> info;  // libtorrent's own, shared; null before metadata
    std::chrono::steady_clock::time_point seeding_since{};  // when seen seeding this run
    // While its data is missing (state missing_data) the torrent is not in libtorrent at all,
    // so nothing can write into the empty location: its params wait here. (A pointer: an
    // add_torrent_params is 850 bytes, and 10,000 seeding torrents need none.)
    std::unique_ptr<lt::add_torrent_params> parked;
    bool returning = false;  // un-parked, waiting for libtorrent's add_torrent_alert
    std::string vanishing;   // its data went away while it ran: parked once its resume data is saved
    bool vanishing_paused = false;  // whether the user had paused it then
    uint64_t changed = 0;    // the change sequence number of its last change (visit_since)
    bool restoring = false;  // read from its resume file, not yet handed to libtorrent or added
    // Complete when handed to libtorrent (restored, or back from missing_data): the finished
    // alert libtorrent posts for it then is no news, so no torrent.finished event.
    bool complete_when_added = false;
    bool need_torrent_file = false;  // its .torrent is written with its next resume file
  };

  EngineSettings settings;
  WriteFailures write_failures;  // of the file writer's thread and create_torrent
  // download_dir and data_roots resolved now: a root's link may be changed while seedd runs.
  std::vector<fs::path> roots() const { return path_guard::resolve_roots(settings.download_dir, settings.data_roots); }
  std::vector<std::shared_ptr<lt::plugin>> plugins;
  fs::path resume_dir, torrents_dir;
  std::unique_ptr<lt::session> session;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::function<void(const TorrentEvent&)> event_sink;

  void emit(TorrentEvent::Kind kind, std::string id, std::string name, std::string error = {}) {
    if (event_sink) event_sink(TorrentEvent{kind, std::move(id), std::move(name), std::move(error)});
  }
  std::atomic<bool> running{false};
  std::atomic<int64_t> last_turn_ms{0};

  mutable std::shared_mutex mutex;  // guards everything below
  std::unordered_map<std::string, Entry> torrents;
  std::set<std::string> removed;  // ids removed this run: their late resume data is dropped
  // Delta listing: every change to a torrent's snapshot takes the next number; removals are
  // logged (bounded) with theirs. Cursors are "<run>.<number>" so one from another run is seen.
  uint64_t change_seq = 0;
  std::deque<std::pair<uint64_t, std::string>> removal_log;
  static constexpr size_t kRemovalLogMax = 100000;
  std::string run_id = std::to_string(std::chrono::system_clock::now().time_since_epoch().count() & 0xffffffffffff);
  void touch(Entry& e) { e.changed = ++change_seq; }  // mutex held (unique)
  std::vector<std::string> endpoints;
  // The TCP port of the first listen socket opened, as lt::session::listen_port() says it, but
  // read without a call into the network thread (node.info asks for it); -1 until it is known.
  std::atomic<int> first_tcp_port{-1};
  PortMappings port_mappings;  // its own lock
  SessionStats counters;
  // seedd's keys of resume files read at start, until libtorrent reports the torrent added
  std::unordered_map<std::string, TorrentStatus> pending_extras;
  int sent_payload_metric = -1, recv_payload_metric = -1;  // session counter indices

  // libtorrent's own peer class filter (LAN peers exempt from limits), kept for rate_limit_lan
  lt::ip_filter lan_exempt_filter;  // written once in start()
  mutable std::mutex ip_filter_mutex;  // guards ip_filter_loaded; serializes loads
  IpFilterStats ip_filter_loaded;

  // save_resume_data requests whose answer has not arrived yet (any thread asks; stop() waits)
  std::atomic<int> outstanding_saves{0};

  // Resume files read at start, handed to libtorrent a few hundred at a time by the engine
  // thread (restore_some) so that libtorrent's alert queue never overflows at 10,000 torrents.
  std::deque<lt::add_torrent_params> restore_queue;  // start(), then engine thread only
  int restores_in_flight = 0;                        // mutex held
  // Writes resume and .torrent files in batches (one journal commit for many files) on its
  // own thread, so that the engine thread keeps up with libtorrent's alerts meanwhile.
  std::unique_ptr<util::FileWriter> writer;

  static int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  fs::path resume_file(const std::string& id) const { return resume_dir / (id + ".resume"); }
  fs::path torrent_file(const std::string& id) const { return torrents_dir / (id + ".torrent"); }

  lt::settings_pack make_settings() const {
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
    // queues (LIBTORRENT-NOTES: ~250 -> ~350 MB/s on loopback).
    pack.set_int(lt::settings_pack::max_queued_disk_bytes, 16 * 1024 * 1024);
    pack.set_int(lt::settings_pack::max_out_request_queue, 1500);
    pack.set_int(lt::settings_pack::max_allowed_in_request_queue, kPeerRequestQueueBlocks);
    // libtorrent's mmap disk I/O wakes every idle disk thread (notify_all) for each batch of
    // reads it submits, and with its default of 10 threads a 1 GiB upload cost ~60,000 context
    // switches and ~25 % of the seeder's CPU (docs/benchmarks.md, "CPU per byte seeded").
    pack.set_int(lt::settings_pack::aio_threads, settings.disk_threads);
    // Room for the alerts of thousands of torrents added at once (restores are paced too).
    pack.set_int(lt::settings_pack::alert_queue_size, kAlertQueueSize);
    return pack;
  }

  lt::torrent_flags_t base_flags(bool paused) const {
    auto flags = lt::torrent_flags::default_flags & ~lt::torrent_flags::auto_managed &
                 ~lt::torrent_flags::paused;
    if (!settings.pex) flags |= lt::torrent_flags::disable_pex;
    return with_pause(flags, paused);
  }

  /// `flags` with seedd's pause and queue bits: paused by hand, or (queueing) left to the
  /// queue, or (no queueing) running.
  lt::torrent_flags_t with_pause(lt::torrent_flags_t flags, bool paused_by_user) const {
    flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused);
    if (paused_by_user) flags |= lt::torrent_flags::paused;
    else if (settings.queueing()) flags |= lt::torrent_flags::auto_managed | lt::torrent_flags::paused;
    return flags;
  }

  void request_save(const lt::torrent_handle& h) {
    h.save_resume_data(lt::torrent_handle::save_info_dict | lt::torrent_handle::flush_disk_cache);
    ++outstanding_saves;  // after: a handle that throws gets no answer to wait for
  }

  /// The .torrent of `ti` (its info dict and trackers); empty when it cannot be made.
  static std::string torrent_bytes(const lt::torrent_info& ti) {
    lt::create_torrent ct(ti);
    std::string buf;
    lt::bencode(std::back_inserter(buf), ct.generate());
    return buf;
  }

  /// Hands a state file of torrent `id` to the writer thread, unless the torrent was removed
  /// (mutex held, so that remove() queues its deletions after this write, never before).
  void queue_write(const std::string& id, fs::path path, std::string contents) {
    if (removed.count(id)) return;
    writer->write(std::move(path), std::move(contents));
  }

  /// The first file the torrent has data for that is not on disk, or the save path itself
  /// when that is gone; empty when nothing is missing (or there is nothing to miss yet).
  static std::string missing_file(const lt::add_torrent_params& atp, int max_files = INT_MAX) {
    if (!atp.ti || !atp.ti->is_valid()) return {};
    std::error_code ec;
    if (!fs::is_directory(atp.save_path, ec)) return atp.save_path;
    const bool seed = bool(atp.flags & lt::torrent_flags::seed_mode);
    const auto& files = atp.ti->files();
    for (const auto i : files.file_range()) {
      if (files.pad_file_at(i) || files.file_size(i) == 0) continue;
      bool has_data = seed;
      if (!has_data) {
        const int first = static_cast<int>(files.map_file(i, 0, 0).piece);
        const int last = static_cast<int>(files.map_file(i, files.file_size(i) - 1, 0).piece);
        for (int p = first; p <= last && p < atp.have_pieces.size() && !has_data; ++p)
          has_data = atp.have_pieces.get_bit(lt::piece_index_t(p));
      }
      if (!has_data) continue;
      if (max_files-- <= 0) break;
      const auto renamed = atp.renamed_files.find(i);
      const fs::path rel = renamed != atp.renamed_files.end() ? fs::path(renamed->second) : fs::path(files.file_path(i));
      const fs::path full = rel.is_absolute() ? rel : fs::path(atp.save_path) / rel;
      if (!fs::exists(full, ec)) return full.string();
    }
    return {};
  }

  /// Whether the params hold every piece (seed mode counts as every piece).
  static bool is_complete(const lt::add_torrent_params& atp) {
    if (atp.flags & lt::torrent_flags::seed_mode) return true;
    return atp.ti && atp.ti->is_valid() && atp.have_pieces.size() >= atp.ti->num_pieces() && atp.have_pieces.all_set();
  }

  /// Keeps a torrent whose data is missing out of libtorrent (mutex held).
  void park(const std::string& id, lt::add_torrent_params atp, TorrentStatus extras, const std::string& missing) {
    auto& e = torrents[id];
    e.status = std::move(extras);
    auto& t = e.status;
    t.info_hash = id;
    t.name = atp.ti->name().empty() ? id : atp.ti->name();
    t.save_path = atp.save_path;
    t.state = "missing_data";
    t.error = "data missing: " + missing;
    t.has_metadata = true;
    t.paused = paused_by_hand(atp.flags);
    t.total_size = atp.ti->total_size();
    t.uploaded_bytes = atp.total_uploaded;
    t.downloaded_bytes = atp.total_downloaded;
    t.added_time = atp.added_time;
    t.completed_time = atp.completed_time;
    t.active_seconds = atp.active_time;
    t.finished_seconds = atp.finished_time;
    t.seeding_seconds = atp.seeding_time;
    t.upload_limit = limit_or_zero(atp.upload_limit);
    t.download_limit = limit_or_zero(atp.download_limit);
    t.max_connections = static_cast<int32_t>(limit_or_zero(atp.max_connections));
    e.info = atp.ti;
    e.parked = std::make_unique<lt::add_torrent_params>(std::move(atp));
    touch(e);
  }

  /// Hands a parked torrent to libtorrent (mutex held); its resume data spares a full check
  /// when the files are back intact.
  void unpark(Entry& e, const char* why) {
    auto atp = std::move(*e.parked);
    e.parked.reset();
    e.returning = true;
    e.complete_when_added = is_complete(atp);
    e.status.state = "checking";
    e.status.error.clear();
    touch(e);
    spdlog::get("engine")->info("{}: {}", e.status.info_hash, why);
    session->async_add_torrent(std::move(atp));
  }

  /// The params to look for a live torrent's files with: every file counts as holding data
  /// when the torrent is complete, else only the save path is looked for.
  static lt::add_torrent_params probe_of(const Entry& e) {
    lt::add_torrent_params probe;
    probe.save_path = e.status.save_path;
    if (e.status.progress_ppm >= 1000000) {
      probe.ti = std::const_pointer_cast<lt::torrent_info>(e.info);
      probe.flags |= lt::torrent_flags::seed_mode;
    }
    return probe;
  }

  /// A live torrent whose data went away (a volume unmounted while seedd runs): saves its
  /// resume data and, when that is written, takes it out of libtorrent into missing_data like
  /// a torrent found missing at start (engine thread).
  void check_vanished(const std::string& id) {
    lt::add_torrent_params probe;
    {
      std::shared_lock lock(mutex);
      auto it = torrents.find(id);
      if (it == torrents.end() || it->second.parked || !it->second.vanishing.empty() || !it->second.info ||
          !it->second.handle.is_valid())
        return;
      probe = probe_of(it->second);
    }
    const auto missing = missing_file(probe);  // file system calls: no lock held
    if (missing.empty()) return;
    std::unique_lock lock(mutex);
    auto it = torrents.find(id);
    if (it == torrents.end() || it->second.parked || !it->second.vanishing.empty()) return;
    auto& e = it->second;
    spdlog::get("engine")->warn("{}: data gone while running ({}); waiting for it to come back (state missing_data)",
                                id, missing);
    e.vanishing = missing;
    e.vanishing_paused = e.status.paused;
    // Pause it first, so nothing is read or written until it is out of the session.
    e.handle.unset_flags(lt::torrent_flags::auto_managed);
    e.handle.pause();
    ++outstanding_saves;
    e.handle.save_resume_data(lt::torrent_handle::flush_disk_cache);
  }

  /// The second half of check_vanished, once its resume data was saved (`params`) or could not
  /// be (null: the last resume file on disk is used).
  void finish_vanishing(const std::string& id, const lt::add_torrent_params* params) {
    std::optional<lt::add_torrent_params> atp;
    if (params) {
      // Through the resume file's encoding, as a restart reads it: the alert's params carry the
      // running torrent's flags (not those an added torrent needs, such as update_subscribe).
      const auto buf = lt::write_resume_data_buf(*params);
      lt::error_code ec;
      auto read = lt::read_resume_data({buf.data(), static_cast<long>(buf.size())}, ec);
      if (!ec) atp = std::move(read);
    } else {
      std::shared_lock lock(mutex);
      auto it = torrents.find(id);
      if (it == torrents.end() || it->second.vanishing.empty()) return;
      lock.unlock();
      if (auto data = util::read_file(resume_file(id))) {
        lt::error_code ec;
        auto read = lt::read_resume_data({data->data(), static_cast<long>(data->size())}, ec);
        if (!ec) atp = std::move(read);
      }
    }
    std::unique_lock lock(mutex);
    auto it = torrents.find(id);
    if (it == torrents.end() || it->second.vanishing.empty()) return;
    auto& e = it->second;
    const auto missing = std::move(e.vanishing);
    e.vanishing.clear();
    if (!atp) {
      spdlog::get("engine")->error("{}: no resume data to keep it by while its data is missing; left as it is", id);
      return;
    }
    if (!atp->ti) atp->ti = std::const_pointer_cast<lt::torrent_info>(e.info);
    atp->flags = with_pause(atp->flags, e.vanishing_paused);
    if (!settings.pex) atp->flags |= lt::torrent_flags::disable_pex;
    session->remove_torrent(e.handle);
    e.handle = lt::torrent_handle();
    auto extras = e.status;
    extras.paused = e.vanishing_paused;
    park(id, std::move(*atp), std::move(extras), missing);
  }

  /// A magnet is added in upload mode (nothing is requested, so nothing written) because its
  /// file names are not known yet; with them, it may download unless one of its folders or
  /// files in the save path is a link out of the allowed roots (engine thread).
  void release_magnet(const lt::torrent_handle& h, const std::string& id, const std::string& save_path,
                      const lt::torrent_info& info) {
    const auto where = save_path.empty() ? h.status(lt::torrent_handle::query_save_path).save_path : save_path;
    const auto escape = path_guard::link_leaving_roots(where, info.files(), roots());
    if (escape.empty()) {
      h.unset_flags(lt::torrent_flags::upload_mode);
      return;
    }
    // Paused as torrent.pause does (not left to the queue, which would start it again); it
    // stays in upload mode, so even a torrent.resume downloads nothing.
    h.unset_flags(lt::torrent_flags::auto_managed);
    h.pause();
    {
      std::unique_lock lock(mutex);
      if (auto it = torrents.find(id); it != torrents.end()) {
        it->second.status.paused = true;
        it->second.status.state = "paused";
        touch(it->second);
      }
    }
    const auto error = escape + ", outside the allowed directories: the torrent stays paused and downloads nothing";
    spdlog::get("engine")->error("{}: {}", id, error);
    emit(TorrentEvent::Kind::error, id, info.name(), error);
  }

  /// Looks for the files of every parked torrent, and for those of every seeding one (a
  /// volume can go away under a torrent that nobody downloads from; engine thread).
  void retry_missing() {
    std::vector<std::pair<std::string, lt::add_torrent_params>> parked;
    std::vector<std::pair<std::string, lt::add_torrent_params>> live;
    {
      std::shared_lock lock(mutex);
      for (const auto& [id, e] : torrents)
        if (e.parked) parked.emplace_back(id, *e.parked);
        else if (e.info && e.handle.is_valid() && e.vanishing.empty() && e.status.state == "seeding")
          live.emplace_back(id, probe_of(e));
    }
    // One file each is enough to notice a volume that went away, and keeps this cheap.
    for (const auto& [id, probe] : live)
      if (!missing_file(probe, 1).empty()) check_vanished(id);
    for (const auto& [id, atp] : parked) {
      const auto missing = missing_file(atp);  // file system calls: no lock held
      std::unique_lock lock(mutex);
      auto it = torrents.find(id);
      if (it == torrents.end() || !it->second.parked) continue;
      if (missing.empty())
        unpark(it->second, "its data is back, seeding again");
      else if (it->second.status.error != "data missing: " + missing) {
        it->second.status.error = "data missing: " + missing;
        touch(it->second);
      }
    }
  }

  void load_resume_files() {
    auto log = spdlog::get("engine");
    std::error_code ec;
    int count = 0;
    for (const auto& de : fs::directory_iterator(resume_dir, ec)) {
      if (de.path().extension() != ".resume") continue;
      auto data = util::read_file(de.path());
      if (!data) continue;
      lt::error_code lec;
      auto atp = lt::read_resume_data({data->data(), static_cast<long>(data->size())}, lec);
      if (lec) {
        log->error("ignoring unreadable resume file {}: {}", de.path().string(), lec.message());
        continue;
      }
      if (!settings.pex) atp.flags |= lt::torrent_flags::disable_pex;
      // A torrent saved while queued (auto-managed and paused) was not paused by hand.
      atp.flags = with_pause(atp.flags, paused_by_hand(atp.flags));
      lt::bdecode_node node;
      if (!lt::bdecode(data->data(), data->data() + data->size(), node, lec)) {
        TorrentStatus extras;
        read_extras(node, extras);
        // add_torrent_alert's copy of the params has these reset: keep them from here.
        extras.upload_limit = limit_or_zero(atp.upload_limit);
        extras.download_limit = limit_or_zero(atp.download_limit);
        extras.max_connections = static_cast<int32_t>(limit_or_zero(atp.max_connections));
        const auto id = lt_util::id_of(atp.ti ? atp.ti->info_hashes() : atp.info_hashes);
        const auto missing = missing_file(atp);
        std::unique_lock lock(mutex);
        if (!missing.empty()) {
          log->warn("{}: data missing ({}); waiting for it to come back (state missing_data)", id, missing);
          park(id, std::move(atp), std::move(extras), missing);
          ++count;
          continue;
        }
        // In the list at once (state checking), before libtorrent has it.
        auto& e = torrents[id];
        e.status = extras;
        e.status.info_hash = id;
        e.status.name = atp.ti && !atp.ti->name().empty() ? atp.ti->name() : atp.name.empty() ? id : atp.name;
        e.status.save_path = atp.save_path;
        e.status.state = "checking";
        e.status.has_metadata = atp.ti != nullptr;
        e.status.total_size = atp.ti ? atp.ti->total_size() : 0;
        e.status.uploaded_bytes = atp.total_uploaded;
        e.status.downloaded_bytes = atp.total_downloaded;
        e.status.added_time = atp.added_time;
        e.status.completed_time = atp.completed_time;
        e.info = atp.ti;
        e.saved = ResumeFingerprint::of(atp);
        e.restoring = true;
        e.complete_when_added = is_complete(atp);
        touch(e);
        pending_extras[id] = std::move(extras);
      }
      restore_queue.push_back(std::move(atp));
      ++count;
    }
    if (count) log->info("restoring {} torrents from resume data", count);
  }

  /// Hands queued resume data to libtorrent while fewer than kRestoreInFlight wait for their
  /// add_torrent_alert (engine thread).
  void restore_some() {
    std::unique_lock lock(mutex);
    while (!restore_queue.empty() && restores_in_flight < kRestoreInFlight) {
      session->async_add_torrent(std::move(restore_queue.front()));
      restore_queue.pop_front();
      ++restores_in_flight;
    }
  }

  /// After libtorrent dropped add_torrent_alerts: attaches every torrent it has that an entry
  /// still waits for (engine thread).
  void reconcile_handles() {
    auto handles = session->get_torrents();
    std::unique_lock lock(mutex);
    int found = 0;
    for (auto& h : handles) {
      auto it = torrents.find(lt_util::id_of(h.info_hashes()));
      if (it == torrents.end() || it->second.handle.is_valid()) continue;
      auto& e = it->second;
      e.handle = h;
      if (e.restoring) {
        e.restoring = false;
        --restores_in_flight;
      }
      e.returning = false;
      if (auto p = pending_extras.find(it->first); p != pending_extras.end()) pending_extras.erase(p);
      touch(e);
      ++found;
    }
    if (restores_in_flight < 0) restores_in_flight = 0;
    spdlog::get("engine")->warn("libtorrent dropped alerts: {} torrents attached from its list", found);
  }

  void handle_alert(lt::alert* a) {
    auto log = spdlog::get("engine");
    if (auto* su = lt::alert_cast<lt::state_update_alert>(a)) {
      std::unique_lock lock(mutex);
      for (const auto& st : su->status) {
        auto it = torrents.find(lt_util::id_of(st.info_hashes));
        // (An update from before it was parked, or that would show the pause of a vanishing one.)
        if (it == torrents.end() || it->second.parked || !it->second.vanishing.empty()) continue;
        const int checks = it->second.status.full_checks;
        fill_status(it->second.status, st);
        it->second.status.full_checks = checks;
        touch(it->second);
        it->second.need_save_resume = st.need_save_resume && !(ResumeFingerprint::of(st) == it->second.saved);
        enforce_seed_limits(it->second, st);
      }
    } else if (auto* sr = lt::alert_cast<lt::save_resume_data_alert>(a)) {
      --outstanding_saves;
      const auto id = lt_util::id_of(sr->params.info_hashes);
      {
        std::shared_lock lock(mutex);
        if (removed.count(id)) return;
      }
      try {
        auto resume = lt::write_resume_data(sr->params);
        std::shared_ptr<const lt::torrent_info> ti;
        {
          std::unique_lock lock(mutex);
          if (auto it = torrents.find(id); it != torrents.end()) {
            write_extras(resume, it->second.status);
            it->second.saved = ResumeFingerprint::of(sr->params);
            if (it->second.need_torrent_file) {
              it->second.need_torrent_file = false;
              ti = it->second.info;
            }
          }
        }
        std::string buf;
        lt::bencode(std::back_inserter(buf), resume);
        auto torrent = ti ? torrent_bytes(*ti) : std::string();
        std::shared_lock lock(mutex);
        queue_write(id, resume_file(id), std::move(buf));
        if (ti) queue_write(id, torrent_file(id), std::move(torrent));
      } catch (const std::exception& e) {
        log->error("cannot save resume data of {}: {}", id, e.what());
      }
      finish_vanishing(id, &sr->params);
    } else if (auto* sf = lt::alert_cast<lt::save_resume_data_failed_alert>(a)) {
      --outstanding_saves;
      finish_vanishing(lt_util::id_of(sf->handle.info_hashes()), nullptr);
    } else if (auto* at = lt::alert_cast<lt::add_torrent_alert>(a)) {
      if (at->error) {
        log->error("cannot add torrent {}: {}", at->torrent_name(), at->error.message());
        const auto id = lt_util::id_of(at->params.ti ? at->params.ti->info_hashes() : at->params.info_hashes);
        std::unique_lock lock(mutex);
        if (auto it = torrents.find(id); it != torrents.end() && it->second.restoring) {
          it->second.restoring = false;
          --restores_in_flight;
          it->second.status.state = "error";
          it->second.status.error = at->error.message();
          touch(it->second);
        }
        return;
      }
      const auto id = lt_util::id_of(at->handle.info_hashes());
      {
        std::unique_lock lock(mutex);
        auto& e = torrents[id];
        if (e.handle.is_valid()) return;
        // Restored from its resume file: no news (main.cpp publishes one session.started).
        const bool restored = e.restoring;
        if (e.restoring) {
          e.restoring = false;
          --restores_in_flight;
        }
        e.handle = at->handle;
        touch(e);
        if (e.returning) {  // back from missing_data: the same torrent, not a new one
          e.returning = false;
          return;
        }
        e.status.info_hash = id;
        e.status.name = at->params.ti ? at->params.ti->name() : at->params.name.empty() ? id : at->params.name;
        e.status.save_path = at->params.save_path;
        e.status.state = "checking";
        if (auto p = pending_extras.find(id); p != pending_extras.end()) {
          e.status.labels = std::move(p->second.labels);
          e.status.seed_ratio_limit_permille = p->second.seed_ratio_limit_permille;
          e.status.seed_idle_limit_minutes = p->second.seed_idle_limit_minutes;
          e.status.seed_limit_reached = p->second.seed_limit_reached;
          e.status.upload_limit = p->second.upload_limit;
          e.status.download_limit = p->second.download_limit;
          e.status.max_connections = p->second.max_connections;
          pending_extras.erase(p);
        }
        e.info = at->params.ti;
        // Under the lock, as the RPC threads do: torrent.added is always numbered first.
        if (!restored) emit(TorrentEvent::Kind::added, id, e.status.name);
      }
    } else if (auto* sc = lt::alert_cast<lt::state_changed_alert>(a)) {
      if (sc->state == lt::torrent_status::checking_files) {
        std::unique_lock lock(mutex);
        auto it = torrents.find(lt_util::id_of(sc->handle.info_hashes()));
        if (it != torrents.end()) {
          ++it->second.status.full_checks;
          touch(it->second);
        }
      }
    } else if (auto* mr = lt::alert_cast<lt::metadata_received_alert>(a)) {
      const auto id = lt_util::id_of(mr->handle.info_hashes());
      auto info = mr->handle.torrent_file();
      auto bytes = info ? torrent_bytes(*info) : std::string();
      std::string save_path;
      {
        std::unique_lock lock(mutex);
        if (auto it = torrents.find(id); it != torrents.end()) {
          it->second.info = info;
          save_path = it->second.status.save_path;
        }
        if (info) queue_write(id, torrent_file(id), std::move(bytes));
      }
      if (info) release_magnet(mr->handle, id, save_path, *info);
      request_save(mr->handle);
    } else if (auto* tf = lt::alert_cast<lt::torrent_finished_alert>(a)) {
      // libtorrent says finished for every complete torrent it restores too: no need to write
      // a resume file that already has every piece.
      bool saved_complete = false, news = true;
      {
        std::unique_lock lock(mutex);
        if (auto it = torrents.find(lt_util::id_of(tf->handle.info_hashes())); it != torrents.end()) {
          if (it->second.info) saved_complete = it->second.saved.pieces >= it->second.info->num_pieces();
          news = !it->second.complete_when_added;
          it->second.complete_when_added = false;
        }
      }
      if (!saved_complete) request_save(tf->handle);
      if (news) {
        log->info("finished {}", tf->torrent_name());
        emit(TorrentEvent::Kind::finished, lt_util::id_of(tf->handle.info_hashes()), tf->torrent_name());
      } else {
        log->debug("{} is complete, as it was when added", tf->torrent_name());
      }
    } else if (auto* fe = lt::alert_cast<lt::file_error_alert>(a)) {
      log->error("{}", fe->message());
      check_vanished(lt_util::id_of(fe->handle.info_hashes()));
    } else if (auto* te = lt::alert_cast<lt::torrent_error_alert>(a)) {
      log->error("{}", te->message());
      check_vanished(lt_util::id_of(te->handle.info_hashes()));
      emit(TorrentEvent::Kind::error, lt_util::id_of(te->handle.info_hashes()), te->torrent_name(),
           te->error.message() + (te->filename()[0] ? std::string(": ") + te->filename() : std::string()));
    } else if (auto* sm = lt::alert_cast<lt::storage_moved_alert>(a)) {
      log->info("{}: data now in {}", lt_util::id_of(sm->handle.info_hashes()), sm->storage_path());
      request_save(sm->handle);
    } else if (auto* ss = lt::alert_cast<lt::session_stats_alert>(a)) {
      const auto values = ss->counters();
      std::unique_lock lock(mutex);
      if (sent_payload_metric >= 0) counters.run_uploaded_bytes = values[sent_payload_metric];
      if (recv_payload_metric >= 0) counters.run_downloaded_bytes = values[recv_payload_metric];
    } else if (auto* ls = lt::alert_cast<lt::listen_succeeded_alert>(a)) {
      if (ls->socket_type == lt::socket_type_t::tcp) {
        std::unique_lock lock(mutex);
        endpoints.push_back(lt_util::endpoint_string(ls->address, ls->port));
        int unknown = -1;
        first_tcp_port.compare_exchange_strong(unknown, ls->port);
      }
      log->info("listening on {} ({})", lt_util::endpoint_string(ls->address, ls->port),
                ls->socket_type == lt::socket_type_t::tcp ? "tcp" : "udp");
      if (auto moved = port_moved_warning(settings.listen, ls->port)) log->warn("{}", *moved);
    } else if (auto* lf = lt::alert_cast<lt::listen_failed_alert>(a)) {
      log->error("cannot listen on {}: {}", lt_util::endpoint_string(lf->address, lf->port),
                 lf->error.message());
    } else if (auto* ad = lt::alert_cast<lt::alerts_dropped_alert>(a)) {
      log->warn("{}", ad->message());
      if (ad->dropped_alerts.test(lt::add_torrent_alert::alert_type)) reconcile_handles();
      if (ad->dropped_alerts.test(lt::save_resume_data_alert::alert_type) ||
          ad->dropped_alerts.test(lt::save_resume_data_failed_alert::alert_type)) {
        // Their answers are lost: stop() must not wait for them; save everything again.
        outstanding_saves = 0;
        std::unique_lock lock(mutex);
        for (auto& [id, e] : torrents) e.need_save_resume = e.handle.is_valid();
      }
    } else if (port_mappings.record(a)) {
      log->info("{}", a->message());
    } else if (auto* tr = lt::alert_cast<lt::tracker_error_alert>(a); tr && tr->error == lt::errors::announce_skipped) {
      // A listen socket that cannot reach the tracker (fe80::, or IPv6 for an IPv4 tracker):
      // libtorrent sent nothing from it. Not a failure; torrent.trackers shows the one that answered.
      log->debug("{}", a->message());
    } else if (a->category() & lt::alert_category::error) {
      log->warn("{}", a->message());
    }
  }

  /// Pauses a seeding torrent that reached its ratio or idle limit (mutex held, engine thread).
  void enforce_seed_limits(Entry& e, const lt::torrent_status& st) {
    auto& t = e.status;
    const bool seeding = (st.is_seeding || st.is_finished) && !t.paused && !st.errc;
    if (!seeding) {
      e.seeding_since = {};
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (e.seeding_since == std::chrono::steady_clock::time_point{}) e.seeding_since = now;
    std::string why;
    // As Transmission: the ratio's base is what was downloaded, or the data's size when it
    // was all there from the start.
    const int64_t base = t.downloaded_bytes > 0 ? t.downloaded_bytes : t.total_size;
    if (t.seed_ratio_limit_permille >= 0 && base > 0 &&
        t.uploaded_bytes * 1000 >= t.seed_ratio_limit_permille * base)
      why = "ratio limit reached";
    if (t.seed_idle_limit_minutes >= 0) {
      auto idle_from = e.seeding_since;
      if (st.last_upload != lt::time_point{})
        idle_from = std::max(idle_from, now - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                  lt::clock_type::now() - st.last_upload));
      if (now - idle_from >= std::chrono::minutes(t.seed_idle_limit_minutes)) why = "idle seeding limit reached";
    }
    if (why.empty()) return;
    spdlog::get("engine")->info("{}: {}, pausing", t.info_hash, why);
    e.handle.unset_flags(lt::torrent_flags::auto_managed);
    e.handle.pause(lt::torrent_handle::graceful_pause);
    t.paused = true;
    t.state = "paused";
    t.seed_limit_reached = true;
    e.seeding_since = {};
    touch(e);
    request_save(e.handle);
  }

  size_t pump_alerts() {
    std::vector<lt::alert*> alerts;
    session->pop_alerts(&alerts);
    for (auto* a : alerts) handle_alert(a);
    if (alerts.size() >= 1000) spdlog::get("engine")->debug("a round of {} alerts", alerts.size());
    return alerts.size();
  }

  void save_modified() {
    std::shared_lock lock(mutex);
    for (auto& [id, e] : torrents)
      if (e.need_save_resume && e.handle.is_valid()) {
        request_save(e.handle);
        e.need_save_resume = false;  // an optimistic clear; the next status update resets it
      }
  }

  size_t burst_alerts = 0;  // engine thread only
  std::chrono::steady_clock::time_point last_busy{};  // the last round with many alerts

  void run() {
    auto next_update = std::chrono::steady_clock::now();
    auto next_save = next_update + kResumeSaveInterval;
    auto next_missing = next_update + settings.missing_data_retry;
    while (!stopping) {
      last_turn_ms = now_ms();
      if (!restore_queue.empty()) restore_some();
      session->wait_for_alert(kAlertWait);
      const size_t handled = pump_alerts();
      // After a burst (thousands of torrents added or restored) glibc keeps the freed alerts,
      // JSON and parse buffers; give them back once it has been quiet for a while (a quiet
      // round in the middle of a restore is not the end of it).
      burst_alerts += handled;
      const auto now = std::chrono::steady_clock::now();
      if (handled >= kBusyRound || !restore_queue.empty()) last_busy = now;
      if (burst_alerts >= kTrimAfterAlerts && now - last_busy >= kTrimWhenQuietFor) {
        ::malloc_trim(0);
        burst_alerts = 0;
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
  static void require_live(const Entry& e) {
    if (e.parked)
      throw EngineError(EngineError::Kind::invalid_argument,
                        "info_hash: " + e.status.info_hash +
                            " is in state missing_data (its files are not there); bring them back or use "
                            "torrent.recheck with redownload");
  }

  Entry* find(const std::string& id) {
    auto it = torrents.find(lt_util::normalize_id(id));
    return it == torrents.end() ? nullptr : &it->second;
  }

  /// A live torrent's handle and metadata, copied under the lock so that libtorrent is asked
  /// without it. Throws not_found, or invalid_argument for a torrent in missing_data.
  struct Live {
    lt::torrent_handle handle;
    std::shared_ptr<const lt::torrent_info> info;
  };
  Live live(const std::string& info_hash) const;
};

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
  lt::session_params params(d.make_settings());
  // Guards against known remote bugs of libtorrent 2.0.8 (docs/operations.md, Threat model).
  params.extensions.push_back(make_peer_guard(d.guard_counters));
  for (auto& ext : d.plugins) params.extensions.push_back(ext);
  d.session = std::make_unique<lt::session>(std::move(params));
  d.sent_payload_metric = lt::find_metric_idx("net.sent_payload_bytes");
  d.recv_payload_metric = lt::find_metric_idx("net.recv_payload_bytes");
  // Peer classes and the IP filter before any torrent is added, so no peer escapes them.
  d.lan_exempt_filter = d.session->get_peer_class_filter();
  d.session->set_peer_class_filter(lt_network::peer_class_filter(d.settings.network.rate_limit_lan, d.lan_exempt_filter));
  load_ip_filter(d.settings.ip_filter);
  d.writer = std::make_unique<util::FileWriter>(0644, [&d](const fs::path& path, const std::string& error) {
    d.write_failures.failed(path.string() + ": " + error);
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
      auto it = d.torrents.find(lt_util::id_of(st.info_hashes));
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
constexpr size_t MAX_LABELS = 64;
constexpr size_t MAX_LABEL_BYTES = 128;

void check_labels(const std::vector<std::string>& labels) {
  using K = EngineError::Kind;
  if (labels.size() > MAX_LABELS)
    throw EngineError(K::invalid_argument, "labels: more than " + std::to_string(MAX_LABELS));
  for (const auto& l : labels) {
    if (l.empty() || l.size() > MAX_LABEL_BYTES)
      throw EngineError(K::invalid_argument, "labels: each must be 1 to " + std::to_string(MAX_LABEL_BYTES) + " bytes");
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

  const auto id = lt_util::id_of(atp.ti ? atp.ti->info_hashes() : atp.info_hashes);
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
  lt::torrent_handle h = d.session->add_torrent(std::move(atp), ec);
  if (ec) throw EngineError(K::io, "cannot add torrent: " + ec.message());
  for (const auto& ep : peers) h.connect_peer(ep);
  // Round trips to libtorrent's thread: before the lock, which the alert loop needs meanwhile.
  const auto status = h.status();
  auto info = h.torrent_file();
  bool first = false;  // the engine thread may have seen its add_torrent_alert already
  {
    std::unique_lock lock(d.mutex);
    d.removed.erase(id);
    auto& e = d.torrents[id];
    first = !e.handle.is_valid();
    e.handle = h;
    fill_status(e.status, status);
    e.status.labels = req.labels;
    d.touch(e);
    e.info = std::move(info);
    // The .torrent goes with the resume file, in the engine thread's next batch of writes.
    e.need_torrent_file = e.info != nullptr;
    // Under the lock: the engine thread's torrent.finished for this torrent waits behind it.
    if (first) d.emit(TorrentEvent::Kind::added, id, e.status.name);
  }
  d.request_save(h);
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
  write_state_files_now(d.torrent_file(out.info_hash), out.torrent_bytes, d.resume_file(out.info_hash), atp);
  lt::torrent_handle h = d.session->add_torrent(std::move(atp), ec);
  if (ec) {
    util::remove_files({d.torrent_file(out.info_hash), d.resume_file(out.info_hash)}, [](const fs::path&, const std::string&) {});
    throw EngineError(K::io, "cannot add torrent: " + ec.message());
  }
  // Round trips to libtorrent's thread before the lock, as in add_torrent; and libtorrent's
  // copy of the metadata, not a second one of ours.
  const auto status = h.status();
  auto info = h.torrent_file();
  bool first = false;
  {
    std::unique_lock lock(d.mutex);
    d.removed.erase(out.info_hash);
    auto& e = d.torrents[out.info_hash];
    first = !e.handle.is_valid();
    e.handle = h;
    fill_status(e.status, status);
    e.info = std::move(info);
    d.touch(e);
    if (first) d.emit(TorrentEvent::Kind::added, out.info_hash, e.status.name);
  }
  d.request_save(h);
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

namespace {
[[noreturn]] void throw_not_found(const std::string& id) {
  throw EngineError(EngineError::Kind::not_found, "info_hash: no torrent " + id);
}
}  // namespace

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
  if (e->parked) {  // stays missing_data; comes back paused
    e->parked->flags = m_impl->with_pause(e->parked->flags, true);
    return;
  }
  e->handle.unset_flags(lt::torrent_flags::auto_managed);
  e->handle.pause(lt::torrent_handle::graceful_pause);
  e->status.state = "paused";
  m_impl->request_save(e->handle);
}

void Engine::resume(const std::string& info_hash) {
  std::unique_lock lock(m_impl->mutex);
  auto* e = m_impl->find(info_hash);
  if (!e) throw_not_found(info_hash);
  e->status.paused = false;
  m_impl->touch(*e);
  if (e->parked) {
    e->parked->flags = m_impl->with_pause(e->parked->flags, false);
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
    spdlog::get("engine")->info("{}: resumed by hand, seeding limits lifted", e->status.info_hash);
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
  if (e && e->handle == h && !e->status.paused && e->status.state != state_name(st)) {
    e->status.state = state_name(st);
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
    d.torrents.erase(it);
    d.removed.insert(id);
    d.removal_log.emplace_back(++d.change_seq, id);
    if (d.removal_log.size() > Impl::kRemovalLogMax) d.removal_log.pop_front();
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
    if (e->parked) parked = *e->parked;
  }
  const auto missing = parked && !redownload ? Impl::missing_file(*parked) : std::string();
  std::unique_lock lock(m_impl->mutex);
  auto* e = m_impl->find(info_hash);
  if (!e) throw_not_found(info_hash);
  if (e->parked) {
    if (!missing.empty()) {
      e->status.error = "data missing: " + missing;
      return;  // still missing: stays parked (redownload: true fetches it again)
    }
    m_impl->unpark(*e, redownload ? "recheck with redownload: handing it to libtorrent to fetch its data again"
                                  : "recheck found its data, seeding again");
    return;
  }
  e->handle.force_recheck();
  e->status.state = "checking";
  m_impl->touch(*e);
}

void Engine::reannounce(const std::string& info_hash) {
  const lt::torrent_handle h = m_impl->live(info_hash).handle;
  h.force_reannounce();
  if (m_impl->session->get_settings().get_bool(lt::settings_pack::enable_dht)) h.force_dht_announce();
}

void Engine::move(const std::string& info_hash, const fs::path& path, bool move_data) {
  const auto target = confine_path(path, "location");
  const lt::torrent_handle h = m_impl->live(info_hash).handle;
  path_guard::require_directory_or_absent(target, "location");
  if (const auto info = h.torrent_file()) path_guard::confine_files(target, info->files(), m_impl->roots(), "location");
  util::ensure_directory(target);
  // libtorrent runs a move as a fence on the torrent's storage: the recheck queues behind it.
  h.move_storage(target.string(), move_data ? lt::move_flags_t::always_replace_files : lt::move_flags_t::dont_replace);
  if (!move_data) h.force_recheck();
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
    t.labels.clear();
    for (const auto& l : *s.labels)
      if (std::find(t.labels.begin(), t.labels.end(), l) == t.labels.end()) t.labels.push_back(l);
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

namespace {
/// The files a user sees: libtorrent's, without BEP 47 pad files.
std::vector<lt::file_index_t> visible_files(const lt::file_storage& fs) {
  std::vector<lt::file_index_t> out;
  for (const auto i : fs.file_range())
    if (!fs.pad_file_at(i)) out.push_back(i);
  return out;
}
}  // namespace

std::optional<TorrentDetails> Engine::details(const std::string& info_hash) const {
  std::shared_ptr<const lt::torrent_info> ti;
  {
    std::shared_lock lock(m_impl->mutex);
    auto it = m_impl->torrents.find(lt_util::normalize_id(info_hash));
    if (it == m_impl->torrents.end()) return std::nullopt;
    ti = it->second.info;
  }
  if (!ti || !ti->is_valid()) return std::nullopt;
  TorrentDetails d;
  d.total_size = ti->total_size();
  d.piece_count = ti->num_pieces();
  d.piece_size = ti->piece_length();
  d.file_count = static_cast<int32_t>(visible_files(ti->files()).size());
  d.comment = ti->comment();
  d.creator = ti->creator();
  d.creation_date = ti->creation_date();
  d.is_private = ti->priv();
  d.magnet = lt::make_magnet_uri(*ti);
  for (const auto& ws : ti->web_seeds()) d.web_seeds.push_back(ws.url);
  return d;
}

std::string Engine::torrent_file(const std::string& info_hash) const {
  std::shared_ptr<const lt::torrent_info> ti;
  const auto id = lt_util::normalize_id(info_hash);
  {
    std::shared_lock lock(m_impl->mutex);
    auto it = m_impl->torrents.find(id);
    if (it == m_impl->torrents.end()) throw_not_found(info_hash);
    ti = it->second.info;
  }
  auto bytes = export_torrent_bytes(m_impl->torrent_file(id), ti);
  if (!bytes) throw EngineError(EngineError::Kind::invalid_argument, "torrent " + id + " has no metadata yet");
  return std::move(*bytes);
}

std::vector<FileStatus> Engine::files(const std::string& info_hash) const {
  const auto [h, ti] = m_impl->live(info_hash);
  if (!ti || !ti->is_valid()) return {};
  std::vector<int64_t> progress;
  std::vector<lt::download_priority_t> priorities;
  try {
    h.file_progress(progress);
    priorities = h.get_file_priorities();
  } catch (const std::exception&) {
    throw_not_found(info_hash);  // removed meanwhile
  }
  const auto& fs = ti->files();
  std::vector<FileStatus> out;
  for (const auto i : visible_files(fs)) {
    FileStatus f;
    f.path = fs.file_path(i);
    f.size = fs.file_size(i);
    const auto idx = static_cast<size_t>(static_cast<int>(i));
    f.done_bytes = idx < progress.size() ? progress[idx] : 0;
    f.priority = idx < priorities.size() ? static_cast<int>(static_cast<std::uint8_t>(priorities[idx])) : 4;
    f.first_piece = static_cast<int32_t>(static_cast<int>(fs.map_file(i, 0, 0).piece));
    f.last_piece = static_cast<int32_t>(static_cast<int>(fs.map_file(i, std::max<int64_t>(f.size - 1, 0), 0).piece));
    out.push_back(std::move(f));
  }
  return out;
}

void Engine::set_file_priorities(const std::string& info_hash, const std::vector<std::pair<int, int>>& priorities) {
  using K = EngineError::Kind;
  const auto [h, ti] = m_impl->live(info_hash);
  if (priorities.empty()) return;
  if (!ti || !ti->is_valid()) throw EngineError(K::invalid_argument, "files: the torrent has no metadata yet");
  const auto files = visible_files(ti->files());
  for (const auto& [index, prio] : priorities) {
    if (index < 0 || static_cast<size_t>(index) >= files.size())
      throw EngineError(K::invalid_argument, "files: no file " + std::to_string(index) + " (the torrent has " +
                                                 std::to_string(files.size()) + ")");
    if (prio < 0 || prio > 7) throw EngineError(K::invalid_argument, "files: priority " + std::to_string(prio) + " is not 0..7");
  }
  // A torrent made by torrent.create seeds in libtorrent's seed mode, which neither keeps file
  // priorities in its resume data nor reads a 0 there without leaving seed mode: leave it now,
  // so the priorities survive a restart. libtorrent then hashes the data once (full_checks).
  if (h.flags() & lt::torrent_flags::seed_mode) h.unset_flags(lt::torrent_flags::seed_mode);
  for (const auto& [index, prio] : priorities)
    h.file_priority(files[static_cast<size_t>(index)], lt::download_priority_t(static_cast<std::uint8_t>(prio)));
  m_impl->request_save(h);
}

std::vector<TrackerStatus> Engine::trackers(const std::string& info_hash) const {
  const lt::torrent_handle h = m_impl->live(info_hash).handle;
  std::vector<lt::announce_entry> entries;
  try {
    entries = h.trackers();
  } catch (const std::exception&) {
    throw_not_found(info_hash);
  }
  const auto now_lt = lt::clock_type::now();
  const auto now_unix = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<TrackerStatus> out;
  for (const auto& ae : entries) out.push_back(tracker_status_of(ae, now_lt, now_unix));
  return out;
}

std::vector<bool> Engine::pieces(const std::string& info_hash) const {
  const lt::torrent_handle h = m_impl->live(info_hash).handle;
  lt::torrent_status st;
  try {
    st = h.status(lt::torrent_handle::query_pieces);
  } catch (const std::exception&) {
    throw_not_found(info_hash);
  }
  std::vector<bool> out(static_cast<size_t>(st.pieces.size()));
  for (size_t i = 0; i < out.size(); ++i) out[i] = st.pieces.get_bit(lt::piece_index_t(static_cast<int>(i)));
  return out;
}

std::vector<PeerStatus> Engine::peers(const std::string& info_hash) const {
  const lt::torrent_handle h = m_impl->live(info_hash).handle;
  std::vector<lt::peer_info> infos;
  try {
    h.get_peer_info(infos);
  } catch (const std::exception&) {
    throw_not_found(info_hash);
  }
  return peer_statuses_of(infos);
}

const EngineSettings& Engine::settings() const { return m_impl->settings; }

void Engine::replace_trackers(const std::string& info_hash, const std::vector<std::pair<std::string, int>>& trackers) {
  using K = EngineError::Kind;
  std::vector<lt::announce_entry> entries;
  for (const auto& [url, tier] : trackers) {
    const auto scheme = url.substr(0, url.find("://"));
    if (url.find("://") == std::string::npos || (scheme != "http" && scheme != "https" && scheme != "udp"))
      throw EngineError(K::invalid_argument, "trackers: '" + url.substr(0, 200) + "' is not an http, https or udp URL");
    if (tier < 0 || tier > 255) throw EngineError(K::invalid_argument, "trackers: tier " + std::to_string(tier) + " is not 0..255");
    lt::announce_entry ae(url);
    ae.tier = static_cast<std::uint8_t>(tier);
    entries.push_back(std::move(ae));
  }
  const lt::torrent_handle h = m_impl->live(info_hash).handle;
  h.replace_trackers(entries);
  if (!entries.empty()) h.force_reannounce();
  m_impl->request_save(h);
}

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
