#include "daemon/engine/lt_util.hpp"

#include <algorithm>
#include <cctype>
#include <pthread.h>

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/hex.hpp>
#include <libtorrent/torrent_info.hpp>

#include "daemon/util/endpoint.hpp"

namespace seedd::lt_util {

lt::info_hash_t info_hashes_of(const lt::add_torrent_params& atp) {
  return atp.ti ? atp.ti->info_hashes() : atp.info_hashes;
}

lt::sha1_hash id_bytes(const lt::info_hash_t& ih) {
  if (ih.has_v1()) return ih.v1;
  lt::sha1_hash out;
  std::copy_n(ih.v2.data(), 20, out.data());
  return out;
}

std::string id_of(const lt::info_hash_t& ih) { return lt::aux::to_hex(id_bytes(ih)); }

TorrentId torrent_id_of(const lt::info_hash_t& ih) {
  const auto bytes = id_bytes(ih);
  std::array<uint8_t, 20> out{};
  std::copy_n(reinterpret_cast<const uint8_t*>(bytes.data()), out.size(), out.begin());
  return TorrentId(out);
}

std::string normalize_id(const std::string& id) {
  std::string out = id;
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string endpoint_string(const lt::address& addr, int port) {
  return util::Endpoint{addr.to_string(), static_cast<uint16_t>(port)}.to_string();
}

std::optional<lt::tcp::endpoint> parse_endpoint(const std::string& s) {
  const auto e = util::Endpoint::parse(s);
  if (!e || e->port == 0 || e->host == "localhost") return std::nullopt;
  lt::error_code ec;
  auto addr = lt::make_address(e->host, ec);
  if (ec) return std::nullopt;
  return lt::tcp::endpoint(addr, e->port);
}

void name_this_thread(const char* name) { ::pthread_setname_np(::pthread_self(), name); }

}  // namespace seedd::lt_util
