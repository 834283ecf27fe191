// Torrents whose data is not there (state missing_data): found missing at start, or gone while
// seedd runs (a volume unmounted). Such a torrent is kept out of libtorrent ("parked"), so that
// nothing writes into the empty location, and handed back when its files are (docs/architecture.md).
#include <optional>

#include <libtorrent/read_resume_data.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/write_resume_data.hpp>
#include <spdlog/spdlog.h>

#include "daemon/engine/engine_impl.hpp"
#include "daemon/engine/lt_util.hpp"
#include "daemon/engine/status_map.hpp"
#include "daemon/util/atomic_file.hpp"

namespace seedd {
namespace fs = std::filesystem;

/// The first file the torrent has data for that is not on disk, or the save path itself
/// when that is gone; empty when nothing is missing (or there is nothing to miss yet).
std::string Engine::Impl::missing_file(const lt::add_torrent_params& atp, int max_files) {
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
bool Engine::Impl::is_complete(const lt::add_torrent_params& atp) {
  if (atp.flags & lt::torrent_flags::seed_mode) return true;
  return atp.ti && atp.ti->is_valid() && atp.have_pieces.size() >= atp.ti->num_pieces() && atp.have_pieces.all_set();
}

/// Keeps a torrent whose data is missing out of libtorrent (mutex held).
void Engine::Impl::park(const std::string& id, lt::add_torrent_params atp, TorrentStatus extras, const std::string& missing) {
  auto& e = torrents[id];
  e.status = std::move(extras);
  auto& t = e.status;
  t.info_hash = lt_util::torrent_id_of(atp.ti->info_hashes());
  t.name = atp.ti->name().empty() ? id : atp.ti->name();
  t.save_path = intern(atp.save_path);
  t.state = TorrentState::missing_data;
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
  e.away = std::make_unique<Entry::Away>();
  e.away->parked = std::move(atp);
  touch(e);
}

/// Hands a parked torrent to libtorrent (mutex held); its resume data spares a full check
/// when the files are back intact.
void Engine::Impl::unpark(Entry& e, const char* why) {
  auto atp = std::move(*e.away->parked);
  e.away.reset();
  e.returning = true;
  e.complete_when_added = is_complete(atp);
  if (e.complete_when_added) e.smart_ban_deferred = true;
  else with_smart_ban(atp);
  e.status.state = TorrentState::checking;
  e.status.error = {};
  touch(e);
  spdlog::get("engine")->info("{}: {}", e.status.info_hash.hex(), why);
  session->async_add_torrent(std::move(atp));
}

/// The params to look for a live torrent's files with: every file counts as holding data
/// when the torrent is complete, else only the save path is looked for.
lt::add_torrent_params Engine::Impl::probe_of(const Entry& e) {
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
void Engine::Impl::check_vanished(const std::string& id) {
  lt::add_torrent_params probe;
  {
    std::shared_lock lock(mutex);
    auto it = torrents.find(id);
    if (it == torrents.end() || it->second.away || !it->second.info ||
        !it->second.handle.is_valid())
      return;
    probe = probe_of(it->second);
  }
  const auto missing = missing_file(probe);  // file system calls: no lock held
  if (missing.empty()) return;
  std::unique_lock lock(mutex);
  auto it = torrents.find(id);
  if (it == torrents.end() || it->second.away) return;
  auto& e = it->second;
  spdlog::get("engine")->warn("{}: data gone while running ({}); waiting for it to come back (state missing_data)",
                              id, missing);
  e.away = std::make_unique<Entry::Away>();
  e.away->vanishing = missing;
  e.away->vanishing_paused = e.status.paused;
  // Pause it first, so nothing is read or written until it is out of the session.
  e.handle.unset_flags(lt::torrent_flags::auto_managed);
  e.handle.pause();
  ++outstanding_saves;
  e.handle.save_resume_data(lt::torrent_handle::flush_disk_cache);
}

/// The second half of check_vanished, once its resume data was saved (`params`) or could not
/// be (null: the last resume file on disk is used).
void Engine::Impl::finish_vanishing(const std::string& id, const lt::add_torrent_params* params) {
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
    if (it == torrents.end() || !it->second.vanishing()) return;
    lock.unlock();
    if (auto data = util::read_file(resume_file(id))) {
      lt::error_code ec;
      auto read = lt::read_resume_data({data->data(), static_cast<long>(data->size())}, ec);
      if (!ec) atp = std::move(read);
    }
  }
  std::unique_lock lock(mutex);
  auto it = torrents.find(id);
  if (it == torrents.end() || !it->second.vanishing()) return;
  auto& e = it->second;
  const auto missing = *e.vanishing();
  const bool was_paused = e.away->vanishing_paused;
  e.away.reset();
  if (!atp) {
    spdlog::get("engine")->error("{}: no resume data to keep it by while its data is missing; left as it is", id);
    return;
  }
  if (!atp->ti) atp->ti = std::const_pointer_cast<lt::torrent_info>(e.info);
  atp->flags = with_pause(atp->flags, was_paused);
  if (!settings.pex) atp->flags |= lt::torrent_flags::disable_pex;
  session->remove_torrent(e.handle);
  e.handle = lt::torrent_handle();
  restore_done(e);
  auto extras = e.status;
  extras.paused = was_paused;
  park(id, std::move(*atp), std::move(extras), missing);
}

/// Looks for the files of every parked torrent, and for those of every seeding one (a
/// volume can go away under a torrent that nobody downloads from; engine thread).
void Engine::Impl::retry_missing() {
  std::vector<std::pair<std::string, lt::add_torrent_params>> parked;
  std::vector<std::pair<std::string, lt::add_torrent_params>> live;
  {
    std::shared_lock lock(mutex);
    for (const auto& [id, e] : torrents)
      if (e.parked()) parked.emplace_back(id, *e.parked());
      else if (e.info && e.handle.is_valid() && !e.vanishing() && e.status.state == TorrentState::seeding)
        live.emplace_back(id, probe_of(e));
  }
  // One file each is enough to notice a volume that went away, and keeps this cheap.
  for (const auto& [id, probe] : live)
    if (!missing_file(probe, 1).empty()) check_vanished(id);
  for (const auto& [id, atp] : parked) {
    const auto missing = missing_file(atp);  // file system calls: no lock held
    std::unique_lock lock(mutex);
    auto it = torrents.find(id);
    if (it == torrents.end() || !it->second.parked()) continue;
    if (missing.empty())
      unpark(it->second, "its data is back, seeding again");
    else if (it->second.status.error.get() != "data missing: " + missing) {
      it->second.status.error = "data missing: " + missing;
      touch(it->second);
    }
  }
}

}  // namespace seedd
