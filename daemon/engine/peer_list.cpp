#include "daemon/engine/peer_list.hpp"

namespace seedd {

std::vector<PeerStatus> peer_statuses_of(const std::vector<lt::peer_info>& infos) {
  std::vector<PeerStatus> out;
  out.reserve(infos.size());
  for (const auto& pi : infos) {
    if (pi.connection_type != lt::peer_info::standard_bittorrent) continue;
    if (pi.flags & (lt::peer_info::handshake | lt::peer_info::connecting)) continue;
    PeerStatus p;
    p.ip = pi.ip.address().to_string();
    p.port = pi.ip.port();
    p.client = pi.client;
    p.progress = static_cast<double>(pi.progress);
    p.upload_rate = pi.up_speed;
    p.download_rate = pi.down_speed;
    p.incoming = !(pi.flags & lt::peer_info::local_connection);
    p.utp = static_cast<bool>(pi.flags & lt::peer_info::utp_socket);
    p.encrypted = static_cast<bool>(pi.flags & (lt::peer_info::rc4_encrypted | lt::peer_info::plaintext_encrypted));
    p.choked = static_cast<bool>(pi.flags & lt::peer_info::choked);
    p.interested = static_cast<bool>(pi.flags & lt::peer_info::remote_interested);
    p.remote_choked = static_cast<bool>(pi.flags & lt::peer_info::remote_choked);
    p.we_are_interested = static_cast<bool>(pi.flags & lt::peer_info::interesting);
    p.optimistic_unchoke = static_cast<bool>(pi.flags & lt::peer_info::optimistic_unchoke);
    p.from_tracker = static_cast<bool>(pi.source & lt::peer_info::tracker);
    p.from_dht = static_cast<bool>(pi.source & lt::peer_info::dht);
    p.from_pex = static_cast<bool>(pi.source & lt::peer_info::pex);
    p.from_lsd = static_cast<bool>(pi.source & lt::peer_info::lsd);
    p.from_resume = static_cast<bool>(pi.source & lt::peer_info::resume_data);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace seedd
