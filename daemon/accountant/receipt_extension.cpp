#include "daemon/accountant/receipt_extension.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <sys/random.h>

#include <libtorrent/bdecode.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/entry.hpp>
#include <libtorrent/extensions.hpp>
#include <libtorrent/peer_connection_handle.hpp>
#include <libtorrent/peer_info.hpp>
#include <libtorrent/session_handle.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/accountant/peer_state.hpp"
#include "daemon/engine/lt_util.hpp"
#include "daemon/util/clock.hpp"

namespace seedd::accountant {
namespace {

using Clock = std::chrono::steady_clock;

using util::unix_now;

uint64_t random_channel() {
  uint64_t v = 0;
  while (v == 0)
    if (::getrandom(&v, sizeof v, 0) != sizeof v) v = 0;
  return v;
}

std::string be64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  return s;
}

uint64_t from_be64(lt::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

/// How often a seeder holding a peer at its credit window looks whether a receipt has been
/// booked (tick() comes only once a second, which would stall a LAN transfer at each window).
constexpr auto kUnchokePoll = std::chrono::milliseconds(5);
/// How long it keeps looking after the last receipt message arrived; tick() goes on after that.
constexpr auto kUnchokePollFor = std::chrono::seconds(2);
/// The lane pacer's token bucket: it holds at most this much of a peer's cap (a burst after a
/// pause), and a peer choked at its cap is unchoked once it holds a quarter of a second again:
/// about four choke cycles a second for a peer that would take more than its lane gives it.
constexpr double kPaceBurstSeconds = 0.5;
constexpr double kPaceMinBurstBytes = 64 * 1024;
constexpr double kPaceResumeSeconds = 0.25;
constexpr double kPaceMaxDebtSeconds = 1.0;
constexpr double kPaceMinResumeBytes = 16 * 1024;

class ReceiptPeerPlugin final : public lt::peer_plugin, public std::enable_shared_from_this<ReceiptPeerPlugin> {
 public:
  ReceiptPeerPlugin(std::shared_ptr<ExtensionContext> ctx, lt::bt_peer_connection_handle pc,
                    std::shared_ptr<PeerConnection> conn, lt::io_context* ioc)
      : m_ctx(std::move(ctx)), m_pc(std::move(pc)), m_conn(std::move(conn)), m_started(Clock::now()) {
    if (ioc) {
      m_timer = std::make_unique<boost::asio::steady_timer>(*ioc);
      m_pace_timer = std::make_unique<boost::asio::steady_timer>(*ioc);
      m_rechoke_timer = std::make_unique<boost::asio::steady_timer>(*ioc);
    }
  }

  lt::string_view type() const override { return kReceiptExtensionName; }

  void add_handshake(lt::entry& e) override {
    e["m"][kReceiptExtensionName] = kReceiptExtensionId;
    lt::entry& s = e["seedd"];
    s["v"] = 1;
    s["addr"] = std::string(m_ctx->address.begin(), m_ctx->address.end());
    s["chain"] = static_cast<std::int64_t>(m_ctx->policy.domain.chain_id);
    const auto& pool = m_ctx->policy.domain.verifying_contract;
    s["pool"] = std::string(pool.begin(), pool.end());
    s["ri"] = static_cast<std::int64_t>(m_ctx->policy.receipt_interval);
    // Our credit window, so that a leecher receipts often enough to keep it open (cadence:
    // min(ri, cw / 4)). Past libtorrent's int64 it is capped: any window that large is open.
    s["cw"] = static_cast<std::int64_t>(std::min<uint64_t>(m_ctx->credit_window.load(), INT64_MAX));
    // Leecher role: the pass we hold for this torrent (docs/protocol.md 9), so that a seeder serves
    // us in its pass lane and can claim our bytes from a bounty that asks for passes.
    if (auto held = m_ctx->held_passes.best(m_conn->infohash, unix_now())) {
      lt::entry& pass = s["pass"];
      pass["exp"] = static_cast<std::int64_t>(std::min<uint64_t>(held->pass.expires_at, INT64_MAX));
      pass["sig"] = std::string(held->signature.begin(), held->signature.end());
    }
  }

  bool on_extension_handshake(lt::bdecode_node const& h) override {
    m_handshake_seen = true;
    if (!m_conn->client_known.load(std::memory_order_relaxed)) {
      // libtorrent reads the handshake's "v" only after the plugins have seen it, so
      // peer_info::client still holds the peer-id guess here (seedd's "-SE0100-" reads as
      // "SE 0.1.0", a code libtorrent does not know).
      std::string client;
      if (h.type() == lt::bdecode_node::dict_t) client = std::string(h.dict_find_string_value("v"));
      if (client.empty()) {
        lt::peer_info info;
        m_pc.get_peer_info(info);
        client = info.client;
      }
      m_conn->client = client.substr(0, 64);
      m_conn->client_known.store(true, std::memory_order_release);
    }
    if (h.type() != lt::bdecode_node::dict_t) return true;
    if (auto m = h.dict_find_dict("m")) m_peer_msg_id = static_cast<int>(m.dict_find_int_value(kReceiptExtensionName, -1));
    auto s = h.dict_find_dict("seedd");
    if (!s || s.dict_find_int_value("v", 0) != 1 || m_peer_msg_id <= 0) return true;  // a vanilla peer
    const auto addr = s.dict_find_string_value("addr");
    const auto pool = s.dict_find_string_value("pool");
    if (addr.size() != 20) return true;
    std::memcpy(m_conn->peer_address.data(), addr.data(), 20);
    m_peer_chain = static_cast<uint64_t>(s.dict_find_int_value("chain", 0));
    if (pool.size() == 20) std::memcpy(m_peer_pool.data(), pool.data(), 20);
    const auto ri = s.dict_find_int_value("ri", 0);
    // A peer asking for receipts more often than every 16 KiB would make us sign per block.
    m_peer_interval = ri >= static_cast<int64_t>(kMinReceiptIntervalBytes) ? static_cast<uint64_t>(ri)
                                                                             : m_ctx->policy.receipt_interval;
    const auto cw = s.dict_find_int_value("cw", 0);
    if (cw > 0) m_peer_credit_window = static_cast<uint64_t>(cw);
    m_channel = random_channel();
    m_conn->is_seedd.store(true, std::memory_order_release);
    if (auto pass = s.dict_find("pass")) queue_pass(pass);
    return true;
  }

  // ---- seeder role -------------------------------------------------------------------------

  void sent_payload(int bytes) override {
    if (m_first_upload == Clock::time_point{}) m_first_upload = Clock::now();
    const auto total = m_conn->uploaded.fetch_add(static_cast<uint64_t>(bytes)) + static_cast<uint64_t>(bytes);
    pace(bytes);
    if (m_conn->is_seedd.load(std::memory_order_acquire)) {
      if (total - std::min(total, m_conn->accepted_bytes.load()) > m_ctx->credit_window.load()) choke_for_credit();
    } else if (m_ctx->vanilla.load() == VanillaPolicy::throttle && m_ctx->vanilla_upload_limit.load() > 0) {
      if (m_ctx->vanilla_tokens.fetch_sub(bytes) - bytes < 0) choke_vanilla();
    }
  }

  void sent_piece(lt::peer_request const& r) override { m_conn->queued.fetch_add(static_cast<uint64_t>(r.length)); }

  bool on_request(lt::peer_request const&) override {
    if (m_ctx->vanilla.load() == VanillaPolicy::refuse && !m_conn->is_seedd.load(std::memory_order_acquire)) {
      // Not one byte of piece data to a peer without the extension.
      m_pc.disconnect(lt::errors::make_error_code(lt::errors::no_error), lt::operation_t::bittorrent);
      return true;
    }
    return false;
  }

  bool on_extended(int length, int msg, lt::span<char const> body) override {
    if (msg != kReceiptExtensionId) return false;
    if (length > static_cast<int>(kMaxReceiptMessageBytes)) {
      if (body.size() == length) queue_malformed();
      return true;
    }
    if (body.size() < length) return true;  // wait for the rest
    m_conn->receipt_seen.store(true, std::memory_order_relaxed);
    InboundReceipt r;
    r.conn = m_conn;
    r.uploaded_then = std::max(m_conn->queued.load(), m_conn->uploaded.load());
    lt::error_code ec;
    int pos = 0;
    lt::bdecode_node n = lt::bdecode(body, ec, &pos, 4, 32);
    if (ec || n.type() != lt::bdecode_node::dict_t || !m_conn->is_seedd.load(std::memory_order_acquire)) {
      r.malformed = true;
    } else {
      const auto ch = n.dict_find_string("ch");
      const auto b = n.dict_find_int("b");
      const auto ts = n.dict_find_int("ts");
      const auto sig = n.dict_find_string("sig");
      if (!ch || ch.string_length() != 8 || !b || b.int_value() < 0 || !ts || ts.int_value() < 0 || !sig ||
          sig.string_length() != 65) {
        r.malformed = true;
      } else {
        r.channel = from_be64(ch.string_value());
        r.bytes = static_cast<uint64_t>(b.int_value());
        r.timestamp = static_cast<uint64_t>(ts.int_value());
        std::memcpy(r.signature.data(), sig.string_ptr(), 65);
        if (r.channel == 0) r.malformed = true;
      }
    }
    m_ctx->queue.push(std::move(r));
    m_last_receipt_in = Clock::now();
    if (m_choked_for_credit) arm_timer(kUnchokePoll);
    return true;
  }

  // ---- leecher role ------------------------------------------------------------------------

  bool on_piece(lt::peer_request const& piece, lt::span<char const>) override {
    m_conn->downloaded.fetch_add(static_cast<uint64_t>(piece.length));
    maybe_send_receipt(false);
    return false;  // true would swallow the block
  }

  void on_piece_failed(lt::piece_index_t) override { m_tainted = true; }

  void tick() override {
    // The choke hooks keep `choked` as a copy; libtorrent's own flag is the truth (the lane
    // allocator once saw every peer choked while one was served, and gave the slot elsewhere).
    m_conn->choked = m_pc.is_choked();
    // While a finished download holds this connection for its last receipt, blocks that were in
    // flight when that receipt went out are receipted too, whatever the cadence.
    maybe_send_receipt(m_holding);
    if (m_holding && (hold_done() || Clock::now() - m_hold_started > kMaxHold) && !m_disconnecting) {
      // We held a redundant connection for the last receipt; close it now (libtorrent will not
      // ask again).
      m_disconnecting = true;
      m_pc.disconnect(lt::errors::make_error_code(lt::errors::upload_upload_connection), lt::operation_t::bittorrent);
      return;
    }
    if (m_conn->violations.load() >= kMaxViolations && !m_disconnecting) {
      m_disconnecting = true;
      m_pc.disconnect(lt::errors::make_error_code(lt::errors::invalid_message), lt::operation_t::bittorrent,
                      lt::disconnect_severity_t{1});
      return;
    }
    if (m_ctx->vanilla.load() == VanillaPolicy::refuse && !m_conn->is_seedd.load() &&
        (m_handshake_seen || Clock::now() - m_started > std::chrono::seconds(10))) {
      m_pc.disconnect(lt::errors::make_error_code(lt::errors::no_error), lt::operation_t::bittorrent);
      return;
    }
    if (m_choked_for_credit && !m_conn->receipt_seen.load(std::memory_order_relaxed) &&
        Clock::now() - m_first_upload > std::chrono::milliseconds(kNonSignerGraceMs)) {
      // A seedd node that does not sign (sign_receipts = false): serve it as the vanilla peer
      // it is, instead of holding it at the window for good. Its bytes count as unverified.
      m_conn->is_seedd.store(false, std::memory_order_release);
      m_choked_for_credit = false;
      m_pc.maybe_unchoke_this_peer();
    }
    if (m_choked_for_credit) {
      const auto up = m_conn->uploaded.load();
      if (up - std::min(up, m_conn->accepted_bytes.load()) <= m_ctx->credit_window.load()) {
        m_choked_for_credit = false;
        m_pc.maybe_unchoke_this_peer();
      } else if (!m_pc.is_choked()) {
        m_pc.choke_this_peer();
      }
    }
    if (m_choked_vanilla && m_ctx->vanilla_tokens.load() > 0) {
      m_choked_vanilla = false;
      m_pc.maybe_unchoke_this_peer();
    }
    apply_lane();
  }

  void sent_unchoke() override {
    m_conn->choked = false;
    // libtorrent's choker may unchoke a peer we hold choked; take it back at once. Not from
    // inside this hook: libtorrent calls it before it marks the peer unchoked, so a choke here
    // is a no-op (the peer is still "choked"). Right after, on the network thread.
    if (held())
      arm(&ReceiptPeerPlugin::m_rechoke_timer, &ReceiptPeerPlugin::m_rechoke_armed, std::chrono::microseconds(0),
          &ReceiptPeerPlugin::rechoke);
  }

  void rechoke() {
    if (held() && !m_pc.is_choked()) m_pc.choke_this_peer();
  }
  void sent_choke() override { m_conn->choked = true; }
  bool on_interested() override {
    m_conn->interested = true;
    return false;  // libtorrent handles the message as usual
  }
  bool on_not_interested() override {
    m_conn->interested = false;
    return false;
  }

  bool can_disconnect(lt::error_code const&) override {
    // A finished download closes redundant connections at once; hold this one so the final
    // receipt is sent and flushed (leecher) and booked (seeder). tick() closes it afterwards.
    if (!m_conn->is_seedd.load(std::memory_order_acquire)) return true;
    if (m_hold_started == Clock::time_point{}) m_hold_started = Clock::now();
    if (Clock::now() - m_hold_started > kMaxHold) return true;
    maybe_send_receipt(true);
    if (hold_done()) return true;
    m_holding = true;
    return false;
  }

  void on_disconnect(lt::error_code const&) override { m_conn->closed = true; }

 private:
  static constexpr auto kMaxHold = std::chrono::seconds(5);
  static constexpr auto kFlushGrace = std::chrono::milliseconds(500);

  /// Nothing left to wait for on this connection: our last receipt went out a moment ago (or
  /// we owe none), and the peer's receipts cover what we sent it.
  bool hold_done() const {
    const bool owe_receipt = m_ctx->policy.sign_receipts && !m_tainted && m_peer_msg_id > 0 &&
                             m_conn->receipts_signed.load() < m_conn->downloaded.load();
    const bool flushed = m_last_receipt == Clock::time_point{} || Clock::now() - m_last_receipt >= kFlushGrace ||
                         m_conn->downloaded.load() == 0;
    // A block that was queued and never leaves keeps the hold until kMaxHold.
    return !owe_receipt && flushed && receipts_cover_upload(*m_conn);
  }

  /// One timer per connection, on libtorrent's network thread: it sends a receipt held back
  /// by the 10 ms gap (leecher) and unchokes a peer whose receipt was booked (seeder).
  void arm_timer(std::chrono::milliseconds after) {
    arm(&ReceiptPeerPlugin::m_timer, &ReceiptPeerPlugin::m_timer_armed, after, &ReceiptPeerPlugin::on_timer);
  }

  /// Arms one of the connection's timers (unless it is armed already) to call `then` after
  /// `after` on the network thread, unless the connection is closing by then.
  void arm(std::unique_ptr<boost::asio::steady_timer> ReceiptPeerPlugin::*timer, bool ReceiptPeerPlugin::*armed,
           std::chrono::microseconds after, void (ReceiptPeerPlugin::*then)()) {
    if (!(this->*timer) || this->*armed || m_disconnecting) return;
    this->*armed = true;
    (this->*timer)->expires_after(after);
    (this->*timer)->async_wait([weak = weak_from_this(), armed, then](boost::system::error_code const& ec) {
      auto self = weak.lock();
      if (!self) return;
      (*self).*armed = false;
      if (ec || self->m_disconnecting || self->m_pc.is_disconnecting()) return;
      ((*self).*then)();
    });
  }

  void on_timer() {
    maybe_send_receipt(false);
    if (!m_choked_for_credit) return;
    const auto up = m_conn->uploaded.load();
    if (up - std::min(up, m_conn->accepted_bytes.load()) <= m_ctx->credit_window.load()) {
      m_choked_for_credit = false;
      m_pc.maybe_unchoke_this_peer();
    } else if (Clock::now() - m_last_receipt_in < kUnchokePollFor) {
      arm_timer(kUnchokePoll);
    }
  }

  /// Applies what the lane allocator decided for this connection (docs/architecture.md "Lanes"):
  /// its upload cap, through libtorrent's per-peer rate limit, and whether it may hold an upload
  /// slot. A peer of a lower lane that holds a slot a higher lane is owed is choked; a peer owed a
  /// slot is offered one (libtorrent unchokes it if a slot is free).
  void apply_lane() {
    if (!m_conn->lane_paced.load() && m_choked_for_pace) {
      m_choked_for_pace = false;  // no longer paced (no upload limit now, or its lane is the unpaced one)
      m_conn->pace_held = false;
    }
    if (held()) {
      if (!m_pc.is_choked()) m_pc.choke_this_peer();
    } else if (m_pc.is_choked() && m_conn->interested.load() && !held() && !m_disconnecting) {
      m_pc.maybe_unchoke_this_peer();
    }
  }

  /// Some reason of ours to keep this peer choked.
  bool held() const {
    return m_choked_for_credit || m_choked_vanilla || m_choked_for_pace || !m_conn->slot_granted.load();
  }

  /// The pacer's token bucket (bytes) brought up to `now` at the peer's cap.
  void refill_pace(Clock::time_point now, uint64_t cap) {
    const double depth = std::max(static_cast<double>(cap) * kPaceBurstSeconds, kPaceMinBurstBytes);
    if (m_pace_at == Clock::time_point{}) {
      // Pacing starts (or starts again: a lane alone in use is not paced) with what an unchoke
      // would give, not a full bucket: a peer whose pacing flickers off and on must not collect
      // a free burst each time.
      m_pace_tokens = pace_resume_bytes(cap);
    } else {
      m_pace_tokens = std::min(depth, m_pace_tokens + static_cast<double>(cap) *
                                                          std::chrono::duration<double>(now - m_pace_at).count());
    }
    m_pace_at = now;
  }

  /// Counts `bytes` sent against the peer's lane cap: past it, the peer is choked until the
  /// bucket holds a quarter of a second of its cap again (libtorrent 2.0.8 has no per-peer rate
  /// limit a plugin can set; docs/architecture.md "Lanes").
  void pace(int bytes) {
    const auto cap = m_conn->lane_paced.load() ? m_conn->lane_cap.load() : 0;
    if (cap == 0) {
      m_pace_at = {};
      return;
    }
    const auto now = Clock::now();
    refill_pace(now, cap);
    // Bytes already queued when the peer was choked still go out and are owed; a debt past a
    // second of the cap (a cap that just fell) is forgiven, so the peer is not held for long.
    m_pace_tokens = std::max(m_pace_tokens - bytes, -std::max(static_cast<double>(cap) * kPaceMaxDebtSeconds,
                                                              kPaceMinBurstBytes));
    if (m_pace_tokens < 0 && !m_choked_for_pace) {
      m_choked_for_pace = true;
      m_conn->pace_held = true;
    }
    if (m_choked_for_pace && !m_pc.is_choked()) {
      m_pc.choke_this_peer();
    }
    if (m_choked_for_pace) arm_pace_timer(cap);
  }

  /// What the bucket must hold again before a peer choked at its cap is unchoked.
  static double pace_resume_bytes(uint64_t cap) {
    return std::max(static_cast<double>(cap) * kPaceResumeSeconds, kPaceMinResumeBytes);
  }

  void arm_pace_timer(uint64_t cap) {
    const double resume = pace_resume_bytes(cap);
    const double wait_s = std::max(0.001, (resume - m_pace_tokens) / static_cast<double>(cap));
    arm(&ReceiptPeerPlugin::m_pace_timer, &ReceiptPeerPlugin::m_pace_timer_armed,
        std::chrono::microseconds(static_cast<int64_t>(wait_s * 1e6)), &ReceiptPeerPlugin::on_pace_timer);
  }

  void on_pace_timer() {
    if (!m_choked_for_pace) return;
    const auto cap = m_conn->lane_paced.load() ? m_conn->lane_cap.load() : 0;
    if (cap > 0) {
      refill_pace(Clock::now(), cap);
      const double resume = pace_resume_bytes(cap);
      if (m_pace_tokens < resume) {
        arm_pace_timer(cap);
        return;
      }
    }
    m_choked_for_pace = false;
    m_conn->pace_held = false;
    if (!held()) m_pc.maybe_unchoke_this_peer();
  }

  void choke_for_credit() {
    if (m_choked_for_credit) return;
    m_choked_for_credit = true;
    m_pc.choke_this_peer();
  }

  void choke_vanilla() {
    if (m_choked_vanilla) return;
    m_choked_vanilla = true;
    m_pc.choke_this_peer();
  }

  /// Hands the peer's `seedd.pass` to the worker, which verifies it (never here: a signature
  /// recovery does not belong on the network thread). A malformed one is a counted violation.
  void queue_pass(lt::bdecode_node const& node) {
    InboundPass p;
    p.conn = m_conn;
    const auto exp = node.type() == lt::bdecode_node::dict_t ? node.dict_find_int("exp") : lt::bdecode_node();
    const auto sig = node.type() == lt::bdecode_node::dict_t ? node.dict_find_string("sig") : lt::bdecode_node();
    if (!exp || exp.int_value() < 0 || !sig || sig.string_length() != 65) {
      p.malformed = true;
    } else {
      p.expires_at = static_cast<uint64_t>(exp.int_value());
      std::memcpy(p.signature.data(), sig.string_ptr(), 65);
    }
    m_conn->pass_state.store(PassState::checking);
    m_ctx->queue.push(std::move(p));
  }

  void queue_malformed() {
    InboundReceipt r;
    r.conn = m_conn;
    r.malformed = true;
    m_ctx->queue.push(std::move(r));
  }

  /// Sends a cumulative receipt when the cadence asks for one (or at once when `final`).
  void maybe_send_receipt(bool final) {
    if (!m_ctx->policy.sign_receipts || m_tainted || m_peer_msg_id <= 0) return;
    if (!m_conn->is_seedd.load(std::memory_order_acquire)) return;
    const uint64_t received = m_conn->downloaded.load();
    const uint64_t signed_b = m_conn->receipts_signed.load();
    if (received <= signed_b) return;
    const auto now = Clock::now();
    const auto since = now - m_last_receipt;
    if (!final) {
      // docs/protocol.md 4: once min(ri, cw / 4) bytes arrived since the last receipt.
      const uint64_t cadence = std::max(kMinReceiptIntervalBytes, std::min(m_peer_interval, m_peer_credit_window / 4));
      const bool interval_reached = received - signed_b >= cadence;
      const bool silent_too_long = since >= std::chrono::milliseconds(kMaxReceiptSilenceMs);
      if (!(interval_reached || silent_too_long)) return;
      if (since < std::chrono::milliseconds(kMinReceiptGapMs)) {
        // Due, but the last one went out less than 10 ms ago: send it when the gap ends, not
        // when the next block comes (on a fast link the seeder's window may be used up by then,
        // and no block comes until a receipt opens it again).
        arm_timer(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::milliseconds(kMinReceiptGapMs) - since) +
                  std::chrono::milliseconds(1));
        return;
      }
    }
    crypto::Receipt receipt;
    receipt.infohash = m_conn->infohash;
    receipt.seeder = m_conn->peer_address;
    receipt.leecher = m_ctx->address;
    receipt.channel = m_channel;
    receipt.bytes = received;
    receipt.timestamp = static_cast<uint64_t>(unix_now());
    crypto::Domain domain;
    domain.chain_id = m_peer_chain;
    domain.verifying_contract = m_peer_pool;
    // Signing costs ~35 us; at most once every 10 ms per peer (3.5 ms a second), so it stays
    // on this thread.
    const auto sig = m_ctx->key.sign(crypto::receipt_digest(domain, receipt));
    lt::entry e;
    e["ch"] = be64(m_channel);
    e["b"] = static_cast<std::int64_t>(received);
    e["ts"] = static_cast<std::int64_t>(receipt.timestamp);
    e["sig"] = std::string(sig.begin(), sig.end());
    std::string payload;
    lt::bencode(std::back_inserter(payload), e);
    send_extended(payload);
    m_conn->receipts_signed = received;
    m_last_receipt = now;
  }

  void send_extended(const std::string& payload) {
    std::string frame;
    const uint32_t len = static_cast<uint32_t>(2 + payload.size());
    frame.push_back(static_cast<char>(len >> 24));
    frame.push_back(static_cast<char>(len >> 16));
    frame.push_back(static_cast<char>(len >> 8));
    frame.push_back(static_cast<char>(len));
    frame.push_back(20);  // BEP 10: the extended message
    frame.push_back(static_cast<char>(m_peer_msg_id));
    frame += payload;
    m_pc.send_buffer(frame.data(), static_cast<int>(frame.size()));
  }

  std::shared_ptr<ExtensionContext> m_ctx;
  lt::bt_peer_connection_handle m_pc;
  std::shared_ptr<PeerConnection> m_conn;
  // network thread only
  Clock::time_point m_started;
  Clock::time_point m_last_receipt{};
  Clock::time_point m_hold_started{};
  int m_peer_msg_id = -1;
  uint64_t m_peer_chain = 0;
  crypto::Address m_peer_pool{};
  uint64_t m_peer_interval = 1024 * 1024;
  uint64_t m_peer_credit_window = kDefaultCreditWindowBytes;  // the seeder's `cw`
  Clock::time_point m_first_upload{};
  Clock::time_point m_last_receipt_in{};  // seeder role: when the peer's last receipt message came
  std::unique_ptr<boost::asio::steady_timer> m_timer;
  bool m_timer_armed = false;
  uint64_t m_channel = 0;
  bool m_handshake_seen = false;
  bool m_tainted = false;
  bool m_choked_for_credit = false;
  bool m_choked_vanilla = false;
  bool m_disconnecting = false;
  bool m_holding = false;
  // The lane pacer (seeder role).
  std::unique_ptr<boost::asio::steady_timer> m_pace_timer;
  bool m_pace_timer_armed = false;
  std::unique_ptr<boost::asio::steady_timer> m_rechoke_timer;  // takes back an unchoke we did not want
  bool m_rechoke_armed = false;
  bool m_choked_for_pace = false;
  double m_pace_tokens = 0;        // bytes the peer may still be sent at its cap
  Clock::time_point m_pace_at{};   // when m_pace_tokens was brought up to date; {}: not pacing
};

class ReceiptTorrentPlugin final : public lt::torrent_plugin {
 public:
  ReceiptTorrentPlugin(std::shared_ptr<ExtensionContext> ctx, crypto::InfoHash20 infohash, lt::io_context* ioc)
      : m_ctx(std::move(ctx)), m_infohash(infohash), m_ioc(ioc) {}

  std::shared_ptr<lt::peer_plugin> new_connection(lt::peer_connection_handle const& pc) override {
    if (pc.type() != lt::connection_type::bittorrent) return {};  // web seeds have no BEP 10
    auto conn = std::make_shared<PeerConnection>();
    conn->id = m_ctx->next_connection_id++;
    conn->infohash = m_infohash;
    conn->endpoint = lt_util::endpoint_string(pc.remote().address(), pc.remote().port());
    conn->local = pc.on_local_network();
    m_ctx->registry.add(conn);
    return std::make_shared<ReceiptPeerPlugin>(m_ctx, lt::bt_peer_connection_handle(pc), std::move(conn), m_ioc);
  }

 private:
  std::shared_ptr<ExtensionContext> m_ctx;
  crypto::InfoHash20 m_infohash;
  lt::io_context* m_ioc;
};

class ReceiptPlugin final : public lt::plugin {
 public:
  explicit ReceiptPlugin(std::shared_ptr<ExtensionContext> ctx) : m_ctx(std::move(ctx)) {}

  lt::feature_flags_t implemented_features() override { return tick_feature; }

  // The session's io_context runs the network thread: the connections' timers go on it.
  void added(lt::session_handle const& s) override { m_ioc = &const_cast<lt::session_handle&>(s).get_context(); }

  std::shared_ptr<lt::torrent_plugin> new_torrent(lt::torrent_handle const& h, lt::client_data_t) override {
    // info_hashes() reads an immutable field: no round trip to this (the network) thread.
    const auto id = lt_util::id_bytes(h.info_hashes());
    crypto::InfoHash20 ih;
    std::memcpy(ih.data(), id.data(), 20);
    return std::make_shared<ReceiptTorrentPlugin>(m_ctx, ih, m_ioc);
  }

  void on_tick() override {
    // Refill the vanilla token bucket (about once a second).
    const auto limit = static_cast<int64_t>(m_ctx->vanilla_upload_limit.load());
    if (limit > 0) m_ctx->vanilla_tokens = std::min<int64_t>(limit, m_ctx->vanilla_tokens.load() + limit);
    allocate_lanes();
  }

 private:
  /// The lane allocator (docs/architecture.md "Lanes"), once a second: measures what each peer
  /// took since the last run and gives every connection its upload cap and slot for the next
  /// second. The connections apply them in their own tick().
  void allocate_lanes() {
    const auto now = Clock::now();
    const double seconds = m_last_allocation == Clock::time_point{}
                               ? 1.0
                               : std::max(0.1, std::chrono::duration<double>(now - m_last_allocation).count());
    m_last_allocation = now;
    const auto weights = m_ctx->current_lane_weights();
    const bool cover_lan = m_ctx->lanes_cover_lan.load();
    std::vector<std::shared_ptr<PeerConnection>> shaped;
    std::vector<LanePeer> demand;
    std::vector<SlotPeer> asking;
    std::vector<PeerConnection*> asking_conns;
    for (auto& c : m_ctx->registry.all()) {
      if (c->closed.load()) continue;
      const auto uploaded = c->uploaded.load();
      const auto took = uploaded - std::min(uploaded, c->lane_uploaded_then);
      c->lane_uploaded_then = uploaded;
      if (c->local && !cover_lan) {
        // libtorrent's local class: outside the upload limit and the slot count.
        c->lane_cap = 0;
        c->lane_paced = false;
        c->slot_granted = true;
        continue;
      }
      const Lane lane = lane_of(*c);
      const bool interested = c->interested.load();
      const bool served = !c->choked.load() || c->pace_held.load();  // unchoked, or only paused by the pacer
      demand.push_back({lane, interested && served, static_cast<uint64_t>(took / seconds), c->lane_cap.load(),
                        c->pace_held.load(), interested});
      shaped.push_back(c);
      if (interested) {
        asking.push_back({lane, served, uploaded});
        asking_conns.push_back(c.get());
      } else {
        c->slot_granted = true;  // nothing to hold a slot for
      }
    }
    const auto caps = lane_caps(m_ctx->lane_capacity.load(), weights, demand);
    const auto paced = paced_peers(demand, caps);
    for (size_t i = 0; i < shaped.size(); ++i) {
      shaped[i]->lane_cap = caps[i];
      shaped[i]->lane_paced = paced[i];
    }
    const auto granted =
        lane_slots(m_slot_rounds.counts(m_ctx->upload_slots.load(), weights, slots_asked(asking)), asking);
    for (size_t i = 0; i < asking_conns.size(); ++i) asking_conns[i]->slot_granted = granted[i];
  }

  std::shared_ptr<ExtensionContext> m_ctx;
  lt::io_context* m_ioc = nullptr;  // set in added(), before any torrent
  Clock::time_point m_last_allocation{};  // network thread only
  SlotRounds m_slot_rounds;               // network thread only
};

}  // namespace

std::shared_ptr<lt::plugin> make_receipt_plugin(std::shared_ptr<ExtensionContext> ctx) {
  return std::make_shared<ReceiptPlugin>(std::move(ctx));
}

}  // namespace seedd::accountant
