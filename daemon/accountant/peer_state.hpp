#pragma once
// State shared between the receipt extension (libtorrent's network thread) and the accountant's
// worker (verifier + ledger writer). The network thread never blocks on it: it writes atomics
// and pushes to a queue whose lock is held for a vector push only.
#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/accountant/lanes.hpp"
#include "daemon/accountant/pass.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/types.hpp"

namespace seedd::accountant {

enum class VanillaPolicy { serve, throttle, refuse };

/// Fixed at start.
struct AccountingPolicy {
  uint64_t credit_window = 16 * 1024 * 1024;
  uint64_t receipt_interval = 1024 * 1024;
  VanillaPolicy vanilla = VanillaPolicy::serve;
  uint64_t vanilla_upload_limit = 0;  // bytes/s for vanilla peers under `throttle`; 0 = none
  bool sign_receipts = true;
  crypto::Domain domain;
  crypto::uint256 default_rate = 0;
  LaneWeights lane_weights = kDefaultLaneWeights;
  // Pass signers whose passes count without a bounty on chain (`trusted_pass_signers`).
  std::vector<crypto::Address> trusted_pass_signers;
};

/// Protocol constants of docs/protocol.md section 4.
constexpr uint64_t kOverClaimSlackBytes = 16 * 1024;
constexpr int64_t kMaxClockSkewSeconds = 300;
constexpr int kMaxViolations = 3;
constexpr int kMinReceiptGapMs = 10;         // at most one receipt every 10 ms
constexpr int kMaxReceiptSilenceMs = 30000;  // one at least every 30 s while the count grows
/// A seeder that does not say `cw` in its handshake is taken to use this credit window.
constexpr uint64_t kDefaultCreditWindowBytes = 16 * 1024 * 1024;
/// The smallest receipt cadence a leecher keeps (it would otherwise sign for every block).
constexpr uint64_t kMinReceiptIntervalBytes = 16 * 1024;
/// A seedd peer held at the credit window that has sent no receipt at all on the connection
/// this long after its first byte is a node that does not sign (`sign_receipts = false`): it is
/// served as a vanilla peer from then on. A signing leecher sends its first receipt after
/// min(ri, cw/4) bytes and at least one every 30 s, so it never gets here.
constexpr int kNonSignerGraceMs = kMaxReceiptSilenceMs;
constexpr size_t kMaxReceiptMessageBytes = 512;

/// Where a connection's `seedd.pass` stands (seeder role), as torrent.peers shows it.
enum class PassState : uint8_t {
  none,      // the peer showed no pass
  checking,  // shown, not verified yet (the worker verifies it in its next batch)
  valid,     // it counts: the peer is in the pass lane
  expired,   // it counted, or would have, but expiresAt has passed
  invalid,   // malformed, or no trusted signer recovers it for this peer and torrent
};

/// One peer connection of one torrent.
struct PeerConnection {
  uint64_t id = 0;
  crypto::InfoHash20 infohash{};
  std::string endpoint;  // "ip:port"
  // On a local network (libtorrent's local peer class: loopback, private ranges): exempt from
  // the lanes' bandwidth caps unless rate_limit_lan puts such peers under the upload limit.
  bool local = false;

  // Written by the network thread.
  std::atomic<bool> is_seedd{false};  // the peer's handshake carried `seedd` v1 with an address
  // and has not been found to be a node that does not sign (then it is served as vanilla)
  crypto::Address peer_address{};     // valid once is_seedd is true (release/acquire)
  std::atomic<uint64_t> uploaded{0};  // payload bytes we sent on this connection (write completed)
  // Payload bytes queued for this peer: never less than what it can have received, while
  // `uploaded` trails the wire by up to a send buffer. Rule 5's bound.
  std::atomic<uint64_t> queued{0};
  std::atomic<uint64_t> downloaded{0};
  std::atomic<uint64_t> receipts_signed{0};  // leecher role: latest b we signed for the peer
  std::atomic<bool> receipt_seen{false};     // seeder role: the peer sent at least one receipt message
  // Seeder role: the peer's `seedd.pass` verified for this connection's infohash and leecher
  // (docs/protocol.md section 9) and has not expired. Puts it in the first lane (fast lane).
  std::atomic<bool> pass_holder{false};
  std::atomic<PassState> pass_state{PassState::none};  // written by the network thread, then the worker
  std::atomic<uint64_t> pass_expires_at{0};  // of a valid pass, for display
  std::atomic<bool> closed{false};
  std::atomic<bool> choked{true};       // we choke it (it may not download from us); BitTorrent starts so
  std::atomic<bool> interested{false};  // it said it wants pieces we have
  std::string client;                    // valid once client_known is true (release/acquire)
  std::atomic<bool> client_known{false};

  // Written by the lane allocator (network thread, once a second); the extension applies them.
  std::atomic<uint64_t> lane_cap{0};       // upload cap in bytes/s; 0 = none
  std::atomic<bool> lane_paced{false};     // the extension holds the peer to lane_cap (not the unpaced lane)
  std::atomic<bool> slot_granted{true};    // may hold an upload slot (docs/architecture.md "Lanes")
  // Written by the extension: choked by the lane pacer for now (at its cap); it still counts as
  // a peer that wants upload and holds its slot.
  std::atomic<bool> pace_held{false};

  // Written by the worker after a commit; read by the network thread (credit window).
  std::atomic<uint64_t> accepted_bytes{0};
  std::atomic<int> violations{0};

  // Network thread only: what the lane allocator saw of this connection at its last run.
  uint64_t lane_uploaded_then = 0;

  // Worker thread only.
  uint64_t channel = 0;
  uint64_t last_b = 0;
  uint64_t last_ts = 0;
  bool has_receipt = false;
  uint64_t unverified_booked = 0;  // bytes of `uploaded` already booked as unverified
  std::optional<ChannelPass> pass;  // the verified pass, kept with each receipt of the channel
};

/// The lane a connection is served in now: a seedd peer that signs receipts is in the receipt
/// lane, or the pass lane once its pass verified; any other peer (and a seedd node found not to
/// sign) is vanilla.
inline Lane lane_of(const PeerConnection& c) {
  if (!c.is_seedd.load(std::memory_order_acquire)) return Lane::vanilla;
  return c.pass_holder.load(std::memory_order_acquire) ? Lane::pass : Lane::receipt;
}

/// Seeder role: whether the peer's accepted receipts cover everything this connection gave it,
/// so that the connection may close without losing a receipt. Every block handed to the socket
/// counts (`queued`), not only the writes libtorrent has reported complete (`uploaded`): those
/// trail what the peer may already have received, and a connection closed on `uploaded` alone
/// lost the receipt of its last blocks (issue 14's swarm test: up to 11 blocks per connection).
inline bool receipts_cover_upload(const PeerConnection& c) {
  return c.accepted_bytes.load() >= std::max(c.uploaded.load(), c.queued.load());
}

/// A receipt message as it came off the wire, with what the seeder knew at that moment.
struct InboundReceipt {
  std::shared_ptr<PeerConnection> conn;
  bool malformed = false;
  uint64_t channel = 0;
  uint64_t bytes = 0;
  uint64_t timestamp = 0;
  crypto::Signature signature{};
  uint64_t uploaded_then = 0;  // conn->queued when the message arrived
};

/// A `seedd.pass` as it came off the wire in the peer's extended handshake (docs/protocol.md 4, 9).
struct InboundPass {
  std::shared_ptr<PeerConnection> conn;
  bool malformed = false;
  uint64_t expires_at = 0;
  crypto::Signature signature{};
};

/// What the worker takes from the queue at once.
struct InboundBatch {
  std::vector<InboundReceipt> receipts;
  std::vector<InboundPass> passes;
  bool empty() const { return receipts.empty() && passes.empty(); }
};

/// Hand-over from the network thread to the worker.
class ReceiptQueue {
 public:
  void push(InboundReceipt r) {
    {
      std::lock_guard lock(m_mutex);
      m_items.receipts.push_back(std::move(r));
    }
    m_cv.notify_one();
  }
  void push(InboundPass p) {
    {
      std::lock_guard lock(m_mutex);
      m_items.passes.push_back(std::move(p));
    }
    m_cv.notify_one();
  }
  /// Waits up to `timeout` for items, then takes all of them.
  template <class Duration>
  InboundBatch drain(Duration timeout) {
    std::unique_lock lock(m_mutex);
    m_cv.wait_for(lock, timeout, [this] { return !m_items.empty() || m_woken; });
    m_woken = false;
    return std::exchange(m_items, {});
  }
  void wake() {
    {
      std::lock_guard lock(m_mutex);
      m_woken = true;
    }
    m_cv.notify_all();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  InboundBatch m_items;
  bool m_woken = false;
};

/// The passes this node holds as a leecher (pass.add), by torrent: what the extension sends in
/// its handshake. Replaced whole on a change; the network thread holds the lock only to copy a
/// shared_ptr.
class HeldPasses {
 public:
  using Map = std::map<crypto::InfoHash20, std::vector<PassDocument>>;
  void replace(Map passes) {
    auto next = std::make_shared<const Map>(std::move(passes));
    std::lock_guard lock(m_mutex);
    m_passes = std::move(next);
  }
  /// The pass to show for `infohash` at `now`: of those not expired, the one that lasts longest.
  std::optional<PassDocument> best(const crypto::InfoHash20& infohash, int64_t now) const {
    std::shared_ptr<const Map> passes;
    {
      std::lock_guard lock(m_mutex);
      passes = m_passes;
    }
    if (!passes) return std::nullopt;
    const auto it = passes->find(infohash);
    if (it == passes->end()) return std::nullopt;
    std::optional<PassDocument> out;
    for (const auto& p : it->second)
      if (now >= 0 && p.pass.expires_at >= static_cast<uint64_t>(now) && (!out || p.pass.expires_at > out->pass.expires_at))
        out = p;
    return out;
  }

 private:
  mutable std::mutex m_mutex;
  std::shared_ptr<const Map> m_passes;  // guarded by m_mutex
};

/// Every live connection (and closed ones until the worker has booked their last bytes).
class ConnectionRegistry {
 public:
  void add(std::shared_ptr<PeerConnection> c) {
    std::lock_guard lock(m_mutex);
    m_conns[c->id] = std::move(c);
  }
  std::vector<std::shared_ptr<PeerConnection>> all() const {
    std::lock_guard lock(m_mutex);
    std::vector<std::shared_ptr<PeerConnection>> out;
    out.reserve(m_conns.size());
    for (const auto& [id, c] : m_conns) out.push_back(c);
    return out;
  }
  void erase(uint64_t id) {
    std::lock_guard lock(m_mutex);
    m_conns.erase(id);
  }

 private:
  mutable std::mutex m_mutex;
  std::map<uint64_t, std::shared_ptr<PeerConnection>> m_conns;
};

/// What the extension needs; owned by the Accountant, outliving the session.
struct ExtensionContext {
  AccountingPolicy policy;
  crypto::PrivateKey key;
  crypto::Address address{};
  ReceiptQueue queue;
  ConnectionRegistry registry;
  HeldPasses held_passes;
  std::atomic<uint64_t> next_connection_id{1};
  // Token bucket for vanilla peers under `throttle` (bytes; refilled once a second).
  std::atomic<int64_t> vanilla_tokens{0};
  // The live values of the policies a reload (SIGHUP) may change while peers are connected;
  // the plugin reads these, never policy's copies of them.
  std::atomic<uint64_t> credit_window{0};
  std::atomic<VanillaPolicy> vanilla{VanillaPolicy::serve};
  std::atomic<uint64_t> vanilla_upload_limit{0};
  // The lanes (SIGHUP and session.set change them): the weights, and from the network settings
  // in force the upload limit they divide (0 = none: no caps), whether it covers LAN peers
  // (rate_limit_lan) and the upload slots (<= 0: no limit).
  std::array<std::atomic<uint32_t>, kLaneCount> lane_weights{};
  std::atomic<uint64_t> lane_capacity{0};
  std::atomic<bool> lanes_cover_lan{false};
  std::atomic<int> upload_slots{0};
  LaneWeights current_lane_weights() const {
    LaneWeights w;
    for (size_t i = 0; i < kLaneCount; ++i) w[i] = lane_weights[i].load();
    return w;
  }
  explicit ExtensionContext(crypto::PrivateKey k) : key(std::move(k)), address(key.address()) {}
};

}  // namespace seedd::accountant
