// What libtorrent says of one torrent when a caller asks (torrent.get's details, its .torrent,
// files, trackers, pieces and peers), and the changes to its files and trackers. Each asks
// libtorrent's thread: not for every torrent at once.
#include <libtorrent/announce_entry.hpp>
#include <libtorrent/magnet_uri.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include "daemon/engine/engine_impl.hpp"
#include "daemon/engine/lt_util.hpp"
#include "daemon/engine/peer_list.hpp"
#include "daemon/engine/torrent_export.hpp"
#include "daemon/engine/tracker_state.hpp"

namespace seedd {

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
  std::vector<int64_t> progress;
  std::vector<lt::download_priority_t> priorities;
  const auto ti = m_impl->with_live(info_hash, [&](const Impl::Live& l) {
    if (l.info && l.info->is_valid()) {
      l.handle.file_progress(progress);
      priorities = l.handle.get_file_priorities();
    }
    return l.info;
  });
  if (!ti || !ti->is_valid()) return {};
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
  m_impl->with_live(info_hash, [&](const Impl::Live& l) {
    const auto& [h, ti] = l;
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
  });
}

std::vector<TrackerStatus> Engine::trackers(const std::string& info_hash) const {
  const auto entries = m_impl->with_live(info_hash, [](const Impl::Live& l) { return l.handle.trackers(); });
  const auto now_lt = lt::clock_type::now();
  const auto now_unix = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<TrackerStatus> out;
  for (const auto& ae : entries) out.push_back(tracker_status_of(ae, now_lt, now_unix));
  return out;
}

std::vector<bool> Engine::pieces(const std::string& info_hash) const {
  const auto st =
      m_impl->with_live(info_hash, [](const Impl::Live& l) { return l.handle.status(lt::torrent_handle::query_pieces); });
  std::vector<bool> out(static_cast<size_t>(st.pieces.size()));
  for (size_t i = 0; i < out.size(); ++i) out[i] = st.pieces.get_bit(lt::piece_index_t(static_cast<int>(i)));
  return out;
}

std::vector<PeerStatus> Engine::peers(const std::string& info_hash) const {
  std::vector<lt::peer_info> infos;
  m_impl->with_live(info_hash, [&](const Impl::Live& l) { l.handle.get_peer_info(infos); });
  return peer_statuses_of(infos);
}

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
  m_impl->with_live(info_hash, [&](const Impl::Live& l) {
    l.handle.replace_trackers(entries);
    if (!entries.empty()) l.handle.force_reannounce();
    m_impl->request_save(l.handle);
  });
}
}  // namespace seedd
