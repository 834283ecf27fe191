// Resume and .torrent files: what a torrent's resume file holds besides libtorrent's own keys
// (seedd's labels and limits), when it is worth rewriting (its fingerprint), writing both
// files through the file writer, and reading them all back at start.
#include <iterator>

#include <libtorrent/bdecode.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/read_resume_data.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>
#include <libtorrent/write_resume_data.hpp>
#include <spdlog/spdlog.h>

#include "daemon/engine/engine_impl.hpp"
#include "daemon/engine/lt_util.hpp"
#include "daemon/engine/status_map.hpp"
#include "daemon/util/atomic_file.hpp"

namespace seedd {
namespace fs = std::filesystem;

namespace {
// Torrents handed to libtorrent at start whose resume data it has not checked yet. Until then
// libtorrent holds a copy of each one's add_torrent_params, and its add_torrent_alert another;
// its alert queue and disk job pool keep the storage of their largest burst for good. Counted
// until the add alert, 500 left ~1.5 MB more than 100 for the rest of the run; counted until
// the check, another ~1 MB less. A restart of 10,000 is as fast (docs/benchmarks.md).
constexpr int kRestoreInFlight = 100;
}  // namespace

ResumeFingerprint ResumeFingerprint::of(const lt::add_torrent_params& p) {
  return {p.total_uploaded, p.total_downloaded, p.have_pieces.count(), static_cast<int32_t>(p.seeding_time / 3600),
          path_hash(p.save_path), bool(p.flags & lt::torrent_flags::paused)};
}

ResumeFingerprint ResumeFingerprint::of(const lt::torrent_status& st) {
  return {st.all_time_upload, st.all_time_download, st.num_pieces,
          static_cast<int32_t>(st.seeding_duration.count() / 3600), path_hash(st.save_path),
          bool(st.flags & lt::torrent_flags::paused)};
}

/// The .torrent of `ti` (its info dict and trackers); empty when it cannot be made.
std::string Engine::Impl::torrent_bytes(const lt::torrent_info& ti) {
  lt::create_torrent ct(ti);
  std::string buf;
  lt::bencode(std::back_inserter(buf), ct.generate());
  return buf;
}

/// Hands a state file of torrent `id` to the writer thread, unless the torrent was removed
/// (mutex held, so that remove() queues its deletions after this write, never before).
void Engine::Impl::queue_write(const std::string& id, fs::path path, std::string contents) {
  if (removed.count(id)) return;
  writer->write(std::move(path), std::move(contents));
}


/// Writes the resume data libtorrent saved for torrent `id`, with seedd's keys, and its .torrent
/// when that is still to be written (engine thread).
void Engine::Impl::store_resume(const std::string& id, const lt::add_torrent_params& params) {
  try {
    auto resume = lt::write_resume_data(params);
    std::shared_ptr<const lt::torrent_info> ti;
    {
      std::unique_lock lock(mutex);
      if (auto it = torrents.find(id); it != torrents.end()) {
        write_extras(resume, it->second.status);
        it->second.saved = ResumeFingerprint::of(params);
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
    spdlog::get("engine")->error("cannot save resume data of {}: {}", id, e.what());
  }
}

/// Writes the .torrent `torrent` and the resume data of `atp` of torrent `id` through the file
/// writer and waits until both are on disk. On failure removes them again and throws
/// EngineError(io) with the cause ("No space left on device").
void Engine::Impl::write_state_files_now(const std::string& id, const std::string& torrent,
                                         const lt::add_torrent_params& atp) {
  const auto resume = lt::write_resume_data_buf(atp);
  const std::vector<fs::path> paths{torrent_file(id), resume_file(id)};
  awaited_writes.expect(paths);
  writer->write(paths[0], torrent);
  writer->write(paths[1], std::string(resume.begin(), resume.end()));
  writer->flush();
  const auto error = awaited_writes.take(paths);
  if (error.empty()) return;
  remove_state_files_now(id);
  throw EngineError(EngineError::Kind::io, "cannot save the torrent's state files: " + error);
}

/// Removes what write_state_files_now() wrote and waits for it; a failure is not reported.
void Engine::Impl::remove_state_files_now(const std::string& id) {
  const std::vector<fs::path> paths{torrent_file(id), resume_file(id)};
  awaited_writes.expect(paths);
  for (const auto& path : paths) writer->remove(path);
  writer->flush();
  awaited_writes.take(paths);
}

/// The params of a resume file as libtorrent is to get them (seedd's pex and pause rules
/// applied), and seedd's keys in `extras` when asked for; nullopt and why in `error` when the
/// file cannot be read or parsed.
std::optional<lt::add_torrent_params> Engine::Impl::read_resume(const fs::path& path, TorrentStatus* extras,
                                                                std::string& error) {
  auto data = util::read_file(path);
  if (!data) {
    error = "cannot read " + path.string();
    return std::nullopt;
  }
  lt::error_code ec;
  auto atp = lt::read_resume_data({data->data(), static_cast<long>(data->size())}, ec);
  lt::bdecode_node node;
  if (!ec && extras) lt::bdecode(data->data(), data->data() + data->size(), node, ec);
  if (ec) {
    error = path.string() + ": " + ec.message();
    return std::nullopt;
  }
  if (!settings.pex) atp.flags |= lt::torrent_flags::disable_pex;
  // A torrent saved while queued (auto-managed and paused) was not paused by hand.
  atp.flags = with_pause(atp.flags, paused_by_hand(atp.flags));
  if (extras) {
    read_extras(node, *extras);
    // add_torrent_alert's copy of the params has these reset: keep them from here.
    extras->upload_limit = limit_or_zero(atp.upload_limit);
    extras->download_limit = limit_or_zero(atp.download_limit);
    extras->max_connections = static_cast<int32_t>(limit_or_zero(atp.max_connections));
  }
  return atp;
}

/// Puts every torrent of the resume directory in the list (state checking) and queues it for
/// restore_some(). Only the ids are queued: each resume file is read again when its turn comes,
/// so that no torrent's parsed params but its torrent_info (which the entry keeps) outlive this
/// loop. Held for the whole restore, 10,000 of them sat between the entries and libtorrent's
/// torrents on the heap, and the holes they left were ~2 MB of resident memory for good
/// (docs/benchmarks.md, "A sixth look"). Reading each file twice did not make the restart slower.
void Engine::Impl::load_resume_files() {
  auto log = spdlog::get("engine");
  std::error_code ec;
  int count = 0;
  restore_started = std::chrono::steady_clock::now();
  // One block for all the ids, not one that doubles: the blocks it would outgrow would be
  // holes between the entries.
  size_t files = 0;
  for (const auto& de : fs::directory_iterator(resume_dir, ec))
    if (de.path().extension() == ".resume") ++files;
  restore_queue.reserve(files);
  for (const auto& de : fs::directory_iterator(resume_dir, ec)) {
    if (de.path().extension() != ".resume") continue;
    TorrentStatus extras;
    std::string error;
    auto atp = read_resume(de.path(), &extras, error);
    if (!atp) {
      log->error("ignoring unreadable resume file: {}", error);
      continue;
    }
    const auto hashes = lt_util::info_hashes_of(*atp);
    const auto id = lt_util::id_of(hashes);
    const auto missing = missing_file(*atp);
    std::unique_lock lock(mutex);
    if (!missing.empty()) {
      log->warn("{}: data missing ({}); waiting for it to come back (state missing_data)", id, missing);
      park(id, std::move(*atp), std::move(extras), missing);
      ++count;
      continue;
    }
    // In the list at once (state checking), before libtorrent has it.
    // seedd's keys (labels, limits) are in the entry from here on: the add alert leaves them.
    auto& e = torrents[id];
    e.status = std::move(extras);
    e.status.info_hash = lt_util::torrent_id_of(hashes);
    e.status.name = atp->ti && !atp->ti->name().empty() ? atp->ti->name() : atp->name.empty() ? id : atp->name;
    e.status.save_path = intern(atp->save_path);
    e.status.state = TorrentState::checking;
    e.status.has_metadata = atp->ti != nullptr;
    e.status.total_size = atp->ti ? atp->ti->total_size() : 0;
    e.status.uploaded_bytes = atp->total_uploaded;
    e.status.downloaded_bytes = atp->total_downloaded;
    e.status.added_time = atp->added_time;
    e.status.completed_time = atp->completed_time;
    e.info = atp->ti;
    e.saved = ResumeFingerprint::of(*atp);
    e.restore = Entry::Restore::queued;
    ++restores_pending;
    ++restores_started;
    e.complete_when_added = is_complete(*atp);
    e.smart_ban_deferred = e.complete_when_added;
    touch(e);
    restore_queue.push_back(e.status.info_hash);
    ++count;
  }
  if (count) log->info("restoring {} torrents from resume data", count);
}

/// Hands queued torrents to libtorrent while fewer than kRestoreInFlight are in libtorrent with
/// their resume data not yet checked (engine thread). Each resume file is read again here, with
/// no lock held. A torrent removed while it waited is dropped; one whose resume file can no
/// longer be read (removed or damaged by hand since the start) leaves the list, as it would
/// have at the start.
void Engine::Impl::restore_some() {
  while (restore_next < restore_queue.size()) {
    {
      std::shared_lock lock(mutex);
      if (restores_in_flight >= kRestoreInFlight) return;
    }
    const TorrentId id = restore_queue[restore_next++];
    const auto hex = id.hex();
    const auto path = resume_file(hex);
    std::string error;
    auto atp = read_resume(path, nullptr, error);
    if (atp && lt_util::torrent_id_of(lt_util::info_hashes_of(*atp)) != id) {
      error = path.string() + " is now another torrent's";
      atp.reset();
    }
    std::unique_lock lock(mutex);
    auto it = torrents.find(id);
    // Removed while it waited (its file may be gone already: that is no error).
    if (it == torrents.end() || it->second.restore != Entry::Restore::queued) continue;
    if (!atp) {
      spdlog::get("engine")->error("{}: not restored, its resume file changed since the start: {}", hex, error);
      const auto name = it->second.status.name;
      erase_entry(it);
      emit(TorrentEvent::Kind::removed, hex, name);
      continue;
    }
    if (!it->second.smart_ban_deferred) with_smart_ban(*atp);
    it->second.restore = Entry::Restore::handed;
    session->async_add_torrent(std::move(*atp));
    ++restores_in_flight;
  }
  std::vector<TorrentId>().swap(restore_queue);
  restore_next = 0;
}

void Engine::Impl::save_modified() {
  std::shared_lock lock(mutex);
  for (auto& [id, e] : torrents)
    if (e.need_save_resume && e.handle.is_valid()) {
      request_save(e.handle);
      e.need_save_resume = false;  // an optimistic clear; the next status update resets it
    }
}

}  // namespace seedd
