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

namespace libtorrent {
struct plugin;
}

namespace seedd {

/// What the engine needs from the configuration.
struct EngineSettings {
  std::filesystem::path data_dir;
  std::filesystem::path download_dir;
  std::vector<std::filesystem::path> data_roots;  // allowed besides download_dir
  std::string listen = "0.0.0.0:6881,[::]:6881";
  bool dht = true, lsd = true, upnp = true, natpmp = true, pex = true, utp = true;
  int64_t upload_limit = 0, download_limit = 0;  // bytes per second, 0 = unlimited
  int max_connections = 500;
};

/// A typed failure of an engine operation; rpc/ maps the kind to a JSON-RPC code.
struct EngineError : std::runtime_error {
  enum class Kind { invalid_argument, not_found, io };
  EngineError(Kind kind, const std::string& message) : std::runtime_error(message), kind(kind) {}
  Kind kind;
};

/// One torrent as the snapshot holds it. Byte counts are all-time payload bytes.
struct TorrentStatus {
  std::string info_hash;  // 40 hex: v1 hash, or the first 20 bytes of a v2-only torrent's
  std::string name;
  std::string state;  // checking, downloading_metadata, downloading, seeding, finished, paused, error
  std::string error;
  std::string save_path;
  bool paused = false;
  bool has_metadata = false;
  int32_t progress_ppm = 0;
  int64_t total_size = 0;
  int64_t total_done = 0;
  int64_t uploaded_bytes = 0;
  int64_t downloaded_bytes = 0;
  int64_t upload_rate = 0;    // payload bytes per second
  int64_t download_rate = 0;
  int32_t num_peers = 0;
  int32_t num_seeds = 0;
  int64_t added_time = 0;     // unix seconds
  int64_t completed_time = 0;
  int32_t full_checks = 0;    // full hash checks of the data since this daemon started
};

struct AddTorrentRequest {
  std::optional<std::string> magnet;
  std::optional<std::string> torrent_bytes;  // bencoded .torrent
  std::optional<std::filesystem::path> torrent_path;
  std::optional<std::filesystem::path> save_path;
  bool paused = false;
  std::vector<std::string> peers;  // "host:port" to connect to directly
};

struct CreatedTorrent {
  std::string info_hash;
  std::string magnet;
  std::string torrent_bytes;
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
  int64_t num_torrents = 0, num_peers = 0;
  int64_t dht_nodes = 0;
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

  /// Adds a torrent; returns its info-hash. Adding one that is already there returns its hash.
  std::string add_torrent(const AddTorrentRequest& request);
  /// Makes a torrent of a file or directory under an allowed root and seeds it.
  CreatedTorrent create_torrent(const std::filesystem::path& path, const std::vector<std::string>& trackers,
                                const std::string& comment);
  std::vector<TorrentStatus> list() const;
  std::optional<TorrentStatus> get(const std::string& info_hash) const;
  void pause(const std::string& info_hash);
  void resume(const std::string& info_hash);
  void remove(const std::string& info_hash, bool delete_data);
  SessionStats stats() const;

  /// Listen endpoints as "ip:port" that the session actually bound.
  std::vector<std::string> listen_endpoints() const;
  uint16_t listen_port() const;
  static std::string libtorrent_version();

  /// Resolves `path` and checks that it lies under download_dir or a data root; throws
  /// EngineError(invalid_argument) naming `what` otherwise. Rejects any ".." component.
  std::filesystem::path confine_path(const std::filesystem::path& path, const std::string& what) const;

  /// True while the alert loop runs and has turned within the last few seconds (watchdog).
  bool healthy() const;

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
