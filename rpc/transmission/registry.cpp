#include "rpc/transmission/registry.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <stdexcept>

namespace seedd::rpc::transmission {
namespace {

/// What a client would see change: a torrent whose fingerprint moves is "recently active".
size_t fingerprint(const TorrentStatus& t) {
  size_t h = std::hash<int>{}(static_cast<int>(t.state));
  auto mix = [&h](size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  mix(std::hash<std::string>{}(t.name));
  mix(std::hash<std::string>{}(t.error.get()));
  mix(std::hash<std::string>{}(t.save_path.get()));
  mix(std::hash<int64_t>{}(t.progress_ppm));
  mix(std::hash<int64_t>{}(t.uploaded_bytes));
  mix(std::hash<int64_t>{}(t.downloaded_bytes));
  mix(std::hash<bool>{}(t.paused));
  for (const auto& l : t.labels) mix(std::hash<std::string>{}(l));
  return h;
}

std::string shown(const nlohmann::json& v) {
  auto s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return s.size() > 60 ? s.substr(0, 60) + "..." : s;
}

bool is_recently_active_word(const std::string& s) { return s == "recently-active" || s == "recently_active"; }

}  // namespace

void Registry::refresh(std::vector<TorrentStatus>& snapshot, Clock::time_point now) {
  // New torrents get their ids in the order they were added, so ids after a restart follow
  // the order a user added them in.
  std::sort(snapshot.begin(), snapshot.end(), [](const TorrentStatus& a, const TorrentStatus& b) {
    return a.added_time != b.added_time ? a.added_time < b.added_time : a.info_hash < b.info_hash;
  });
  const uint64_t refresh = ++m_refreshes;
  for (const auto& t : snapshot) {
    const auto fp = fingerprint(t);
    auto [it, inserted] = m_known.try_emplace(t.info_hash, Known{0, fp, now, refresh});
    if (inserted) {
      it->second.id = m_next_id++;
    } else if (it->second.fingerprint != fp) {
      it->second.fingerprint = fp;
      it->second.changed = now;
    }
    it->second.seen = refresh;
  }
  for (auto it = m_known.begin(); it != m_known.end();) {
    if (it->second.seen == refresh) {
      ++it;
      continue;
    }
    m_removed[it->second.id] = now;
    it = m_known.erase(it);
  }
  for (auto it = m_removed.begin(); it != m_removed.end();)
    it = now - it->second > kRecentlyActive ? m_removed.erase(it) : std::next(it);
}

Selection Registry::select(std::vector<TorrentStatus> snapshot, const nlohmann::json& ids, Clock::time_point now) {
  std::lock_guard lock(m_mutex);
  refresh(snapshot, now);

  // Parse `ids` into a predicate before touching the torrents.
  std::set<int64_t> want_ids;
  std::set<TorrentId> want_hashes;
  bool all = false;
  bool recent = false;
  auto add_string = [&](const std::string& s, const char* what) {
    const auto h = TorrentId::from_hex(s);
    if (!h) throw std::invalid_argument(std::string("ids: ") + shown(s) + what);
    want_hashes.insert(*h);
  };
  if (ids.is_null()) {
    all = true;
  } else if (ids.is_number_integer()) {
    want_ids.insert(ids.get<int64_t>());
  } else if (ids.is_string()) {
    const auto& s = ids.get_ref<const std::string&>();
    if (is_recently_active_word(s)) recent = true;
    else add_string(s, " is neither a 40-hex info-hash nor \"recently-active\"");
  } else if (ids.is_array()) {
    for (const auto& v : ids) {
      if (v.is_number_integer()) want_ids.insert(v.get<int64_t>());
      else if (v.is_string()) add_string(v.get<std::string>(), " in the list is not a 40-hex info-hash");
      else throw std::invalid_argument("ids: element " + shown(v) + " is neither an integer id nor an info-hash");
    }
  } else {
    throw std::invalid_argument("ids: " + shown(ids) +
                                " is not an id, a list of ids and info-hashes, an info-hash or \"recently-active\"");
  }

  Selection out;
  out.recently_active = recent;
  for (auto& t : snapshot) {
    const auto& k = m_known.at(t.info_hash);
    bool take = all || want_ids.count(k.id) || want_hashes.count(t.info_hash);
    if (recent)
      take = now - k.changed <= kRecentlyActive || t.upload_rate > 0 || t.download_rate > 0 ||
             t.state == TorrentState::checking;
    if (take) out.torrents.push_back(Listed{k.id, std::move(t)});
  }
  std::sort(out.torrents.begin(), out.torrents.end(), [](const Listed& a, const Listed& b) { return a.id < b.id; });
  if (recent)
    for (const auto& [id, when] : m_removed) out.removed.push_back(id);
  return out;
}

int64_t Registry::id_of(const TorrentId& info_hash) {
  std::lock_guard lock(m_mutex);
  auto [it, inserted] = m_known.try_emplace(info_hash, Known{0, 0, Clock::now(), m_refreshes});
  if (inserted) it->second.id = m_next_id++;
  return it->second.id;
}

}  // namespace seedd::rpc::transmission
