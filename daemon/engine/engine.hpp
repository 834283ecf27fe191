#pragma once
// The engine: one libtorrent session, one alert loop, resume data, torrent operations and a
// snapshot of every torrent's state. This header is plain C++ (no libtorrent) so that rpc/ and
// the tests can include it without the engine's compile cost.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include <utility>

#include "daemon/engine/port_mapping.hpp"
#include "daemon/engine/torrent_status.hpp"

namespace libtorrent {
struct plugin;
}

namespace seedd {

/// The engine's settings that can change while it runs (SIGHUP, session.set).
struct NetworkSettings {
  int64_t upload_limit = 0, download_limit = 0;  // bytes per second, 0 = unlimited
  int max_connections = 500;
  bool dht = true, lsd = true, upnp = true, natpmp = true;
  // Loopback and LAN peers are subject to the rate limits too (libtorrent exempts them: they
  // are in its "local" peer class). Applies to connections made after the change.
  bool rate_limit_lan = false;
  int upload_slots = 8;  // peers unchoked at once over all torrents (libtorrent's default); -1 = no limit
  std::string encryption = "enabled";  // enabled | forced | disabled (BitTorrent protocol encryption)
  std::string proxy;  // "" or socks5://[user:password@]host:port, for peers and trackers
};

/// What the last load of the ip_filter file found.
struct IpFilterStats {
  std::string path;      // "" = no filter
  int64_t rules = 0;     // ranges blocked
  int64_t bad_lines = 0; // lines that did not parse (skipped)
  std::string error;     // the file could not be read (the filter is then empty)
};

/// What the engine needs from the configuration.
struct EngineSettings {
  std::filesystem::path data_dir;
  std::filesystem::path download_dir;
  std::vector<std::filesystem::path> data_roots;  // allowed besides download_dir
  std::string listen = "0.0.0.0:6881,[::]:6881";
  bool pex = true, utp = true;
  NetworkSettings network;  // at start; what is in force later: Engine::network()
  std::filesystem::path ip_filter;  // p2p or dat blocklist; empty = none
  // How often a torrent in state missing_data looks for its files again.
  std::chrono::milliseconds missing_data_retry{30000};
  // Queueing (0 = no limit). With neither set every torrent is active, as libtorrent is told
  // with non-auto-managed torrents; with one set, torrents not paused by hand are auto-managed.
  int active_seeds = 0;
  int active_downloads = 0;
  // libtorrent's disk I/O threads (aio_threads); its default of 10 costs CPU per block seeded.
  int disk_threads = 2;
  bool queueing() const { return active_seeds > 0 || active_downloads > 0; }
};

/// A .torrent larger than this is refused, and never read past it (libtorrent's own default
/// limit for a .torrent).
constexpr int64_t kMaxTorrentFileBytes = 100 * 1024 * 1024;

/// A typed failure of an engine operation; rpc/ maps the kind to a JSON-RPC code.
struct EngineError : std::runtime_error {
  enum class Kind { invalid_argument, not_found, io };
  EngineError(Kind kind, const std::string& message) : std::runtime_error(message), kind(kind) {}
  Kind kind;
};

/// What set_torrent() changes; an empty field is left as it is.
struct TorrentSettings {
  std::optional<std::vector<std::string>> labels;
  std::optional<int64_t> upload_limit, download_limit;  // bytes per second, 0 = none
  std::optional<int32_t> max_connections;                // 0 = none
  std::optional<int64_t> seed_ratio_limit_permille;      // -1 = never
  std::optional<int64_t> seed_idle_limit_minutes;        // -1 = never
};

/// What the .torrent says, once the torrent has its metadata.
struct TorrentDetails {
  int64_t total_size = 0;  // every file, wanted or not
  int32_t piece_count = 0;
  int32_t piece_size = 0;
  int32_t file_count = 0;
  std::string comment, creator;
  int64_t creation_date = 0;  // unix seconds, 0 = not given
  bool is_private = false;
  std::string magnet;
  std::vector<std::string> web_seeds;
};

struct FileStatus {
  std::string path;  // inside the save path, with the torrent's folder
  int64_t size = 0;
  int64_t done_bytes = 0;
  int priority = 4;  // libtorrent's 0 (skip) .. 7 (top), 4 = default
  int32_t first_piece = 0, last_piece = 0;
};

struct TrackerStatus {
  std::string url;
  int tier = 0;
  std::string message;  // the tracker's last error or warning; empty when fine
  int fails = 0;        // failed announces in a row
  bool updating = false;
  bool verified = false;  // answered at least once
  std::string endpoint;   // the local endpoint whose result this is ("" before any announce)
  int64_t seeds = -1, peers = -1, downloaded = -1;  // from the last scrape, -1 = unknown
  int64_t next_announce_time = 0;  // unix seconds, 0 = none scheduled
};

/// One connected peer of a torrent, as libtorrent's peer list has it (web seeds left out).
struct PeerStatus {
  std::string ip;  // without brackets for IPv6
  int port = 0;
  std::string client;  // from the peer id or the extension handshake; may be empty
  double progress = 0;  // of the peer, 0..1
  int64_t upload_rate = 0, download_rate = 0;  // bytes per second, to and from the peer
  bool incoming = false, utp = false, encrypted = false;
  bool choked = true;              // we choke it: it may not download from us
  bool interested = false;         // it wants pieces we have
  bool remote_choked = true;       // it chokes us
  bool we_are_interested = false;  // we want pieces it has
  bool optimistic_unchoke = false;
  // Where libtorrent first heard of it (a peer may have several sources).
  bool from_tracker = false, from_dht = false, from_pex = false, from_lsd = false, from_resume = false;
};

struct AddTorrentRequest {
  std::optional<std::string> magnet;
  std::optional<std::string> torrent_bytes;  // bencoded .torrent
  std::optional<std::filesystem::path> torrent_path;
  std::optional<std::filesystem::path> save_path;
  bool paused = false;
  std::vector<std::string> peers;  // "host:port" to connect to directly
  std::vector<std::string> labels;
};

/// The hashes a made torrent carries: v1 (SHA-1 pieces, BEP 3) is what every client reads; v2
/// (BEP 52, SHA-256 trees) only libtorrent 2.x clients; a hybrid carries both, and clients that
/// know only v1 mishandle it (docs/architecture.md).
enum class TorrentVersion { v1, v2, hybrid };

struct CreateTorrentRequest {
  std::filesystem::path path;  // a file or directory under an allowed root
  std::vector<std::string> trackers;
  std::string comment;
  TorrentVersion version = TorrentVersion::v1;
};

struct CreatedTorrent {
  std::string info_hash;
  std::string magnet;
  std::string torrent_bytes;
  bool existed = false;  // the torrent was there already: nothing new was added
};

/// Something that happened to a torrent, for clients that follow the daemon (rpc/ publishes it).
struct TorrentEvent {
  enum class Kind { added, finished, removed, error };
  Kind kind;
  std::string info_hash;
  std::string name;
  std::string error;  // for Kind::error
};

struct SessionStats {
  int64_t upload_rate = 0, download_rate = 0;
  int64_t uploaded_bytes = 0, downloaded_bytes = 0;  // payload, this run
  int64_t run_uploaded_bytes = 0, run_downloaded_bytes = 0;  // payload since start, removed torrents too
  int64_t num_torrents = 0, num_peers = 0;
  int64_t dht_nodes = 0;
  /// Peers refused by the guards in front of libtorrent 2.0.8's remote bugs (peer_guard.hpp).
  int64_t peers_refused_v2_bit = 0;
  int64_t peers_refused_allowed_fast = 0;
};

/// What visit_since() returns beside the torrents it visited.
struct TorrentDelta {
  std::vector<std::string> removed;  // ids removed since the cursor (an id also visited came back)
  std::string cursor;                // pass it next time
  bool full = false;  // the cursor was empty, from another run, or too old: every torrent was visited
};

class Engine {
 public:
  explicit Engine(EngineSettings settings);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Adds a session plugin (the receipt extension); call before start().
  void add_plugin(std::shared_ptr<libtorrent::plugin> plugin);

  /// Receives every TorrentEvent, on the engine's thread (or the remover's); set before start().
  /// It must be quick and must not call back into the engine.
  void on_event(std::function<void(const TorrentEvent&)> sink);

  /// Starts the session and the alert loop, and re-adds every torrent from resume data.
  void start();
  /// Saves resume data for every modified torrent (waiting for the replies, up to `budget`)
  /// and stops the session. Safe to call twice and after a failed start().
  void stop(std::chrono::milliseconds budget = std::chrono::milliseconds(8000));

  /// Adds a torrent; returns its info-hash. Adding one that is already there returns its hash
  /// (and sets *added to false, if given).
  std::string add_torrent(const AddTorrentRequest& request, bool* added = nullptr);
  /// Makes a torrent of a file or directory under an allowed root and seeds it (or finds that
  /// the same torrent is there already: `existed`).
  CreatedTorrent create_torrent(const CreateTorrentRequest& request);
  std::vector<TorrentStatus> list() const;
  /// list() without copies: calls `visitor` with each torrent while the snapshot is locked.
  /// `visitor` must be quick and must not call the Engine: the alert loop waits meanwhile.
  void visit(const std::function<void(const TorrentStatus&)>& visitor) const;
  /// The torrents changed since `cursor` (from an earlier call; empty = every torrent), each
  /// handed to `visitor` as visit() does, and the ids removed since then: the snapshot only, no
  /// libtorrent call.
  TorrentDelta visit_since(const std::string& cursor, const std::function<void(const TorrentStatus&)>& visitor) const;
  std::optional<TorrentStatus> get(const std::string& info_hash) const;
  void pause(const std::string& info_hash);
  void resume(const std::string& info_hash);
  void remove(const std::string& info_hash, bool delete_data);
  /// Checks the torrent's data again (a full hash check). For a torrent in missing_data, looks
  /// for its files now; with `redownload` it is handed to libtorrent even though they are
  /// missing, which then downloads them again into its save path.
  void recheck(const std::string& info_hash, bool redownload = false);
  /// Announces to every tracker (and the DHT) now.
  void reannounce(const std::string& info_hash);
  /// Moves the data to `path`, which must lie under an allowed directory. With move_data false
  /// the data is expected there already: files found there are kept, the rest are moved, and
  /// the torrent is checked again.
  void move(const std::string& info_hash, const std::filesystem::path& path, bool move_data = true);
  /// Labels, limits and seeding limits of one torrent; kept across restarts.
  void set_torrent(const std::string& info_hash, const TorrentSettings& settings);
  /// The .torrent's facts; nullopt when there is no such torrent or no metadata yet.
  std::optional<TorrentDetails> details(const std::string& info_hash) const;
  /// The torrent's .torrent file (the kept one, or made from its metadata); throws
  /// EngineError(not_found) for no such torrent and (invalid_argument) before its metadata came.
  std::string torrent_file(const std::string& info_hash) const;
  /// Every file with its progress and priority (asks libtorrent: not for every torrent at once).
  std::vector<FileStatus> files(const std::string& info_hash) const;
  /// Sets file priorities (libtorrent's 0 = skip .. 7), as (file index, priority) pairs.
  void set_file_priorities(const std::string& info_hash, const std::vector<std::pair<int, int>>& priorities);
  /// Every tracker with its last result (asks libtorrent: not for every torrent at once).
  std::vector<TrackerStatus> trackers(const std::string& info_hash) const;
  /// Which pieces the torrent has, in order (asks libtorrent: not for every torrent at once).
  std::vector<bool> pieces(const std::string& info_hash) const;
  /// The torrent's connected peers (asks libtorrent: not for every torrent at once).
  std::vector<PeerStatus> peers(const std::string& info_hash) const;
  SessionStats stats() const;

  /// The settings the engine was made with (the limits that change at run time: rate_limits()).
  const EngineSettings& settings() const;
  /// Replaces the torrent's trackers with `trackers` (announce URL, tier) and announces.
  void replace_trackers(const std::string& info_hash, const std::vector<std::pair<std::string, int>>& trackers);

  /// Listen endpoints as "ip:port" that the session actually bound.
  std::vector<std::string> listen_endpoints() const;
  uint16_t listen_port() const;
  /// UPnP and NAT-PMP mappings of the listen port as libtorrent reported them (none while both
  /// are off).
  std::vector<PortMapping> port_mappings() const;
  static std::string libtorrent_version();

  /// Resolves `path` and checks that it lies under download_dir or a data root; throws
  /// EngineError(invalid_argument) naming `what` otherwise. Rejects any ".." component.
  std::filesystem::path confine_path(const std::filesystem::path& path, const std::string& what) const;

  /// True while the alert loop runs and has turned within the last few seconds (watchdog).
  bool healthy() const;
  /// The last failure to write a state file (resume data, .torrent) if it was recent, for
  /// /healthz; nullopt when none failed lately.
  std::optional<std::string> state_files_problem() const;

  /// Applies every field of `network` to the running session (SIGHUP, session.set). Limits,
  /// slots and switches act at once; rate_limit_lan, encryption and the proxy on connections
  /// made from then on. Values past libtorrent's int range are capped. Call after start().
  void apply_network(const NetworkSettings& network);
  /// The settings in force, read back from the live session (libtorrent's settings pack and
  /// peer class filter), so a caller sees what really changed. The proxy URL includes its
  /// password: mask it before showing it.
  NetworkSettings network() const;
  /// (Re)reads the blocklist at `path` (p2p or dat format; "" = no filter) and makes it the
  /// session's IP filter, which also drops connected peers it now blocks. Lines that do not
  /// parse are counted and logged, not fatal; an unreadable file leaves no filter in force.
  IpFilterStats load_ip_filter(const std::filesystem::path& path);
  IpFilterStats ip_filter_stats() const;

  /// The global limits libtorrent enforces right now (read back from the live session).
  struct RateLimits {
    int64_t upload = 0, download = 0;  // bytes per second, 0 = unlimited
    int max_connections = 0;
  };
  /// Changes the global upload and download limits (bytes per second, 0 = unlimited; values
  /// past libtorrent's int range are capped to it) and the connection limit while running
  /// (SIGHUP). Call after start().
  void apply_rate_limits(int64_t upload, int64_t download, int max_connections);
  RateLimits rate_limits() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

/// True if `s` is 40 hex digits.
bool is_info_hash_hex(const std::string& s);

}  // namespace seedd
