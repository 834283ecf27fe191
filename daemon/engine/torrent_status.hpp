#pragma once
// One torrent as the engine's snapshot holds it (TorrentStatus), and the compact types its
// fields are made of. The snapshot holds one per torrent for as long as seedd runs, so every
// byte here is 10 KB at 10,000 torrents: an id is 20 bytes, not a 40-character string on the
// heap; a state is a byte; a save path most torrents share is held once. Plain C++.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/engine/torrent_states.hpp"

namespace seedd {

/// A torrent's id (docs/protocol.md 3): its v1 info-hash, or the first 20 bytes of a v2-only
/// torrent's. Shown as 40 lower-case hex digits. All zero = not set.
class TorrentId {
 public:
  TorrentId() = default;
  explicit TorrentId(const std::array<uint8_t, 20>& bytes) : m_bytes(bytes) {}
  /// From exactly 40 hex digits of either case; nullopt otherwise.
  static std::optional<TorrentId> from_hex(std::string_view hex);

  const std::array<uint8_t, 20>& bytes() const { return m_bytes; }
  bool empty() const { return m_bytes == std::array<uint8_t, 20>{}; }
  /// 40 lower-case hex digits ("" when not set).
  std::string hex() const;
  /// Appends hex() to `out` without a string of its own.
  void append_hex(std::string& out) const;

  friend bool operator==(const TorrentId& a, const TorrentId& b) { return a.m_bytes == b.m_bytes; }
  friend bool operator!=(const TorrentId& a, const TorrentId& b) { return a.m_bytes != b.m_bytes; }
  /// The order of hex(): bytes compare as their hex digits do.
  friend bool operator<(const TorrentId& a, const TorrentId& b) { return a.m_bytes < b.m_bytes; }

 private:
  std::array<uint8_t, 20> m_bytes{};
};

/// An info-hash is uniformly random: its first bytes are a hash already.
struct TorrentIdHash {
  size_t operator()(const TorrentId& id) const noexcept {
    size_t h = 0;
    std::memcpy(&h, id.bytes().data(), sizeof h);
    return h;
  }
};

/// An immutable value behind one pointer with a reference count: copying one copies a pointer.
/// For what a torrent rarely has (an error, labels) or shares with most others (its save path,
/// see intern()). An empty value holds nothing at all.
template <class T>
class Shared;
Shared<std::string> intern(std::string_view text);

template <class T>
class Shared {
 public:
  Shared() noexcept = default;
  Shared(T value) {  // NOLINT(google-explicit-constructor): status.error = "..."
    if (!value.empty()) m_block = new Block(std::move(value));
  }
  Shared(const Shared& o) noexcept : m_block(o.m_block) { retain(); }
  Shared(Shared&& o) noexcept : m_block(o.m_block) { o.m_block = nullptr; }
  Shared& operator=(Shared o) noexcept {
    std::swap(m_block, o.m_block);
    return *this;
  }
  ~Shared() { release(); }

  const T& get() const noexcept {
    static const T kEmpty{};
    return m_block ? m_block->value : kEmpty;
  }
  operator const T&() const noexcept { return get(); }  // NOLINT(google-explicit-constructor)
  bool empty() const noexcept { return m_block == nullptr; }
  auto begin() const noexcept { return get().begin(); }
  auto end() const noexcept { return get().end(); }
  size_t size() const noexcept { return get().size(); }
  friend bool operator==(const Shared& a, const T& b) { return a.get() == b; }
  friend bool operator!=(const Shared& a, const T& b) { return !(a.get() == b); }
  friend bool operator==(const Shared& a, const Shared& b) { return a.m_block == b.m_block || a.get() == b.get(); }

 private:
  friend Shared<std::string> intern(std::string_view text);
  struct Block {
    explicit Block(T v) : value(std::move(v)) {}
    std::atomic<uint32_t> refs{1};
    const T value;
  };
  void retain() const noexcept {
    if (m_block) m_block->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void release() noexcept {
    if (m_block && m_block->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete m_block;
    m_block = nullptr;
  }
  Block* m_block = nullptr;
};

using SharedText = Shared<std::string>;
using SharedLabels = Shared<std::vector<std::string>>;

/// `text` as one SharedText for every caller that passes the same characters: a save path is
/// held once however many torrents share it. Thread-safe; unused entries are dropped as the
/// table grows.
SharedText intern(std::string_view text);

/// A torrent's state; state_name() is what torrent.list shows. The order is kTorrentStates'.
enum class TorrentState : uint8_t {
  checking,
  downloading_metadata,
  downloading,
  finished,
  seeding,
  paused,
  queued,  // waiting its turn under active_seeds/active_downloads
  error,
  missing_data,  // its files are not where it had them: it waits, outside libtorrent
  unknown,
};
static_assert(static_cast<size_t>(TorrentState::unknown) + 1 == kTorrentStates.size(),
              "one name per state");

inline std::string_view state_name(TorrentState s) { return kTorrentStates[static_cast<size_t>(s)]; }

/// One torrent as the snapshot holds it. Byte counts are all-time payload bytes. Fields are
/// ordered so that no padding is left (static_assert in torrent_status.cpp).
struct TorrentStatus {
  TorrentId info_hash;
  int32_t progress_ppm = 0;
  std::string name;
  SharedText error;      // empty when fine
  SharedText save_path;  // interned
  // Kept by seedd (resume data) and changed with set_torrent().
  SharedLabels labels;
  int64_t total_size = 0;
  int64_t total_done = 0;
  int64_t uploaded_bytes = 0;
  int64_t downloaded_bytes = 0;
  int32_t upload_rate = 0;  // payload bytes per second (libtorrent's are int too)
  int32_t download_rate = 0;
  int32_t num_peers = 0;
  int32_t num_seeds = 0;
  int64_t added_time = 0;  // unix seconds
  int64_t completed_time = 0;
  int64_t corrupt_bytes = 0;       // payload that failed its hash check, this run
  int64_t last_activity_time = 0;  // unix seconds of the last payload up or down; 0 = none this run
  int32_t full_checks = 0;         // full hash checks of the data since this daemon started
  int32_t num_uploads = 0;         // peers we have unchoked (may download from us)
  int32_t active_seconds = 0, finished_seconds = 0, seeding_seconds = 0;  // all time
  int32_t max_connections = 0;                                            // this torrent's, 0 = none
  int64_t upload_limit = 0, download_limit = 0;  // this torrent's, bytes per second, 0 = none
  int64_t seed_ratio_limit_permille = -1;  // pause once uploaded / downloaded reaches it; -1 = never
  int64_t seed_idle_limit_minutes = -1;    // pause after seeding this long without upload; -1 = never
  TorrentState state = TorrentState::checking;
  bool paused = false;
  bool has_metadata = false;
  bool moving = false;              // its data is being moved (move())
  bool seed_limit_reached = false;  // paused by one of the two seeding limits
};

}  // namespace seedd
