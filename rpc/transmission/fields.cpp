#include "rpc/transmission/fields.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "daemon/util/base64.hpp"

namespace seedd::rpc::transmission {
namespace {

int64_t left_until_done(const TorrentStatus& t) { return std::max<int64_t>(0, t.total_size - t.total_done); }

bool is_checking(const TorrentStatus& t) { return t.state == TorrentState::checking; }

/// Bytes still wanted that connected peers could send: an estimate (libtorrent counts piece
/// availability only per peer round trip); all of it when a seed is connected.
int64_t desired_available(const TorrentStatus& t) { return t.num_seeds > 0 ? left_until_done(t) : 0; }

/// Transmission's "finished": the seeding goal was met (so a stopped torrent is done for good).
bool is_finished(const TorrentStatus& t) {
  if (t.seed_limit_reached) return true;
  const int64_t base = t.downloaded_bytes > 0 ? t.downloaded_bytes : t.total_size;
  return t.seed_ratio_limit_permille >= 0 && base > 0 && left_until_done(t) == 0 &&
         t.uploaded_bytes * 1000 >= t.seed_ratio_limit_permille * base;
}

// libtorrent does not count peers by direction without a round trip per torrent; these two
// are estimates from the rates and unchoke counts the snapshot has.
int64_t peers_getting_from_us(const TorrentStatus& t) {
  if (t.upload_rate <= 0 || t.num_peers <= 0) return 0;
  return std::clamp<int64_t>(t.num_uploads, 1, t.num_peers);
}
int64_t peers_sending_to_us(const TorrentStatus& t) {
  if (t.download_rate <= 0 || t.num_peers <= 0) return 0;
  return std::clamp<int64_t>(t.num_seeds, 1, t.num_peers);
}

int64_t peer_limit(const TorrentView& v) {
  return v.status().max_connections > 0 ? v.status().max_connections : v.facts().global_peer_limit;
}

std::string magnet_of(TorrentView& v) {
  if (const auto* d = v.details(); d && !d->magnet.empty()) return d->magnet;
  const auto hash = v.status().info_hash.hex();
  std::string m = "magnet:?xt=urn:btih:" + hash;
  if (v.status().name != hash) {
    m += "&dn=";
    static const char* hex = "0123456789ABCDEF";
    for (unsigned char c : v.status().name) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') m += static_cast<char>(c);
      else m += std::string{'%', hex[c >> 4], hex[c & 15]};
    }
  }
  return m;
}

/// "scheme://host:port" of an announce URL (Transmission's tracker `host`).
std::string url_host(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto host_end = url.find_first_of("/?", scheme_end + 3);
  std::string host = url.substr(0, host_end);
  const auto authority = host.substr(scheme_end + 3);
  if (authority.find(':') == std::string::npos || (authority.front() == '[' && authority.back() == ']')) {
    const auto scheme = url.substr(0, scheme_end);
    host += scheme == "https" ? ":443" : scheme == "http" ? ":80" : "";
  }
  return host;
}

/// The tracker's site name: "example" for udp://tracker.example.org:1337/announce.
std::string sitename(const std::string& url) {
  const auto scheme_end = url.find("://");
  std::string host = url.substr(scheme_end == std::string::npos ? 0 : scheme_end + 3);
  host = host.substr(0, host.find_first_of("/?"));
  if (!host.empty() && host.front() == '[') return host.substr(1, host.find(']') - 1);
  host = host.substr(0, host.find(':'));
  if (!host.empty() && std::isdigit(static_cast<unsigned char>(host.back()))) return host;  // an IPv4 literal
  const auto last = host.rfind('.');
  if (last == std::string::npos || last == 0) return host;
  const auto before = host.rfind('.', last - 1);
  return host.substr(before == std::string::npos ? 0 : before + 1, last - (before == std::string::npos ? 0 : before + 1));
}

/// BEP 48's convention: the scrape URL is the announce URL with "announce" in its last path
/// part replaced; empty when the tracker has none.
std::string scrape_url(const std::string& url) {
  const auto slash = url.rfind('/');
  if (slash == std::string::npos || url.compare(slash + 1, 8, "announce") != 0) return {};
  return url.substr(0, slash + 1) + "scrape" + url.substr(slash + 9);
}

json tracker_list_json(TorrentView& v) {
  json out = json::array();
  int64_t id = 0;
  for (const auto& t : v.trackers())
    out.push_back({{"announce", t.url}, {"id", id++}, {"scrape", scrape_url(t.url)}, {"sitename", sitename(t.url)}, {"tier", t.tier}});
  return out;
}

std::string tracker_list_text(TorrentView& v) {
  std::string out;
  int tier = -1;
  for (const auto& t : v.trackers()) {
    if (tier >= 0 && t.tier != tier) out += "\n";
    out += t.url + "\n";
    tier = t.tier;
  }
  return out;
}

json tracker_stats_json(TorrentView& v) {
  json out = json::array();
  int64_t id = 0;
  for (const auto& t : v.trackers()) {
    const bool announced = t.verified || t.fails > 0;
    const bool scraped = t.seeds >= 0 || t.peers >= 0;
    // Transmission's tr_tracker_state: 0 inactive, 1 waiting, 2 queued, 3 active.
    const int state = t.updating ? 3 : t.next_announce_time > 0 ? 1 : 0;
    out.push_back({{"announce", t.url},
                   {"announceState", state},
                   {"downloadCount", t.downloaded},
                   {"hasAnnounced", announced},
                   {"hasScraped", scraped},
                   {"host", url_host(t.url)},
                   {"id", id++},
                   {"isBackup", false},
                   {"lastAnnouncePeerCount", 0},
                   {"lastAnnounceResult", t.message.empty() ? (announced ? "Success" : "") : t.message},
                   {"lastAnnounceStartTime", 0},
                   {"lastAnnounceSucceeded", t.verified && t.fails == 0},
                   {"lastAnnounceTime", 0},
                   {"lastAnnounceTimedOut", false},
                   {"lastScrapeResult", ""},
                   {"lastScrapeStartTime", 0},
                   {"lastScrapeSucceeded", scraped},
                   {"lastScrapeTime", 0},
                   {"lastScrapeTimedOut", false},
                   {"leecherCount", t.peers},
                   {"nextAnnounceTime", t.next_announce_time},
                   {"nextScrapeTime", 0},
                   {"scrape", scrape_url(t.url)},
                   {"scrapeState", 0},
                   {"seederCount", t.seeds},
                   {"sitename", sitename(t.url)},
                   {"tier", t.tier}});
  }
  return out;
}

std::string pieces_base64(TorrentView& v) {
  const auto& bits = v.pieces();
  std::string bytes((bits.size() + 7) / 8, '\0');
  for (size_t i = 0; i < bits.size(); ++i)
    if (bits[i]) bytes[i / 8] = static_cast<char>(bytes[i / 8] | (0x80 >> (i % 8)));
  return util::base64_encode(bytes);
}

using Getter = json (*)(TorrentView&);

// The names and order of Transmission 4.0.6's torrent-get (docs/rpc-spec.md of that tag).
const std::vector<std::pair<std::string, Getter>>& table() {
  static const std::vector<std::pair<std::string, Getter>> fields = {
      {"activityDate", [](TorrentView& v) -> json { return v.status().last_activity_time; }},
      {"addedDate", [](TorrentView& v) -> json { return v.status().added_time; }},
      {"bandwidthPriority", [](TorrentView&) -> json { return 0; }},
      {"comment", [](TorrentView& v) -> json { return v.details() ? v.details()->comment : ""; }},
      {"corruptEver", [](TorrentView& v) -> json { return v.status().corrupt_bytes; }},
      {"creator", [](TorrentView& v) -> json { return v.details() ? v.details()->creator : ""; }},
      {"dateCreated", [](TorrentView& v) -> json { return v.details() ? v.details()->creation_date : 0; }},
      {"desiredAvailable", [](TorrentView& v) -> json { return desired_available(v.status()); }},
      {"doneDate", [](TorrentView& v) -> json { return v.status().completed_time; }},
      {"downloadDir", [](TorrentView& v) -> json { return v.status().save_path.get(); }},
      {"downloadedEver", [](TorrentView& v) -> json { return v.status().downloaded_bytes; }},
      {"downloadLimit", [](TorrentView& v) -> json { return v.status().download_limit / kSpeedUnitBytes; }},
      {"downloadLimited", [](TorrentView& v) -> json { return v.status().download_limit > 0; }},
      {"editDate", [](TorrentView&) -> json { return 0; }},
      {"error", [](TorrentView& v) -> json { return v.status().error.empty() ? 0 : 3; }},  // 3: local error
      {"errorString", [](TorrentView& v) -> json { return v.status().error.get(); }},
      {"eta", [](TorrentView& v) -> json { return eta_of(v.status()); }},
      {"etaIdle", [](TorrentView&) -> json { return kEtaNotAvailable; }},
      {"file-count", [](TorrentView& v) -> json { return v.details() ? v.details()->file_count : 0; }},
      {"fileCount", [](TorrentView& v) -> json { return v.details() ? v.details()->file_count : 0; }},
      {"files",
       [](TorrentView& v) -> json {
         json out = json::array();
         for (const auto& f : v.files())
           out.push_back({{"bytesCompleted", f.done_bytes}, {"length", f.size}, {"name", f.path},
                          {"begin_piece", f.first_piece}, {"end_piece", f.last_piece + 1}});
         return out;
       }},
      {"fileStats",
       [](TorrentView& v) -> json {
         json out = json::array();
         for (const auto& f : v.files())
           out.push_back({{"bytesCompleted", f.done_bytes}, {"wanted", f.priority > 0}, {"priority", tr_priority(f.priority)}});
         return out;
       }},
      {"group", [](TorrentView&) -> json { return ""; }},
      {"hashString", [](TorrentView& v) -> json { return v.status().info_hash.hex(); }},
      {"haveUnchecked", [](TorrentView&) -> json { return 0; }},
      {"haveValid", [](TorrentView& v) -> json { return v.status().total_done; }},
      {"honorsSessionLimits", [](TorrentView&) -> json { return true; }},
      {"id", [](TorrentView& v) -> json { return v.id(); }},
      {"isFinished", [](TorrentView& v) -> json { return is_finished(v.status()); }},
      {"isPrivate", [](TorrentView& v) -> json { return v.details() ? v.details()->is_private : false; }},
      {"isStalled", [](TorrentView&) -> json { return false; }},
      {"labels", [](TorrentView& v) -> json { return v.status().labels.get(); }},
      {"leftUntilDone", [](TorrentView& v) -> json { return left_until_done(v.status()); }},
      {"magnetLink", [](TorrentView& v) -> json { return magnet_of(v); }},
      {"manualAnnounceTime", [](TorrentView&) -> json { return -1; }},
      {"maxConnectedPeers", [](TorrentView& v) -> json { return peer_limit(v); }},
      {"metadataPercentComplete", [](TorrentView& v) -> json { return v.status().has_metadata ? 1 : 0; }},
      {"name", [](TorrentView& v) -> json { return v.status().name; }},
      {"peer-limit", [](TorrentView& v) -> json { return peer_limit(v); }},
      {"peers", peers_json},
      {"peersConnected", [](TorrentView& v) -> json { return v.status().num_peers; }},
      {"peersFrom", peers_from_json},
      {"peersGettingFromUs", [](TorrentView& v) -> json { return peers_getting_from_us(v.status()); }},
      {"peersSendingToUs", [](TorrentView& v) -> json { return peers_sending_to_us(v.status()); }},
      {"percentComplete",
       [](TorrentView& v) -> json {
         const auto* d = v.details();
         const int64_t total = d ? d->total_size : v.status().total_size;
         return real(total > 0 ? static_cast<double>(v.status().total_done) / static_cast<double>(total)
                               : v.status().progress_ppm / 1e6);
       }},
      {"percentDone", [](TorrentView& v) -> json { return real(v.status().progress_ppm / 1e6); }},
      {"pieceCount", [](TorrentView& v) -> json { return v.details() ? v.details()->piece_count : 0; }},
      {"pieceSize", [](TorrentView& v) -> json { return v.details() ? v.details()->piece_size : 0; }},
      {"pieces", [](TorrentView& v) -> json { return pieces_base64(v); }},
      {"primary-mime-type", [](TorrentView&) -> json { return "application/octet-stream"; }},
      {"priorities",
       [](TorrentView& v) -> json {
         json out = json::array();
         for (const auto& f : v.files()) out.push_back(tr_priority(f.priority));
         return out;
       }},
      {"queuePosition", [](TorrentView& v) -> json { return v.id() - 1; }},
      {"rateDownload", [](TorrentView& v) -> json { return v.status().download_rate; }},
      {"rateUpload", [](TorrentView& v) -> json { return v.status().upload_rate; }},
      {"recheckProgress",
       [](TorrentView& v) -> json { return real(is_checking(v.status()) ? v.status().progress_ppm / 1e6 : 0); }},
      {"secondsDownloading",
       [](TorrentView& v) -> json { return std::max<int64_t>(0, v.status().active_seconds - v.status().finished_seconds); }},
      {"secondsSeeding", [](TorrentView& v) -> json { return v.status().seeding_seconds; }},
      {"seedIdleLimit",
       [](TorrentView& v) -> json {
         return v.status().seed_idle_limit_minutes >= 0 ? v.status().seed_idle_limit_minutes : kDefaultSeedIdleMinutes;
       }},
      // 0: the session's (no limit in seedd), 1: this torrent's.
      {"seedIdleMode", [](TorrentView& v) -> json { return v.status().seed_idle_limit_minutes >= 0 ? 1 : 0; }},
      {"seedRatioLimit",
       [](TorrentView& v) -> json {
         return real(v.status().seed_ratio_limit_permille >= 0 ? v.status().seed_ratio_limit_permille / 1000.0
                                                               : kDefaultSeedRatio);
       }},
      {"seedRatioMode", [](TorrentView& v) -> json { return v.status().seed_ratio_limit_permille >= 0 ? 1 : 0; }},
      {"sizeWhenDone", [](TorrentView& v) -> json { return v.status().total_size; }},
      {"startDate", [](TorrentView& v) -> json { return v.status().paused ? int64_t{0} : v.status().added_time; }},
      {"status", [](TorrentView& v) -> json { return static_cast<int>(activity_of(v.status())); }},
      {"torrentFile",
       [](TorrentView& v) -> json { return (v.facts().torrents_dir / (v.status().info_hash.hex() + ".torrent")).string(); }},
      {"totalSize",
       [](TorrentView& v) -> json { return v.details() ? v.details()->total_size : v.status().total_size; }},
      {"trackerList", [](TorrentView& v) -> json { return tracker_list_text(v); }},
      {"trackerStats", [](TorrentView& v) -> json { return tracker_stats_json(v); }},
      {"trackers", [](TorrentView& v) -> json { return tracker_list_json(v); }},
      {"uploadLimit", [](TorrentView& v) -> json { return v.status().upload_limit / kSpeedUnitBytes; }},
      {"uploadLimited", [](TorrentView& v) -> json { return v.status().upload_limit > 0; }},
      {"uploadRatio", [](TorrentView& v) -> json { return real(upload_ratio_of(v.status())); }},
      {"uploadedEver", [](TorrentView& v) -> json { return v.status().uploaded_bytes; }},
      {"wanted",
       [](TorrentView& v) -> json {
         json out = json::array();
         for (const auto& f : v.files()) out.push_back(f.priority > 0 ? 1 : 0);
         return out;
       }},
      {"webseeds", [](TorrentView& v) -> json { return v.details() ? v.details()->web_seeds : std::vector<std::string>{}; }},
      {"webseedsSendingToUs", [](TorrentView&) -> json { return 0; }},
  };
  return fields;
}

const std::unordered_map<std::string_view, Getter>& index() {
  static const auto map = [] {
    std::unordered_map<std::string_view, Getter> m;
    for (const auto& [name, getter] : table()) m.emplace(name, getter);
    return m;
  }();
  return map;
}

}  // namespace

json real(double v) {
  if (!std::isfinite(v)) return 0;
  const double rounded = std::round(v * 10000) / 10000;
  if (rounded == std::floor(rounded) && std::fabs(rounded) < 9e15) return static_cast<int64_t>(rounded);
  return rounded;
}

Activity activity_of(const TorrentStatus& t) {
  using S = TorrentState;
  if (t.paused || t.state == S::error || t.state == S::paused) return Activity::stopped;
  if (t.state == S::checking) return Activity::check;
  if (t.state == S::seeding || t.state == S::finished) return Activity::seed;
  if (t.state == S::downloading || t.state == S::downloading_metadata) return Activity::download;
  // Waiting in seedd's queue (active_seeds/active_downloads): Transmission's "queued".
  if (t.state == S::queued) return t.progress_ppm >= 1000000 ? Activity::seed_wait : Activity::download_wait;
  return Activity::stopped;
}

int64_t eta_of(const TorrentStatus& t) {
  switch (activity_of(t)) {
    case Activity::download:
      // As Transmission: no estimate while no peer has what is missing.
      if (left_until_done(t) > desired_available(t)) return kEtaNotAvailable;
      if (t.download_rate <= 0) return kEtaUnknown;
      return left_until_done(t) / t.download_rate;
    case Activity::seed: {
      if (t.seed_ratio_limit_permille < 0) return kEtaNotAvailable;
      const int64_t base = t.downloaded_bytes > 0 ? t.downloaded_bytes : t.total_size;
      const int64_t goal = t.seed_ratio_limit_permille * base / 1000;
      if (t.uploaded_bytes >= goal) return 0;
      if (t.upload_rate <= 0) return kEtaUnknown;
      return (goal - t.uploaded_bytes) / t.upload_rate;
    }
    default:
      return kEtaNotAvailable;
  }
}

double upload_ratio_of(const TorrentStatus& t) {
  const int64_t down = t.downloaded_bytes > 0 ? t.downloaded_bytes : t.total_done;
  if (down > 0) return static_cast<double>(t.uploaded_bytes) / static_cast<double>(down);
  return t.uploaded_bytes > 0 ? kRatioInfinite : kRatioNotAvailable;
}

int tr_priority(int lt) {
  if (lt >= 5) return 1;
  if (lt >= 1 && lt <= 3) return -1;
  return 0;  // 4 (default) and 0 (skipped: `wanted` says so)
}

int lt_priority(int tr) { return tr > 0 ? 7 : tr < 0 ? 1 : 4; }

const TorrentDetails* TorrentView::details() {
  if (!m_details) m_details = m_engine.details(m_t.status.info_hash.hex());
  return *m_details ? &**m_details : nullptr;
}

const std::vector<FileStatus>& TorrentView::files() {
  if (!m_files) {
    try {
      m_files = m_engine.files(m_t.status.info_hash.hex());
    } catch (const EngineError&) {
      m_files.emplace();
    }
  }
  return *m_files;
}

const std::vector<TrackerStatus>& TorrentView::trackers() {
  if (!m_trackers) {
    try {
      m_trackers = m_engine.trackers(m_t.status.info_hash.hex());
    } catch (const EngineError&) {
      m_trackers.emplace();
    }
  }
  return *m_trackers;
}

const std::vector<bool>& TorrentView::pieces() {
  if (!m_pieces) {
    try {
      m_pieces = m_engine.pieces(m_t.status.info_hash.hex());
    } catch (const EngineError&) {
      m_pieces.emplace();
    }
  }
  return *m_pieces;
}

const std::vector<PeerStatus>& TorrentView::peers() {
  if (!m_peers) {
    try {
      m_peers = m_engine.peers(m_t.status.info_hash.hex());
    } catch (const EngineError&) {
      m_peers.emplace();
    }
  }
  return *m_peers;
}

std::optional<json> TorrentView::field(std::string_view name) {
  const auto& idx = index();
  auto it = idx.find(name);
  if (it == idx.end()) return std::nullopt;
  return it->second(*this);
}

const std::vector<std::string>& torrent_field_names() {
  static const auto names = [] {
    std::vector<std::string> out;
    for (const auto& [name, getter] : table()) out.push_back(name);
    return out;
  }();
  return names;
}

}  // namespace seedd::rpc::transmission
