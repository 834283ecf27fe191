#include "rpc/torrent_json.hpp"

#include "daemon/accountant/accountant.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/engine/engine.hpp"

namespace seedd::rpc {
namespace {

Accountant::Books books(const TorrentStatus& t, Context& ctx) {
  if (!ctx.accountant) return {};
  auto ih = crypto::from_hex_fixed<20>(t.info_hash);
  return ih ? ctx.accountant->books(*ih) : Accountant::Books{};
}

using Getter = json (*)(const TorrentStatus&, Context&);

// Byte counts can pass 2^53: decimal strings (DESIGN.md). Rates and counts are integers.
const std::vector<std::pair<const char*, Getter>>& field_table() {
  static const std::vector<std::pair<const char*, Getter>> fields = {
      {"info_hash", [](const TorrentStatus& t, Context&) -> json { return t.info_hash; }},
      {"name", [](const TorrentStatus& t, Context&) -> json { return t.name; }},
      {"state", [](const TorrentStatus& t, Context&) -> json { return t.state; }},
      {"error", [](const TorrentStatus& t, Context&) -> json { return t.error; }},
      {"save_path", [](const TorrentStatus& t, Context&) -> json { return t.save_path; }},
      {"paused", [](const TorrentStatus& t, Context&) -> json { return t.paused; }},
      {"has_metadata", [](const TorrentStatus& t, Context&) -> json { return t.has_metadata; }},
      {"progress", [](const TorrentStatus& t, Context&) -> json { return t.progress_ppm / 1e6; }},
      {"size_bytes", [](const TorrentStatus& t, Context&) -> json { return std::to_string(t.total_size); }},
      {"done_bytes", [](const TorrentStatus& t, Context&) -> json { return std::to_string(t.total_done); }},
      {"uploaded_bytes", [](const TorrentStatus& t, Context&) -> json { return std::to_string(t.uploaded_bytes); }},
      {"downloaded_bytes", [](const TorrentStatus& t, Context&) -> json { return std::to_string(t.downloaded_bytes); }},
      {"upload_rate", [](const TorrentStatus& t, Context&) -> json { return t.upload_rate; }},
      {"download_rate", [](const TorrentStatus& t, Context&) -> json { return t.download_rate; }},
      {"peers", [](const TorrentStatus& t, Context&) -> json { return t.num_peers; }},
      {"seeds", [](const TorrentStatus& t, Context&) -> json { return t.num_seeds; }},
      {"added_at", [](const TorrentStatus& t, Context&) -> json { return t.added_time; }},
      {"completed_at", [](const TorrentStatus& t, Context&) -> json { return t.completed_time; }},
      {"full_checks", [](const TorrentStatus& t, Context&) -> json { return t.full_checks; }},
      {"labels", [](const TorrentStatus& t, Context&) -> json { return t.labels; }},
      {"upload_limit", [](const TorrentStatus& t, Context&) -> json { return t.upload_limit; }},
      {"download_limit", [](const TorrentStatus& t, Context&) -> json { return t.download_limit; }},
      {"max_connections", [](const TorrentStatus& t, Context&) -> json { return t.max_connections; }},
      {"seed_ratio_limit",
       [](const TorrentStatus& t, Context&) -> json {
         return t.seed_ratio_limit_permille < 0 ? json(nullptr) : json(t.seed_ratio_limit_permille / 1000.0);
       }},
      {"seed_idle_limit_minutes",
       [](const TorrentStatus& t, Context&) -> json {
         return t.seed_idle_limit_minutes < 0 ? json(nullptr) : json(t.seed_idle_limit_minutes);
       }},
      {"uploaded_verified_bytes",
       [](const TorrentStatus& t, Context& ctx) -> json { return std::to_string(books(t, ctx).verified_bytes); }},
      {"uploaded_unverified_bytes",
       [](const TorrentStatus& t, Context& ctx) -> json { return std::to_string(books(t, ctx).unverified_bytes); }},
  };
  return fields;
}

}  // namespace

bool is_torrent_field(const std::string& name) {
  for (const auto& [n, g] : field_table())
    if (name == n) return true;
  return false;
}

TorrentJsonWriter::TorrentJsonWriter(const std::set<std::string>& fields) {
  for (const auto& [name, getter] : field_table())
    if (fields.empty() || fields.count(name) || std::string_view(name) == "info_hash") m_fields.emplace_back(name, getter);
}

json TorrentJsonWriter::operator()(const TorrentStatus& t, Context& ctx) const {
  json out = json::object();
  for (const auto& [name, getter] : m_fields) out.emplace(name, getter(t, ctx));
  return out;
}

json torrent_to_json(const TorrentStatus& t, Context& ctx, const std::set<std::string>& fields) {
  return TorrentJsonWriter(fields)(t, ctx);
}

}  // namespace seedd::rpc
