// torrent-get's `peers` and `peersFrom`, from the engine's peer list (Transmission 4.0.6's
// rpc-spec names; rates in bytes per second, progress 0..1).
#include "rpc/transmission/fields.hpp"

namespace seedd::rpc::transmission {
namespace {

// Transmission's names are from its side: "client" is the local end (seedd), "peer" the other.
bool downloading_from(const PeerStatus& p) { return p.we_are_interested && !p.remote_choked; }
bool uploading_to(const PeerStatus& p) { return p.interested && !p.choked; }

}  // namespace

std::string flag_str(const PeerStatus& p) {
  std::string s;
  if (p.optimistic_unchoke) s += 'O';
  if (downloading_from(p)) s += 'D';
  else if (p.we_are_interested) s += 'd';
  if (uploading_to(p)) s += 'U';
  else if (p.interested) s += 'u';
  if (!p.remote_choked && !p.we_are_interested) s += 'K';
  if (!p.choked && !p.interested) s += '?';
  if (p.encrypted) s += 'E';
  if (p.from_dht) s += 'H';
  if (p.from_pex) s += 'X';
  if (p.incoming) s += 'I';
  if (p.utp) s += 'T';
  return s;
}

json peers_json(TorrentView& v) {
  json out = json::array();
  for (const auto& p : v.peers())
    out.push_back({{"address", p.ip},
                   {"clientIsChoked", p.remote_choked},
                   {"clientIsInterested", p.we_are_interested},
                   {"clientName", p.client},
                   {"flagStr", flag_str(p)},
                   {"isDownloadingFrom", downloading_from(p)},
                   {"isEncrypted", p.encrypted},
                   {"isIncoming", p.incoming},
                   {"isUTP", p.utp},
                   {"isUploadingTo", uploading_to(p)},
                   {"peerIsChoked", p.choked},
                   {"peerIsInterested", p.interested},
                   {"port", p.port},
                   {"progress", real(p.progress)},
                   {"rateToClient", p.download_rate},
                   {"rateToPeer", p.upload_rate}});
  return out;
}

json peers_from_json(TorrentView& v) {
  // Each peer counts once, under the first way it came (incoming connections under
  // fromIncoming whatever else announced them), as Transmission counts them.
  int64_t cache = 0, dht = 0, incoming = 0, lpd = 0, pex = 0, tracker = 0;
  for (const auto& p : v.peers()) {
    if (p.incoming) ++incoming;
    else if (p.from_tracker) ++tracker;
    else if (p.from_dht) ++dht;
    else if (p.from_pex) ++pex;
    else if (p.from_lsd) ++lpd;
    else if (p.from_resume) ++cache;
  }
  return {{"fromCache", cache}, {"fromDht", dht}, {"fromIncoming", incoming}, {"fromLpd", lpd},
          {"fromLtep", 0},      {"fromPex", pex}, {"fromTracker", tracker}};
}

}  // namespace seedd::rpc::transmission
