#include "rpc/torrent_json.hpp"

#include "daemon/engine/engine.hpp"

namespace seedd::rpc {
namespace {

using Getter = json (*)(const TorrentStatus&);

// Byte counts can pass 2^53: decimal strings (DESIGN.md). Rates and counts are integers.
const std::vector<std::pair<const char*, Getter>>& field_table() {
  static const std::vector<std::pair<const char*, Getter>> fields = {
      {"info_hash", [](const TorrentStatus& t) -> json { return t.info_hash; }},
      {"name", [](const TorrentStatus& t) -> json { return t.name; }},
      {"state", [](const TorrentStatus& t) -> json { return t.state; }},
      {"error", [](const TorrentStatus& t) -> json { return t.error; }},
      {"save_path", [](const TorrentStatus& t) -> json { return t.save_path; }},
      {"paused", [](const TorrentStatus& t) -> json { return t.paused; }},
      {"has_metadata", [](const TorrentStatus& t) -> json { return t.has_metadata; }},
      {"progress", [](const TorrentStatus& t) -> json { return t.progress_ppm / 1e6; }},
      {"size_bytes", [](const TorrentStatus& t) -> json { return std::to_string(t.total_size); }},
      {"done_bytes", [](const TorrentStatus& t) -> json { return std::to_string(t.total_done); }},
      {"uploaded_bytes", [](const TorrentStatus& t) -> json { return std::to_string(t.uploaded_bytes); }},
      {"downloaded_bytes", [](const TorrentStatus& t) -> json { return std::to_string(t.downloaded_bytes); }},
      {"upload_rate", [](const TorrentStatus& t) -> json { return t.upload_rate; }},
      {"download_rate", [](const TorrentStatus& t) -> json { return t.download_rate; }},
      {"peers", [](const TorrentStatus& t) -> json { return t.num_peers; }},
      {"seeds", [](const TorrentStatus& t) -> json { return t.num_seeds; }},
      {"added_at", [](const TorrentStatus& t) -> json { return t.added_time; }},
      {"completed_at", [](const TorrentStatus& t) -> json { return t.completed_time; }},
      {"full_checks", [](const TorrentStatus& t) -> json { return t.full_checks; }},
  };
  return fields;
}

}  // namespace

bool is_torrent_field(const std::string& name) {
  for (const auto& [n, g] : field_table())
    if (name == n) return true;
  return false;
}

json torrent_to_json(const TorrentStatus& t, Context&, const std::set<std::string>& fields) {
  json out = json::object();
  for (const auto& [name, getter] : field_table())
    if (fields.empty() || fields.count(name) || std::string_view(name) == "info_hash") out[name] = getter(t);
  return out;
}

}  // namespace seedd::rpc
