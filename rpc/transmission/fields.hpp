#pragma once
// torrent-get's fields: each of Transmission's names, computed from seedd's state. Counts,
// ids, rates, sizes and times are JSON integers (transmission-remote drops a row whose `eta`
// is -1.0); ratios and fractions go through real(), which writes whole values as integers,
// as Transmission does.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/engine/engine.hpp"
#include "rpc/transmission/registry.hpp"

namespace seedd::rpc::transmission {

using json = nlohmann::json;

/// Transmission's tr_torrent_activity.
enum class Activity : int { stopped = 0, check_wait = 1, check = 2, download_wait = 3, download = 4, seed_wait = 5, seed = 6 };
constexpr int64_t kEtaNotAvailable = -1;
constexpr int64_t kEtaUnknown = -2;
constexpr double kRatioNotAvailable = -1;
constexpr double kRatioInfinite = -2;
/// Transmission's speeds are in kB/s of 1000 bytes (its `units`).
constexpr int64_t kSpeedUnitBytes = 1000;
/// What session-get reports as the default seeding limits (seedd's default is no limit: these
/// only show when a client switches a limit on without giving a value).
constexpr double kDefaultSeedRatio = 2.0;
constexpr int64_t kDefaultSeedIdleMinutes = 30;

/// A number the way Transmission writes a double: an integer when it is whole, else rounded to
/// four decimals.
json real(double v);

Activity activity_of(const TorrentStatus& t);
int64_t eta_of(const TorrentStatus& t);
double upload_ratio_of(const TorrentStatus& t);
/// libtorrent's file priority (0..7) as Transmission's (-1 low, 0 normal, 1 high) and back.
int tr_priority(int lt_priority);
int lt_priority(int tr_priority);

/// Facts that are the same for every torrent of one request.
struct SessionFacts {
  int64_t now_unix = 0;
  int32_t global_peer_limit = 0;
  std::filesystem::path torrents_dir;  // where seedd keeps the .torrent files
};

/// One torrent as torrent-get reads it: the snapshot, and what must be asked of the engine
/// (details, files, trackers, pieces), each fetched at most once and only when a requested
/// field needs it.
class TorrentView {
 public:
  TorrentView(const Listed& t, const Engine& engine, const SessionFacts& facts)
      : m_t(t), m_engine(engine), m_facts(facts) {}
  /// The value of field `name`; nullopt for a name torrent-get does not know.
  std::optional<json> field(std::string_view name);

  int64_t id() const { return m_t.id; }
  const TorrentStatus& status() const { return m_t.status; }
  const SessionFacts& facts() const { return m_facts; }
  /// Null before the torrent has its metadata. A torrent removed meanwhile reads as empty.
  const TorrentDetails* details();
  const std::vector<FileStatus>& files();
  const std::vector<TrackerStatus>& trackers();
  const std::vector<bool>& pieces();
  const std::vector<PeerStatus>& peers();

 private:
  const Listed& m_t;
  const Engine& m_engine;
  const SessionFacts& m_facts;
  std::optional<std::optional<TorrentDetails>> m_details;
  std::optional<std::vector<FileStatus>> m_files;
  std::optional<std::vector<TrackerStatus>> m_trackers;
  std::optional<std::vector<bool>> m_pieces;
  std::optional<std::vector<PeerStatus>> m_peers;
};

/// Transmission's flagStr of a peer (the letters of its peer-mgr; transmission-remote -pi
/// shows them): O optimistic unchoke, D/d downloading from it (or would, but it chokes us),
/// U/u uploading to it (or would, but we choke it), K it unchoked us but we are not
/// interested, ? we unchoked it but it is not interested, E encrypted, H from the DHT,
/// X from PEX, I incoming, T uTP.
std::string flag_str(const PeerStatus& p);
/// torrent-get's `peers` and `peersFrom` (rpc/transmission/peer_fields.cpp).
json peers_json(TorrentView& v);
json peers_from_json(TorrentView& v);

/// Every field name torrent-get answers (the docs list them).
const std::vector<std::string>& torrent_field_names();

}  // namespace seedd::rpc::transmission
