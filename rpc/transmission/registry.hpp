#pragma once
// Transmission's clients name torrents by small integers, and ask for the "recently-active"
// ones. seedd names them by info-hash; this registry keeps the mapping for the life of the
// process. Plain C++ over the engine's snapshot, so the unit tests drive it with made-up ones.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/engine/engine.hpp"

namespace seedd::rpc::transmission {

/// A torrent changed (or was added, or moved bytes) this long ago counts as recently active,
/// and an id removed this long ago is still reported in `removed` (Transmission's 60 s).
constexpr std::chrono::seconds kRecentlyActive{60};

/// One torrent as a method sees it: its integer id and its state.
struct Listed {
  int64_t id;
  TorrentStatus status;
};

/// What an `ids` argument selected.
struct Selection {
  std::vector<Listed> torrents;     // in id order
  bool recently_active = false;     // the request asked for "recently-active"
  std::vector<int64_t> removed;     // ids removed within kRecentlyActive (for recently-active)
};

/// Integer ids start at 1 and are never given to another torrent while the process runs; a
/// torrent that is removed and added again gets a new one, as in Transmission. Thread-safe.
class Registry {
 public:
  using Clock = std::chrono::steady_clock;

  /// Brings the registry up to date with the engine's snapshot and picks the torrents `ids`
  /// names (a JSON value; null means all). Throws std::invalid_argument naming what is wrong
  /// with a malformed `ids`; ids or hashes that name no torrent are skipped (as Transmission).
  Selection select(std::vector<TorrentStatus> snapshot, const nlohmann::json& ids, Clock::time_point now);

  /// The id of a torrent seen in the last select() (assigning one if it is new).
  int64_t id_of(const TorrentId& info_hash);

 private:
  struct Known {
    int64_t id;
    size_t fingerprint;
    Clock::time_point changed;
    uint64_t seen;  // the refresh() that last found it in the snapshot
  };
  void refresh(std::vector<TorrentStatus>& snapshot, Clock::time_point now);

  std::mutex m_mutex;  // guards everything below
  int64_t m_next_id = 1;
  uint64_t m_refreshes = 0;
  std::unordered_map<TorrentId, Known, TorrentIdHash> m_known;  // by info-hash
  std::map<int64_t, Clock::time_point> m_removed;     // id -> when it was noticed gone
};

}  // namespace seedd::rpc::transmission
