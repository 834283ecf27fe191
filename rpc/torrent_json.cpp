#include "rpc/torrent_json.hpp"

#include <algorithm>

#include "daemon/accountant/accountant.hpp"
#include "daemon/engine/engine.hpp"
#include "rpc/json_text.hpp"

namespace seedd::rpc {
namespace {

Accountant::Books books(const TorrentStatus& t, Context& ctx) {
  if (!ctx.accountant) return {};
  return ctx.accountant->books(t.info_hash.bytes());
}

namespace jt = json_text;
using Writer = TorrentJsonWriter::Writer;

// Byte counts can pass 2^53: decimal strings (DESIGN.md). Rates and counts are integers.
// In the order of their names, as nlohmann::json (a std::map) would write them.
const std::vector<std::pair<const char*, Writer>>& field_table() {
  static const std::vector<std::pair<const char*, Writer>> fields = [] {
    std::vector<std::pair<const char*, Writer>> f = {
        {"info_hash", [](std::string& o, const TorrentStatus& t, Context&) {
           o += '"';
           t.info_hash.append_hex(o);
           o += '"';
         }},
        {"name", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_string(o, t.name); }},
        {"state", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_string(o, state_name(t.state)); }},
        {"error", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_string(o, t.error.get()); }},
        {"save_path", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_string(o, t.save_path.get()); }},
        {"paused", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_bool(o, t.paused); }},
        {"has_metadata", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_bool(o, t.has_metadata); }},
        {"progress", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_double(o, t.progress_ppm / 1e6); }},
        {"size_bytes", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_decimal_string(o, t.total_size); }},
        {"done_bytes", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_decimal_string(o, t.total_done); }},
        {"uploaded_bytes",
         [](std::string& o, const TorrentStatus& t, Context&) { jt::append_decimal_string(o, t.uploaded_bytes); }},
        {"downloaded_bytes",
         [](std::string& o, const TorrentStatus& t, Context&) { jt::append_decimal_string(o, t.downloaded_bytes); }},
        {"upload_rate", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_int(o, t.upload_rate); }},
        {"download_rate", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_int(o, t.download_rate); }},
        {"peers", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_int(o, t.num_peers); }},
        {"seeds", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_int(o, t.num_seeds); }},
        {"added_at", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_int(o, t.added_time); }},
        {"completed_at", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_int(o, t.completed_time); }},
        {"full_checks", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_int(o, t.full_checks); }},
        {"labels", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_string_array(o, t.labels.get()); }},
        {"upload_limit", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_int(o, t.upload_limit); }},
        {"download_limit", [](std::string& o, const TorrentStatus& t, Context&) { jt::append_int(o, t.download_limit); }},
        {"max_connections",
         [](std::string& o, const TorrentStatus& t, Context&) { jt::append_int(o, t.max_connections); }},
        {"seed_ratio_limit",
         [](std::string& o, const TorrentStatus& t, Context&) {
           if (t.seed_ratio_limit_permille < 0) o += "null";
           else jt::append_double(o, t.seed_ratio_limit_permille / 1000.0);
         }},
        {"seed_idle_limit_minutes",
         [](std::string& o, const TorrentStatus& t, Context&) {
           if (t.seed_idle_limit_minutes < 0) o += "null";
           else jt::append_int(o, t.seed_idle_limit_minutes);
         }},
        {"uploaded_verified_bytes",
         [](std::string& o, const TorrentStatus& t, Context& ctx) {
           jt::append_decimal_string(o, uint64_t{books(t, ctx).verified_bytes});
         }},
        {"uploaded_unverified_bytes",
         [](std::string& o, const TorrentStatus& t, Context& ctx) {
           jt::append_decimal_string(o, uint64_t{books(t, ctx).unverified_bytes});
         }},
    };
    std::sort(f.begin(), f.end(), [](const auto& a, const auto& b) { return std::string_view(a.first) < b.first; });
    return f;
  }();
  return fields;
}

}  // namespace

std::vector<Result> torrent_result_fields(bool all_required) {
  std::vector<Result> out = {
      res::dec("done_bytes"),
      res::dec("uploaded_bytes"),
      res::dec("downloaded_bytes"),
      res::integer("upload_rate", "payload bytes per second"),
      res::integer("download_rate", "payload bytes per second"),
      res::integer("peers"),
      res::integer("seeds"),
      res::integer("added_at", "unix seconds"),
      res::integer("completed_at", "unix seconds, 0 = not complete"),
      res::integer("full_checks"),
      res::strings("labels"),
      res::integer("upload_limit", "bytes per second, 0 = none"),
      res::integer("download_limit", "bytes per second, 0 = none"),
      res::integer("max_connections"),
      res::number("seed_ratio_limit", "null = never").or_null(),
      res::integer("seed_idle_limit_minutes", "null = never").or_null(),
      res::dec("uploaded_verified_bytes", "receipted by peers"),
      res::dec("uploaded_unverified_bytes"),
      res::str("info_hash"),
      res::str("name"),
      res::str("state"),
      res::str("error", "empty when none"),
      res::str("save_path"),
      res::boolean("paused"),
      res::boolean("has_metadata"),
      res::number("progress", "0 to 1"),
      res::dec("size_bytes"),
  };
  if (!all_required)
    for (auto& r : out)
      if (r.name != "info_hash") r.optional = true;
  return out;
}

bool is_torrent_field(const std::string& name) {
  for (const auto& [n, g] : field_table())
    if (name == n) return true;
  return false;
}

TorrentJsonWriter::TorrentJsonWriter(const std::set<std::string>& fields) {
  for (const auto& [name, writer] : field_table())
    if (fields.empty() || fields.count(name) || std::string_view(name) == "info_hash") m_fields.emplace_back(name, writer);
}

void TorrentJsonWriter::write(std::string& out, const TorrentStatus& t, Context& ctx) const {
  out += '{';
  bool first = true;
  for (const auto& [name, writer] : m_fields) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += name;  // plain ASCII names: nothing to escape
    out += "\":";
    writer(out, t, ctx);
  }
  out += '}';
}

json torrent_to_json(const TorrentStatus& t, Context& ctx, const std::set<std::string>& fields) {
  std::string text;
  TorrentJsonWriter(fields).write(text, t, ctx);
  return json::parse(text);
}

}  // namespace seedd::rpc
