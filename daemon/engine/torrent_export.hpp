#pragma once
// The .torrent of a torrent the engine has (torrent.export): the file kept in
// data_dir/torrents/ when it is there, else one made from the metadata in memory.
// Engine-internal: it includes libtorrent.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <libtorrent/torrent_info.hpp>

namespace seedd {

/// The bytes of `kept` (data_dir/torrents/ID.torrent, written with the torrent's resume file)
/// when it holds the torrent `ti` describes, else a .torrent generated from `ti`; nullopt when
/// `ti` is null or invalid (a magnet still fetching its metadata).
std::optional<std::string> export_torrent_bytes(const std::filesystem::path& kept,
                                                const std::shared_ptr<const lt::torrent_info>& ti);

}  // namespace seedd
