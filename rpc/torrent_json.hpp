#pragma once
// The JSON shape of a torrent, shared by torrent.list and torrent.get.
#include <set>
#include <string>

#include "rpc/method_table.hpp"

namespace seedd {
struct TorrentStatus;
}

namespace seedd::rpc {

/// `fields` empty means every field.
json torrent_to_json(const TorrentStatus& t, Context& ctx, const std::set<std::string>& fields);
bool is_torrent_field(const std::string& name);

}  // namespace seedd::rpc
