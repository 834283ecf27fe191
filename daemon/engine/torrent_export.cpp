#include "daemon/engine/torrent_export.hpp"

#include <iterator>

#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>

#include "daemon/engine/engine.hpp"
#include "daemon/util/atomic_file.hpp"

namespace seedd {

std::optional<std::string> export_torrent_bytes(const std::filesystem::path& kept,
                                                const std::shared_ptr<const lt::torrent_info>& ti) {
  if (!ti || !ti->is_valid()) return std::nullopt;
  // The kept file, when it is (still) this torrent: torrent.create's keeps its bytes as made.
  // One that fails to read or parse is passed over.
  try {
    if (auto bytes = util::read_file(kept); bytes && static_cast<int64_t>(bytes->size()) <= kMaxTorrentFileBytes) {
      lt::error_code ec;
      lt::torrent_info on_disk({bytes->data(), static_cast<long>(bytes->size())}, ec, lt::from_span);
      if (!ec && on_disk.info_hashes() == ti->info_hashes()) return bytes;
    }
  } catch (const std::exception&) {
  }
  lt::create_torrent ct(*ti);
  std::string buf;
  lt::bencode(std::back_inserter(buf), ct.generate());
  return buf;
}

}  // namespace seedd
