#include "daemon/engine/peer_guard.hpp"

#include <chrono>

#include <libtorrent/error_code.hpp>
#include <libtorrent/extensions.hpp>
#include <libtorrent/peer_connection_handle.hpp>
#include <libtorrent/torrent.hpp>  // lt::torrent::valid_metadata(), read on the network thread
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/version.hpp>
#include <spdlog/spdlog.h>

namespace seedd {
namespace {

/// reserved[7] bit 0x10: "I can upgrade this connection to BitTorrent v2" (BEP 52).
constexpr unsigned char kV2UpgradeBit = 0x10;
constexpr auto kRefusalLogInterval = std::chrono::seconds(60);

class GuardPeerPlugin final : public lt::peer_plugin {
 public:
  GuardPeerPlugin(std::shared_ptr<PeerGuardCounters> counters, lt::peer_connection_handle pc)
      : m_counters(std::move(counters)), m_pc(std::move(pc)) {}

  lt::string_view type() const override { return "seedd_peer_guard"; }

  bool on_handshake(lt::span<char const> reserved) override {
    if (reserved.size() < 8 || !(static_cast<unsigned char>(reserved[7]) & kV2UpgradeBit)) return true;
    if (m_pc.is_outgoing()) return true;  // 2.0.8 marks a peer v2 from the bit only when it connected in
    // The connection's torrent, read now: an incoming connection is attached to it only after
    // the plugins were made, and before its handshake is read. On the network thread,
    // native_handle() is a plain weak_ptr lock, no round trip.
    const auto t = m_pc.associated_torrent().native_handle();
    if (!t || t->valid_metadata()) return true;  // with metadata, 2.0.8 checks the bit itself
    refuse(m_counters->v2_bit_without_metadata, "v2-upgrade bit on a torrent without metadata (libtorrent issue 8692)");
    return true;  // libtorrent returns right after the plugins when the connection is closing
  }

  bool on_allowed_fast(lt::piece_index_t) override {
    if (++m_allowed_fast <= kMaxAllowedFastPerConnection) return false;  // libtorrent handles it
    if (m_allowed_fast == kMaxAllowedFastPerConnection + 1)
      refuse(m_counters->allowed_fast_flood, "more than 256 ALLOWED_FAST messages");
    return true;  // swallowed: nothing more is stored for this peer
  }

 private:
  void refuse(std::atomic<uint64_t>& counter, const char* why) {
    const auto refused = counter.fetch_add(1) + 1;
    // One line a minute at most: a peer can reconnect as fast as it likes.
    static std::atomic<int64_t> last_log_s{0};
    const auto now_s =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    auto last = last_log_s.load();
    if ((last == 0 || now_s - last >= kRefusalLogInterval.count()) && last_log_s.compare_exchange_strong(last, now_s))
      if (auto log = spdlog::get("engine"))
        log->warn("peer guard: refused {}: {}; {} refused for this reason since start (libtorrent {} guard, "
                  "docs/operations.md)",
                  m_pc.remote().address().to_string(), why, refused, LIBTORRENT_VERSION);
    m_pc.disconnect(lt::errors::make_error_code(lt::errors::invalid_message), lt::operation_t::bittorrent);
  }

  std::shared_ptr<PeerGuardCounters> m_counters;
  lt::peer_connection_handle m_pc;
  int m_allowed_fast = 0;  // network thread only
};

/// One object serves every torrent (libtorrent keeps a shared pointer per torrent, not a copy):
/// it holds nothing of a torrent's own, so 10,000 torrents do not cost 10,000 objects.
class GuardTorrentPlugin final : public lt::torrent_plugin {
 public:
  explicit GuardTorrentPlugin(std::shared_ptr<PeerGuardCounters> counters) : m_counters(std::move(counters)) {}

  std::shared_ptr<lt::peer_plugin> new_connection(lt::peer_connection_handle const& pc) override {
    if (pc.type() != lt::connection_type::bittorrent) return {};
    return std::make_shared<GuardPeerPlugin>(m_counters, pc);
  }

 private:
  std::shared_ptr<PeerGuardCounters> m_counters;
};

class GuardPlugin final : public lt::plugin {
 public:
  explicit GuardPlugin(std::shared_ptr<PeerGuardCounters> counters)
      : m_torrent_plugin(std::make_shared<GuardTorrentPlugin>(std::move(counters))) {}

  std::shared_ptr<lt::torrent_plugin> new_torrent(lt::torrent_handle const&, lt::client_data_t) override {
    return m_torrent_plugin;  // the same for every torrent
  }

 private:
  std::shared_ptr<GuardTorrentPlugin> m_torrent_plugin;
};

}  // namespace

std::shared_ptr<lt::plugin> make_peer_guard(std::shared_ptr<PeerGuardCounters> counters) {
  return std::make_shared<GuardPlugin>(std::move(counters));
}

}  // namespace seedd
