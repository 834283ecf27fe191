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

/// torrent_to_json for many torrents: the fields are looked up once, not per torrent (a list
/// of 10,000 torrents is otherwise mostly set lookups).
class TorrentJsonWriter {
 public:
  using Getter = json (*)(const TorrentStatus&, Context&);
  explicit TorrentJsonWriter(const std::set<std::string>& fields);  // empty = every field
  json operator()(const TorrentStatus& t, Context& ctx) const;

 private:
  std::vector<std::pair<const char*, Getter>> m_fields;
};
bool is_torrent_field(const std::string& name);

}  // namespace seedd::rpc
