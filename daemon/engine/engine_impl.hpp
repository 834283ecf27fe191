#pragma once
// Engine::Impl: the engine's state, and the parts of it each file implements. Engine-internal
// (it includes libtorrent); only the engine's own .cpp files include it:
//   engine.cpp        the session, the alert loop, registration and the torrent operations
//   alerts.cpp        one handler per libtorrent alert type
//   missing_data.cpp  torrents whose files are not there (state missing_data)
//   resume_store.cpp  resume and .torrent files: seedd's keys, fingerprints, restore at start
//   torrent_details.cpp  what libtorrent says of one torrent when asked (files, trackers, ...)
#include <array>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/fwd.hpp>
#include <libtorrent/ip_filter.hpp>
#include <libtorrent/torrent_handle.hpp>

#include "daemon/engine/engine.hpp"
#include "daemon/engine/peer_guard.hpp"
#include "daemon/engine/port_mapping.hpp"
#include "daemon/engine/state_files.hpp"
#include "daemon/util/file_writer.hpp"

namespace seedd {

/// Throws EngineError(not_found) for the torrent `id` (engine.cpp).
[[noreturn]] void throw_not_found(const std::string& id);

/// What a resume file says that changes while a torrent runs: libtorrent flags every restored
/// torrent as needing a save, and 10,000 rewrites of unchanged files would take seconds at
/// every stop. Seeding time counts in whole hours, so an idle torrent's file is rewritten at
/// most hourly for it. (resume_store.cpp)
struct ResumeFingerprint {
  int64_t uploaded = -1, downloaded = -1;
  int pieces = -1;
  int32_t seeding_hours = -1;
  // 32 bits of the save path's hash: a move writes the resume file anyway (storage_moved_alert),
  // this only has to notice a path that differs from the file's. 32 bytes in all (one per torrent).
  uint32_t save_path_hash = 0;
  bool paused = false;
  bool operator==(const ResumeFingerprint& o) const {
    return uploaded == o.uploaded && downloaded == o.downloaded && pieces == o.pieces && paused == o.paused &&
           save_path_hash == o.save_path_hash && seeding_hours == o.seeding_hours;
  }
  static uint32_t path_hash(const std::string& path) { return static_cast<uint32_t>(std::hash<std::string>{}(path)); }
  static ResumeFingerprint of(const lt::add_torrent_params& p);
  static ResumeFingerprint of(const lt::torrent_status& st);
};

static_assert(sizeof(ResumeFingerprint) == 32, "one per torrent: keep it packed");

/// The snapshot's key: a torrent's id (40 hex digits, as lt_util::id_of makes it) held as its
/// 20 bytes in the map's node, not as a string on the heap (with the node's cached hash that was
/// ~90 bytes a torrent). Made from a string implicitly, as the string key was; a string that is
/// not 40 hex digits matches no torrent.
struct TorrentKey {
  TorrentId id;
  bool valid = false;  // an id that does not parse finds nothing (and is not the all-zero one)

  TorrentKey(const TorrentId& parsed) : id(parsed), valid(true) {}  // NOLINT(google-explicit-constructor)
  TorrentKey(const std::string& hex) {  // NOLINT(google-explicit-constructor): find(id), torrents[id]
    if (const auto parsed = TorrentId::from_hex(hex)) *this = TorrentKey(*parsed);
  }
  /// The id again, in lower case as id_of() writes it.
  operator std::string() const { return valid ? id.hex() : std::string(); }  // NOLINT(google-explicit-constructor)
  bool operator==(const TorrentKey& o) const noexcept { return valid == o.valid && id == o.id; }
};

/// noexcept, so that the map does not keep a copy of each hash in its nodes either.
struct TorrentKeyHash {
  size_t operator()(const TorrentKey& k) const noexcept { return TorrentIdHash{}(k.id); }
};

/// Calls `f(live)`, where `live.handle` is the handle of the torrent `id` as looked up a moment
/// before. A torrent that torrent.remove takes away between the lookup and libtorrent's answer
/// (the handle throws invalid_torrent_handle) is not_found, as the same call a moment later
/// would say, not an internal error.
template <class Live, class F>
decltype(auto) on_live_handle(const std::string& id, const Live& live, F&& f) {
  try {
    return f(live);
  } catch (const lt::system_error& e) {
    if (e.code() != lt::errors::invalid_torrent_handle) throw;
    throw_not_found(id);
  }
}

struct Engine::Impl {
  std::shared_ptr<PeerGuardCounters> guard_counters = std::make_shared<PeerGuardCounters>();
  // One per torrent: at 10,000 torrents each 8 bytes here is 80 KB, so what is rare sits
  // behind a pointer and the flags share one word (static_assert below the struct).
  struct Entry {
    lt::torrent_handle handle;
    TorrentStatus status;
    ResumeFingerprint saved;  // what its resume file on disk holds
    std::shared_ptr<const lt::torrent_info> info;  // libtorrent's own, shared; null before metadata
    uint64_t changed = 0;    // the change sequence number of its last change (visit_since)
    // Its data is not where it was: rare, so behind one pointer (an add_torrent_params is 850
    // bytes, and 10,000 seeding torrents need none). Null when neither is the case.
    struct Away {
      // While its data is missing (state missing_data) the torrent is not in libtorrent at
      // all, so nothing can write into the empty location: its params wait here.
      std::optional<lt::add_torrent_params> parked;
      // Its data went away while it ran (the first missing file): parked once its resume data
      // is saved.
      std::optional<std::string> vanishing;
      bool vanishing_paused = false;  // whether the user had paused it then
    };
    std::unique_ptr<Away> away;
    lt::add_torrent_params* parked() const { return away && away->parked ? &*away->parked : nullptr; }
    const std::string* vanishing() const { return away && away->vanishing ? &*away->vanishing : nullptr; }
    // When seen seeding this run (SteadySeconds); 0 = not seeding.
    uint32_t seeding_since = 0;
    // Its own byte: save_modified() clears it under the shared lock (engine thread only), while
    // RPC threads read the bit-fields below.
    bool need_save_resume = false;
    bool returning : 1 = false;  // un-parked, waiting for libtorrent's add_torrent_alert
    // Read from its resume file at start: waiting its turn in restore_queue (queued), handed to
    // libtorrent with no add alert yet (handed), or added while libtorrent checks its resume
    // data (checking). handed and checking count in restores_in_flight.
    enum class Restore : uint8_t { none, queued, handed, checking };
    Restore restore : 2 = Restore::none;
    // Complete when handed to libtorrent (restored, or back from missing_data): the finished
    // alert libtorrent posts for it then is no news, so no torrent.finished event.
    bool complete_when_added : 1 = false;
    bool need_torrent_file : 1 = false;  // its .torrent is written with its next resume file
    // Handed to libtorrent complete, without smart_ban (which only acts on pieces that fail
    // their hash check while downloading); it gets it if it ever downloads.
    bool smart_ban_deferred : 1 = false;
  };
  static_assert(sizeof(Entry) == 312, "one per torrent: keep it packed (a map node of 344 bytes is a 352-byte chunk)");

  EngineSettings settings;
  WriteFailures write_failures;  // of the file writer's thread
  // State files whose writer a caller waits for (create_torrent): their failures go to it.
  AwaitedWrites awaited_writes;
  // download_dir and data_roots resolved now: a root's link may be changed while seedd runs.
  std::vector<std::filesystem::path> roots() const;
  std::vector<std::shared_ptr<lt::plugin>> plugins;
  // make_torrent_extensions() of the plugins above and libtorrent's; held here (before the
  // session, so destroyed after it) because every torrent plugin points into it.
  std::shared_ptr<lt::plugin> extensions;
  std::filesystem::path resume_dir, torrents_dir;
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
  std::unordered_map<TorrentKey, Entry, TorrentKeyHash> torrents;
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
  int sent_payload_metric = -1, recv_payload_metric = -1;  // session counter indices

  // libtorrent's own peer class filter (LAN peers exempt from limits), kept for rate_limit_lan
  lt::ip_filter lan_exempt_filter;  // written once in start()
  mutable std::mutex ip_filter_mutex;  // guards ip_filter_loaded; serializes loads
  IpFilterStats ip_filter_loaded;

  // save_resume_data requests whose answer has not arrived yet (any thread asks; stop() waits)
  std::atomic<int> outstanding_saves{0};

  // Torrents read from their resume files at start (state checking), handed to libtorrent a
  // hundred at a time by the engine thread (restore_some) so that libtorrent's alert queue never
  // overflows at 10,000 torrents. Only ids: restore_some reads each file again.
  std::vector<TorrentId> restore_queue;  // start(), then engine thread only
  size_t restore_next = 0;               // the first one not handed yet (engine thread)
  int restores_in_flight = 0;                        // mutex held
  // Restores removed by torrent.remove after they were handed to libtorrent and before its add
  // alert came: the alert removes them from libtorrent too (mutex held).
  std::set<std::string> restores_removed;
  // Torrents of the start not restored yet (queued, handed or checking; mutex held), and when
  // the start read the first resume file. When the last one is done the engine posts a status
  // update at once (restores_finished), so that torrent.list shows them all as they are then
  // and not up to a status interval later, and logs how long the restore took.
  int restores_pending = 0, restores_started = 0;
  std::chrono::steady_clock::time_point restore_started;
  std::atomic<bool> restores_finished{false};
  /// The entry's restore is over (checked, failed, removed or parked): its slot is free.
  void restore_done(Entry& e) {  // mutex held
    if (e.restore == Entry::Restore::none) return;
    if (e.restore == Entry::Restore::handed || e.restore == Entry::Restore::checking) --restores_in_flight;
    e.restore = Entry::Restore::none;
    if (--restores_pending == 0) restores_finished = true;
  }
  /// Takes `it` out of the list (mutex held): its restore slot is freed and delta listings
  /// (visit_since) see it gone.
  void erase_entry(decltype(torrents)::iterator it) {
    std::string id = it->first;
    restore_done(it->second);
    torrents.erase(it);
    removal_log.emplace_back(++change_seq, std::move(id));
    if (removal_log.size() > kRemovalLogMax) removal_log.pop_front();
  }
  // Writes resume and .torrent files in batches (one journal commit for many files) on its
  // own thread, so that the engine thread keeps up with libtorrent's alerts meanwhile.
  std::unique_ptr<util::FileWriter> writer;

  size_t burst_alerts = 0;  // engine thread only
  std::chrono::steady_clock::time_point last_busy{};  // the last round with many alerts

  static int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  std::filesystem::path resume_file(const std::string& id) const { return resume_dir / (id + ".resume"); }
  std::filesystem::path torrent_file(const std::string& id) const { return torrents_dir / (id + ".torrent"); }

  // engine.cpp: the session and its loop
  lt::settings_pack make_settings() const;
  lt::torrent_flags_t base_flags(bool paused) const;
  lt::torrent_flags_t with_pause(lt::torrent_flags_t flags, bool paused_by_user) const;
  void request_save(const lt::torrent_handle& h);
  static void with_smart_ban(lt::add_torrent_params& atp);
  void attach_deferred_smart_ban(lt::torrent_handle h);
  void register_torrent(const std::string& id, const lt::torrent_handle& h, std::vector<std::string> labels,
                        bool torrent_file_saved);
  size_t pump_alerts();
  void run();
  static void require_live(const Entry& e);
  Entry* find(const std::string& id);
  /// A live torrent's handle and metadata, copied under the lock so that libtorrent is asked
  /// without it. Throws not_found, or invalid_argument for a torrent in missing_data.
  struct Live {
    lt::torrent_handle handle;
    std::shared_ptr<const lt::torrent_info> info;
  };
  Live live(const std::string& info_hash) const;
  /// Calls `f(live(info_hash))` through on_live_handle().
  template <class F>
  decltype(auto) with_live(const std::string& info_hash, F&& f) const {
    return on_live_handle(info_hash, live(info_hash), std::forward<F>(f));
  }

  // alerts.cpp: one handler per alert type
  void handle_alert(lt::alert* a);
  void on_state_update(const lt::state_update_alert& a);
  void enforce_seed_limits(Entry& e, const lt::torrent_status& st);
  void on_save_resume_data(const lt::save_resume_data_alert& a);
  void on_save_resume_data_failed(const lt::save_resume_data_failed_alert& a);
  void on_add_torrent(const lt::add_torrent_alert& a);
  void on_state_changed(const lt::state_changed_alert& a);
  void on_metadata_received(const lt::metadata_received_alert& a);
  void release_magnet(const lt::torrent_handle& h, const std::string& id, const std::string& save_path,
                      const lt::torrent_info& info);
  void on_torrent_finished(const lt::torrent_finished_alert& a);
  void on_file_error(const lt::file_error_alert& a);
  void on_torrent_error(const lt::torrent_error_alert& a);
  void on_storage_moved(const lt::storage_moved_alert& a);
  void on_session_stats(const lt::session_stats_alert& a);
  void on_listen_succeeded(const lt::listen_succeeded_alert& a);
  void on_listen_failed(const lt::listen_failed_alert& a);
  void on_alerts_dropped(const lt::alerts_dropped_alert& a);
  void reconcile_handles();
  void on_other_alert(lt::alert* a);

  // missing_data.cpp: torrents whose data is not there
  static std::string missing_file(const lt::add_torrent_params& atp, int max_files = INT_MAX);
  static bool is_complete(const lt::add_torrent_params& atp);
  void park(const std::string& id, lt::add_torrent_params atp, TorrentStatus extras, const std::string& missing);
  void unpark(Entry& e, const char* why);
  static lt::add_torrent_params probe_of(const Entry& e);
  void check_vanished(const std::string& id);
  void finish_vanishing(const std::string& id, const lt::add_torrent_params* params);
  void retry_missing();

  // resume_store.cpp: resume and .torrent files
  static std::string torrent_bytes(const lt::torrent_info& ti);
  void queue_write(const std::string& id, std::filesystem::path path, std::string contents);
  void store_resume(const std::string& id, const lt::add_torrent_params& params);
  void write_state_files_now(const std::string& id, const std::string& torrent, const lt::add_torrent_params& atp);
  void remove_state_files_now(const std::string& id);
  void load_resume_files();
  std::optional<lt::add_torrent_params> read_resume(const std::filesystem::path& path, TorrentStatus* extras,
                                                    std::string& error);
  void restore_some();
  void save_modified();
};

}  // namespace seedd
