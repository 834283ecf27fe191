// The alert loop's handlers: handle_alert() sends each alert libtorrent posts to the one
// handler of its type (engine thread). What the handlers keep is in the snapshot
// (Engine::Impl::torrents); resume data goes on to resume_store.cpp, and a torrent whose files
// went away to missing_data.cpp.
#include <algorithm>

#include <libtorrent/alert_types.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/torrent_info.hpp>
#include <spdlog/spdlog.h>

#include "daemon/engine/engine_impl.hpp"
#include "daemon/engine/listen_port.hpp"
#include "daemon/engine/lt_util.hpp"
#include "daemon/engine/path_guard.hpp"
#include "daemon/engine/status_map.hpp"

namespace seedd {

namespace {
/// `a` as the alert type its type() says it is.
template <class A>
const A& as(const lt::alert* a) {
  return *static_cast<const A*>(a);
}
}  // namespace

void Engine::Impl::handle_alert(lt::alert* a) {
  using namespace lt;
  switch (a->type()) {
    case state_update_alert::alert_type: return on_state_update(as<state_update_alert>(a));
    case save_resume_data_alert::alert_type: return on_save_resume_data(as<save_resume_data_alert>(a));
    case save_resume_data_failed_alert::alert_type: return on_save_resume_data_failed(as<save_resume_data_failed_alert>(a));
    case add_torrent_alert::alert_type: return on_add_torrent(as<add_torrent_alert>(a));
    case state_changed_alert::alert_type: return on_state_changed(as<state_changed_alert>(a));
    case metadata_received_alert::alert_type: return on_metadata_received(as<metadata_received_alert>(a));
    case torrent_finished_alert::alert_type: return on_torrent_finished(as<torrent_finished_alert>(a));
    case file_error_alert::alert_type: return on_file_error(as<file_error_alert>(a));
    case torrent_error_alert::alert_type: return on_torrent_error(as<torrent_error_alert>(a));
    case storage_moved_alert::alert_type: return on_storage_moved(as<storage_moved_alert>(a));
    case session_stats_alert::alert_type: return on_session_stats(as<session_stats_alert>(a));
    case listen_succeeded_alert::alert_type: return on_listen_succeeded(as<listen_succeeded_alert>(a));
    case listen_failed_alert::alert_type: return on_listen_failed(as<listen_failed_alert>(a));
    case alerts_dropped_alert::alert_type: return on_alerts_dropped(as<alerts_dropped_alert>(a));
    default: return on_other_alert(a);
  }
}

void Engine::Impl::on_state_update(const lt::state_update_alert& a) {
  std::unique_lock lock(mutex);
  for (const auto& st : a.status) {
    auto it = torrents.find(lt_util::torrent_id_of(st.info_hashes));
    // (An update from before it was parked, or that would show the pause of a vanishing one.)
    if (it == torrents.end() || it->second.away) continue;
    const int checks = it->second.status.full_checks;
    fill_status(it->second.status, st);
    it->second.status.full_checks = checks;
    touch(it->second);
    it->second.need_save_resume = st.need_save_resume && !(ResumeFingerprint::of(st) == it->second.saved);
    enforce_seed_limits(it->second, st);
  }
}

namespace {

// Entry::seeding_since is 32 bits: whole seconds since the engine first asked, plus one (so
// that 0 means none), good for 136 years of uptime.
std::chrono::steady_clock::time_point steady_epoch() {
  static const auto epoch = std::chrono::steady_clock::now();
  return epoch;
}
uint32_t to_steady_seconds(std::chrono::steady_clock::time_point t) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(t - steady_epoch()).count();
  return 1 + static_cast<uint32_t>(std::max<int64_t>(0, s));
}
std::chrono::steady_clock::time_point from_steady_seconds(uint32_t s) {
  return steady_epoch() + std::chrono::seconds(s - 1);
}

}  // namespace

/// Pauses a seeding torrent that reached its ratio or idle limit (mutex held, engine thread).
void Engine::Impl::enforce_seed_limits(Entry& e, const lt::torrent_status& st) {
  auto& t = e.status;
  const bool seeding = (st.is_seeding || st.is_finished) && !t.paused && !st.errc;
  if (!seeding) {
    e.seeding_since = 0;
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (e.seeding_since == 0) e.seeding_since = to_steady_seconds(now);
  std::string why;
  // As Transmission: the ratio's base is what was downloaded, or the data's size when it
  // was all there from the start.
  const int64_t base = t.downloaded_bytes > 0 ? t.downloaded_bytes : t.total_size;
  if (t.seed_ratio_limit_permille >= 0 && base > 0 &&
      t.uploaded_bytes * 1000 >= t.seed_ratio_limit_permille * base)
    why = "ratio limit reached";
  if (t.seed_idle_limit_minutes >= 0) {
    auto idle_from = from_steady_seconds(e.seeding_since);
    if (st.last_upload != lt::time_point{})
      idle_from = std::max(idle_from, now - std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                lt::clock_type::now() - st.last_upload));
    if (now - idle_from >= std::chrono::minutes(t.seed_idle_limit_minutes)) why = "idle seeding limit reached";
  }
  if (why.empty()) return;
  spdlog::get("engine")->info("{}: {}, pausing", t.info_hash.hex(), why);
  e.handle.unset_flags(lt::torrent_flags::auto_managed);
  e.handle.pause(lt::torrent_handle::graceful_pause);
  t.paused = true;
  t.state = TorrentState::paused;
  t.seed_limit_reached = true;
  e.seeding_since = 0;
  touch(e);
  request_save(e.handle);
}

void Engine::Impl::on_save_resume_data(const lt::save_resume_data_alert& a) {
  --outstanding_saves;
  const auto id = lt_util::id_of(a.params.info_hashes);
  {
    std::shared_lock lock(mutex);
    if (removed.count(id)) return;
  }
  store_resume(id, a.params);
  finish_vanishing(id, &a.params);
}

void Engine::Impl::on_save_resume_data_failed(const lt::save_resume_data_failed_alert& a) {
  --outstanding_saves;
  finish_vanishing(lt_util::id_of(a.handle.info_hashes()), nullptr);
}

void Engine::Impl::on_add_torrent(const lt::add_torrent_alert& a) {
  if (a.error) {
    spdlog::get("engine")->error("cannot add torrent {}: {}", a.torrent_name(), a.error.message());
    const auto id = lt_util::id_of(lt_util::info_hashes_of(a.params));
    std::unique_lock lock(mutex);
    if (auto it = torrents.find(id); it != torrents.end() && it->second.restore != Entry::Restore::none) {
      restore_done(it->second);
      it->second.status.state = TorrentState::error;
      it->second.status.error = a.error.message();
      touch(it->second);
    }
    return;
  }
  // From the params, not the handle: a torrent removed before this alert is handled has a
  // handle that answers an all-zero info-hash, and it came back as a ghost entry "000...0".
  const auto ih = lt_util::info_hashes_of(a.params);
  const auto id = lt_util::id_of(ih);
  std::unique_lock lock(mutex);
  if (restores_removed.erase(id)) {  // torrent.remove came first: it goes now
    session->remove_torrent(a.handle);
    return;
  }
  // Removed (torrent.remove right after torrent.add or torrent.create) before this alert came:
  // libtorrent has let it go already; it must not come back as a new entry.
  if (removed.count(id) && torrents.find(id) == torrents.end()) return;
  if (!a.handle.is_valid() && torrents.find(id) == torrents.end()) return;  // gone already
  auto& e = torrents[id];
  if (e.handle.is_valid()) return;
  // Restored from its resume file: no news (main.cpp publishes one session.started).
  const bool restored = e.restore != Entry::Restore::none;
  if (e.restore == Entry::Restore::handed) e.restore = Entry::Restore::checking;  // in flight until checked
  e.handle = a.handle;
  touch(e);
  if (e.returning) {  // back from missing_data: the same torrent, not a new one
    e.returning = false;
    return;
  }
  e.status.info_hash = lt_util::torrent_id_of(ih);
  e.status.name = a.params.ti ? a.params.ti->name() : a.params.name.empty() ? id : a.params.name;
  e.status.save_path = intern(a.params.save_path);
  e.status.state = TorrentState::checking;
  // A restored torrent's labels and limits were read into its entry with its resume file
  // (load_resume_files); the alert's copy of the params has the limits reset.
  e.info = a.params.ti;
  // Under the lock, as the RPC threads do: torrent.added is always numbered first.
  if (!restored) emit(TorrentEvent::Kind::added, id, e.status.name);
}

void Engine::Impl::on_state_changed(const lt::state_changed_alert& a) {
  if (a.state == lt::torrent_status::downloading) attach_deferred_smart_ban(a.handle);
  const bool checked = a.prev_state == lt::torrent_status::checking_resume_data;  // libtorrent leaves it in every case
  if (a.state != lt::torrent_status::checking_files && !checked) return;
  std::unique_lock lock(mutex);
  auto it = torrents.find(lt_util::torrent_id_of(a.handle.info_hashes()));
  if (it == torrents.end()) return;
  if (checked && it->second.restore == Entry::Restore::checking) restore_done(it->second);
  if (a.state == lt::torrent_status::checking_files) {
    ++it->second.status.full_checks;
    touch(it->second);
  }
}

void Engine::Impl::on_metadata_received(const lt::metadata_received_alert& a) {
  const auto id = lt_util::id_of(a.handle.info_hashes());
  auto info = a.handle.torrent_file();
  auto bytes = info ? torrent_bytes(*info) : std::string();
  std::string save_path;
  {
    std::unique_lock lock(mutex);
    if (auto it = torrents.find(id); it != torrents.end()) {
      it->second.info = info;
      save_path = it->second.status.save_path;
    }
    if (info) queue_write(id, torrent_file(id), std::move(bytes));
  }
  if (info) release_magnet(a.handle, id, save_path, *info);
  request_save(a.handle);
}

/// A magnet is added in upload mode (nothing is requested, so nothing written) because its
/// file names are not known yet; with them, it may download unless one of its folders or
/// files in the save path is a link out of the allowed roots (engine thread).
void Engine::Impl::release_magnet(const lt::torrent_handle& h, const std::string& id, const std::string& save_path,
                                  const lt::torrent_info& info) {
  const auto where = save_path.empty() ? h.status(lt::torrent_handle::query_save_path).save_path : save_path;
  const auto escape = path_guard::link_leaving_roots(where, info.files(), roots());
  if (escape.empty()) {
    h.unset_flags(lt::torrent_flags::upload_mode);
    return;
  }
  // Paused as torrent.pause does (not left to the queue, which would start it again); it
  // stays in upload mode, so even a torrent.resume downloads nothing.
  h.unset_flags(lt::torrent_flags::auto_managed);
  h.pause();
  {
    std::unique_lock lock(mutex);
    if (auto it = torrents.find(id); it != torrents.end()) {
      it->second.status.paused = true;
      it->second.status.state = TorrentState::paused;
      touch(it->second);
    }
  }
  const auto error = escape + ", outside the allowed directories: the torrent stays paused and downloads nothing";
  spdlog::get("engine")->error("{}: {}", id, error);
  emit(TorrentEvent::Kind::error, id, info.name(), error);
}

void Engine::Impl::on_torrent_finished(const lt::torrent_finished_alert& a) {
  // libtorrent says finished for every complete torrent it restores too: no need to write
  // a resume file that already has every piece.
  bool saved_complete = false, news = true;
  {
    std::unique_lock lock(mutex);
    if (auto it = torrents.find(lt_util::torrent_id_of(a.handle.info_hashes())); it != torrents.end()) {
      if (it->second.info) saved_complete = it->second.saved.pieces >= it->second.info->num_pieces();
      news = !it->second.complete_when_added;
      it->second.complete_when_added = false;
    }
  }
  if (!saved_complete) request_save(a.handle);
  if (news) {
    spdlog::get("engine")->info("finished {}", a.torrent_name());
    emit(TorrentEvent::Kind::finished, lt_util::id_of(a.handle.info_hashes()), a.torrent_name());
  } else {
    spdlog::get("engine")->debug("{} is complete, as it was when added", a.torrent_name());
  }
}

void Engine::Impl::on_file_error(const lt::file_error_alert& a) {
  spdlog::get("engine")->error("{}", a.message());
  check_vanished(lt_util::id_of(a.handle.info_hashes()));
}

void Engine::Impl::on_torrent_error(const lt::torrent_error_alert& a) {
  spdlog::get("engine")->error("{}", a.message());
  check_vanished(lt_util::id_of(a.handle.info_hashes()));
  emit(TorrentEvent::Kind::error, lt_util::id_of(a.handle.info_hashes()), a.torrent_name(),
       a.error.message() + (a.filename()[0] ? std::string(": ") + a.filename() : std::string()));
}

void Engine::Impl::on_storage_moved(const lt::storage_moved_alert& a) {
  spdlog::get("engine")->info("{}: data now in {}", lt_util::id_of(a.handle.info_hashes()), a.storage_path());
  request_save(a.handle);
}

void Engine::Impl::on_session_stats(const lt::session_stats_alert& a) {
  const auto values = a.counters();
  std::unique_lock lock(mutex);
  if (sent_payload_metric >= 0) counters.run_uploaded_bytes = values[sent_payload_metric];
  if (recv_payload_metric >= 0) counters.run_downloaded_bytes = values[recv_payload_metric];
}

void Engine::Impl::on_listen_succeeded(const lt::listen_succeeded_alert& a) {
  auto log = spdlog::get("engine");
  if (a.socket_type == lt::socket_type_t::tcp) {
    std::unique_lock lock(mutex);
    endpoints.push_back(lt_util::endpoint_string(a.address, a.port));
    int unknown = -1;
    first_tcp_port.compare_exchange_strong(unknown, a.port);
  }
  log->info("listening on {} ({})", lt_util::endpoint_string(a.address, a.port),
            a.socket_type == lt::socket_type_t::tcp ? "tcp" : "udp");
  if (auto moved = port_moved_warning(settings.listen, a.port)) log->warn("{}", *moved);
}

void Engine::Impl::on_listen_failed(const lt::listen_failed_alert& a) {
  spdlog::get("engine")->error("cannot listen on {}: {}", lt_util::endpoint_string(a.address, a.port),
                               a.error.message());
}

void Engine::Impl::on_alerts_dropped(const lt::alerts_dropped_alert& a) {
  spdlog::get("engine")->warn("{}", a.message());
  if (a.dropped_alerts.test(lt::add_torrent_alert::alert_type)) reconcile_handles();
  if (a.dropped_alerts.test(lt::state_changed_alert::alert_type)) {
    // A restore's way out of checking may be among them: free every slot it could hold, so
    // the restore never waits for an alert that will not come.
    std::unique_lock lock(mutex);
    for (auto& [id, e] : torrents)
      if (e.restore == Entry::Restore::checking) restore_done(e);
  }
  if (a.dropped_alerts.test(lt::save_resume_data_alert::alert_type) ||
      a.dropped_alerts.test(lt::save_resume_data_failed_alert::alert_type)) {
    // Their answers are lost: stop() must not wait for them; save everything again.
    outstanding_saves = 0;
    std::unique_lock lock(mutex);
    for (auto& [id, e] : torrents) e.need_save_resume = e.handle.is_valid();
  }
}

/// After libtorrent dropped add_torrent_alerts: attaches every torrent it has that an entry
/// still waits for (engine thread).
void Engine::Impl::reconcile_handles() {
  auto handles = session->get_torrents();
  std::unique_lock lock(mutex);
  int found = 0;
  for (auto& h : handles) {
    auto it = torrents.find(lt_util::torrent_id_of(h.info_hashes()));
    if (it == torrents.end() || it->second.handle.is_valid()) continue;
    auto& e = it->second;
    e.handle = h;
    // Its state change out of checking may have been dropped too: its slot is freed now.
    if (e.restore == Entry::Restore::handed || e.restore == Entry::Restore::checking) restore_done(e);
    e.returning = false;
    touch(e);
    ++found;
  }
  if (restores_in_flight < 0) restores_in_flight = 0;
  spdlog::get("engine")->warn("libtorrent dropped alerts: {} torrents attached from its list", found);
}

/// Every other alert: port mappings are recorded, and errors logged.
void Engine::Impl::on_other_alert(lt::alert* a) {
  auto log = spdlog::get("engine");
  if (port_mappings.record(a)) {
    log->info("{}", a->message());
  } else if (auto* tr = lt::alert_cast<lt::tracker_error_alert>(a); tr && tr->error == lt::errors::announce_skipped) {
    // A listen socket that cannot reach the tracker (fe80::, or IPv6 for an IPv4 tracker):
    // libtorrent sent nothing from it. Not a failure; torrent.trackers shows the one that answered.
    log->debug("{}", a->message());
  } else if (a->category() & lt::alert_category::error) {
    log->warn("{}", a->message());
  }
}

}  // namespace seedd
