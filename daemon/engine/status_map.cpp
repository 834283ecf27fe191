#include "daemon/engine/status_map.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include "daemon/engine/lt_util.hpp"

namespace seedd {
namespace {
// What seedd keeps for a torrent beside libtorrent's resume data, under the key "seedd" of the
// same file (libtorrent ignores keys it does not know).
constexpr const char* kResumeKey = "seedd";
}  // namespace

bool paused_by_hand(lt::torrent_flags_t flags) {
  return (flags & lt::torrent_flags::paused) && !(flags & lt::torrent_flags::auto_managed);
}

TorrentState state_of(const lt::torrent_status& st) {
  if (st.errc) return TorrentState::error;
  if (st.flags & lt::torrent_flags::paused) return paused_by_hand(st.flags) ? TorrentState::paused : TorrentState::queued;
  switch (st.state) {
    case lt::torrent_status::checking_files:
    case lt::torrent_status::checking_resume_data:
      return TorrentState::checking;
    case lt::torrent_status::downloading_metadata:
      return TorrentState::downloading_metadata;
    case lt::torrent_status::downloading:
      return TorrentState::downloading;
    case lt::torrent_status::finished:
      return TorrentState::finished;
    case lt::torrent_status::seeding:
      return TorrentState::seeding;
    default:
      return TorrentState::unknown;
  }
}

namespace {

// libtorrent's durations and rates are wider than the snapshot's 32-bit fields (68 years of
// seconds, 2 GB/s): clamped, never wrapped.
int32_t clamp32(int64_t v) {
  return static_cast<int32_t>(std::clamp<int64_t>(v, 0, std::numeric_limits<int32_t>::max()));
}

}  // namespace

void fill_status(TorrentStatus& out, const lt::torrent_status& st) {
  // A torrent's id never changes (the snapshot's key): made once, not at every update.
  if (out.info_hash.empty()) out.info_hash = lt_util::torrent_id_of(st.info_hashes);
  // Assigned only when it changed: a string assigned is a copy made.
  if (st.name.empty()) {
    // (Compared as bytes: a magnet without a name is compared at every update.)
    if (TorrentId::from_hex(out.name) != out.info_hash) out.name = out.info_hash.hex();
  } else if (out.name != st.name) {
    out.name = st.name;
  }
  out.state = state_of(st);
  if (st.errc) {
    if (out.error != st.errc.message()) out.error = st.errc.message();
  } else if (!out.error.empty()) {
    out.error = {};
  }
  if (out.save_path != st.save_path) out.save_path = intern(st.save_path);
  out.paused = paused_by_hand(st.flags);
  out.has_metadata = st.has_metadata;
  out.progress_ppm = st.progress_ppm;
  out.total_size = st.total_wanted;
  out.total_done = st.total_wanted_done;
  out.uploaded_bytes = st.all_time_upload;
  out.downloaded_bytes = st.all_time_download;
  out.upload_rate = clamp32(st.upload_payload_rate);
  out.download_rate = clamp32(st.download_payload_rate);
  out.num_peers = st.num_peers;
  out.num_seeds = st.num_seeds;
  out.added_time = st.added_time;
  out.completed_time = st.completed_time;
  out.num_uploads = st.num_uploads;
  out.corrupt_bytes = st.total_failed_bytes;
  out.active_seconds = clamp32(st.active_duration.count());
  out.finished_seconds = clamp32(st.finished_duration.count());
  out.seeding_seconds = clamp32(st.seeding_duration.count());
  out.moving = st.moving_storage;
  // libtorrent's timestamps are on its monotonic clock; a default one means "never".
  const auto last = std::max(st.last_upload, st.last_download);
  if (last != lt::time_point{}) {
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(lt::clock_type::now() - last);
    out.last_activity_time = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count() - age.count();
  }
}


void write_extras(lt::entry& resume, const TorrentStatus& t) {
  lt::entry::dictionary_type extras;
  lt::entry::list_type labels;
  for (const auto& l : t.labels) labels.emplace_back(l);
  extras["labels"] = std::move(labels);
  extras["seed_ratio_limit_permille"] = t.seed_ratio_limit_permille;
  extras["seed_idle_limit_minutes"] = t.seed_idle_limit_minutes;
  extras["seed_limit_reached"] = t.seed_limit_reached ? 1 : 0;
  resume[kResumeKey] = std::move(extras);
}

void read_extras(const lt::bdecode_node& resume, TorrentStatus& t) {
  const auto extras = resume.dict_find_dict(kResumeKey);
  if (!extras) return;
  if (const auto list = extras.dict_find_list("labels")) {
    std::vector<std::string> labels;
    for (int i = 0; i < list.list_size(); ++i)
      if (list.list_at(i).type() == lt::bdecode_node::string_t) labels.emplace_back(list.list_at(i).string_value());
    t.labels = std::move(labels);
  }
  t.seed_ratio_limit_permille = extras.dict_find_int_value("seed_ratio_limit_permille", -1);
  t.seed_idle_limit_minutes = extras.dict_find_int_value("seed_idle_limit_minutes", -1);
  t.seed_limit_reached = extras.dict_find_int_value("seed_limit_reached", 0) != 0;
}

int64_t limit_or_zero(int v) { return v > 0 && v < (1 << 24) - 1 ? v : 0; }

}  // namespace seedd
