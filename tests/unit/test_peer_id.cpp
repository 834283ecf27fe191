// seedd's peer id prefix (issue 19, item 2): libtorrent's own identify_client, the one every
// libtorrent client (qBittorrent, Deluge) shows, must not name another client for it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include <libtorrent/identify_client.hpp>
#include <libtorrent/peer_id.hpp>

#include "daemon/engine/peer_id.hpp"

namespace {

// Deprecated in 2.0 but still what libtorrent itself fills peer_info::client with.
std::string identify(const lt::peer_id& id) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  return lt::identify_client(id);
#pragma GCC diagnostic pop
}

lt::peer_id full_peer_id(const std::string& prefix) {
  lt::peer_id id;
  std::string bytes = prefix + "a1b2c3d4e5f6";  // libtorrent fills the rest with random bytes
  std::memcpy(id.data(), bytes.data(), id.size());
  return id;
}

}  // namespace

TEST_CASE("seedd's peer id prefix is Azureus style: -SE, major, minor, patch, 0, -") {
  CHECK(seedd::peer_id_prefix("0.1.0") == "-SE0100-");
  CHECK(seedd::peer_id_prefix("1.12.35") == "-SE1CZ0-");
  CHECK(seedd::peer_id_prefix("2.36.x") == "-SE2000-");  // past 35 or not a number: 0
  CHECK(seedd::peer_id_prefix(SEEDD_VERSION).size() == 8);
}

TEST_CASE("libtorrent names seedd's peer id by its own code, not as another client") {
  const auto prefix = seedd::peer_id_prefix("0.1.0");
  CHECK(identify(full_peer_id(prefix)) == "SE 0.1.0");
  // The one it replaced read as Xunlei/Thunder, which anti-leech tools ban.
  CHECK(identify(full_peer_id("-SD0010-")) == "Xunlei 0.0.1");
  // Whatever the version, libtorrent falls back to the bare code: it has no entry for "SE".
  const auto now = identify(full_peer_id(seedd::peer_id_prefix()));
  INFO(now);
  CHECK(now.rfind("SE ", 0) == 0);
}

TEST_CASE("seedd's client code is not in BEP 20's list of Azureus-style codes") {
  // BEP 20 (bittorrent.org, "Peer ID Conventions"): the known codes, those "seen in the wild",
  // and the non-standard prefixes it describes that begin with a dash.
  const std::vector<std::string> bep20 = {
      "AG", "A~", "AR", "AV", "AX", "AZ", "BB", "BC", "BF", "BG", "BR", "BS", "BX", "CD", "CT", "DE", "DP",
      "EB", "ES", "FT", "FX", "GS", "HL", "HN", "KG", "KT", "LH", "LP", "LT", "lt", "LW", "MO", "MP", "MR",
      "MT", "NX", "PD", "qB", "QD", "QT", "RT", "S~", "SB", "SS", "ST", "st", "SZ", "TN", "TR", "TS", "TT",
      "UL", "UT", "VG", "WD", "WT", "WW", "WY", "XL", "XT", "XX", "ZT", "BD", "NP", "wF", "ML", "BO", "G3",
      "FG"};
  CHECK(std::find(bep20.begin(), bep20.end(), std::string(seedd::kPeerIdClientCode)) == bep20.end());
}
