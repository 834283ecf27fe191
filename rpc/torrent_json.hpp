#pragma once
// The JSON shape of a torrent, shared by torrent.list and torrent.get.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "rpc/method_table.hpp"

namespace seedd {
struct TorrentStatus;
}

namespace seedd::rpc {

/// `fields` empty means every field.
json torrent_to_json(const TorrentStatus& t, Context& ctx, const std::set<std::string>& fields);

/// Torrents as JSON text, for torrent.list: the fields are looked up once, not per torrent,
/// and nothing is built but the text (see json_text.hpp).
class TorrentJsonWriter {
 public:
  using Writer = void (*)(std::string& out, const TorrentStatus&, Context&);
  explicit TorrentJsonWriter(const std::set<std::string>& fields);  // empty = every field
  /// Appends the torrent's object to `out`.
  void write(std::string& out, const TorrentStatus& t, Context& ctx) const;

 private:
  std::vector<std::pair<const char*, Writer>> m_fields;
};
bool is_torrent_field(const std::string& name);

/// The declared result of a torrent's object (torrent.get; torrent.list's elements with every
/// member but info_hash optional, as `fields` may leave them out).
std::vector<Result> torrent_result_fields(bool all_required);

}  // namespace seedd::rpc
