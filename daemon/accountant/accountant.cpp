#include "daemon/accountant/accountant.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "daemon/accountant/receipt_extension.hpp"
#include "daemon/accountant/verifier.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/clock.hpp"
#include "daemon/util/io_error.hpp"

namespace seedd {
using namespace accountant;
using namespace std::chrono_literals;

namespace {
using util::unix_now;

constexpr auto kUnverifiedFlushInterval = 1s;
constexpr auto kBatchWait = 100ms;
constexpr auto kCommitRetryDelay = 500ms;
// While commits keep failing (a full disk), the error is logged once per this interval.
constexpr auto kCommitErrorLogInterval = 60s;
// A failed commit no write has followed (a claim, with no receipts coming) stops counting as a
// problem for /healthz after this long; the worker's retries renew it every 600 ms.
constexpr auto kCommitProblemWindow = 120s;
}  // namespace

Accountant::Accountant(AccountingPolicy policy, crypto::PrivateKey key, std::filesystem::path data_dir)
    : m_data_dir(std::move(data_dir)),
      m_ctx(std::make_shared<ExtensionContext>(std::move(key))),
      m_commit_log(std::make_unique<util::LogThrottle>(kCommitErrorLogInterval)) {
  m_ctx->policy = std::move(policy);
  apply_runtime_policy(m_ctx->policy.credit_window, m_ctx->policy.vanilla, m_ctx->policy.vanilla_upload_limit,
                       m_ctx->policy.lane_weights);
  m_ledger = std::make_unique<Ledger>(m_data_dir / "ledger.sqlite");
  for (const auto& [ih, t] : m_ledger->totals_by_torrent()) m_books[ih] = {t.verified_bytes, t.unverified_bytes};
  util::ensure_directory(claims_dir(), 0755);
  // A kill -9 during a claim leaves at most a temp file (removed here) and a recorded claim
  // without its file (written here); a file the ledger does not hold is moved aside.
  for (const auto& name : m_ledger->tidy_claims_dir(claims_dir())) {
    spdlog::warn("claims: {} was not a recorded claim: {}", name,
                 name.find(".tmp.") != std::string::npos ? "removed the interrupted write"
                                                         : "moved it to claims/orphaned/");
  }
  m_ledger->write_missing_claim_files(claims_dir());
  load_held_passes();
}

Accountant::~Accountant() { stop(); }

std::shared_ptr<libtorrent::plugin> Accountant::plugin() { return make_receipt_plugin(m_ctx); }

void Accountant::start() {
  m_thread = std::thread([this] {
    ::pthread_setname_np(::pthread_self(), "seedd-ledger");
    run();
  });
}

void Accountant::stop() {
  if (!m_thread.joinable()) return;
  m_stopping = true;
  m_ctx->queue.wake();
  m_thread.join();
}

void Accountant::fold_peer_total(PeerTotalRows& rows, const PeerTotalKey& key, uint64_t sent, uint64_t received, size_t max_rows) {
  if (max_rows > 0 && rows.size() >= max_rows && !rows.contains(key)) {
    // Full: the row that moved the fewest bytes makes room (a scan, only when a new peer closes
    // its first connection on a full table).
    const auto smallest = std::min_element(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return a.second.sent_bytes + a.second.received_bytes < b.second.sent_bytes + b.second.received_bytes;
    });
    rows.erase(smallest);
  }
  auto& t = rows[key];
  t.address = key.second;
  t.sent_bytes += sent;
  t.received_bytes += received;
  t.connections += 1;
}

namespace {
/// Which peer_totals row a connection counts in: its node's address, or the vanilla row.
std::optional<crypto::Address> peer_total_key(const PeerConnection& c) {
  if (c.is_seedd.load(std::memory_order_acquire)) return c.peer_address;
  return std::nullopt;
}
}  // namespace

void Accountant::book_unverified(LedgerBatch& batch, int64_t now) {
  std::map<crypto::InfoHash20, uint64_t> by_torrent;
  for (const auto& c : m_ctx->registry.all()) {
    // A pass runs out while its holder is connected: the peer leaves the pass lane. Its channel
    // keeps the pass for the receipts it covered.
    if (c->pass && c->pass->expires_at < static_cast<uint64_t>(std::max<int64_t>(now, 0))) {
      c->pass.reset();
      c->pass_holder.store(false);
      c->pass_state.store(PassState::expired);
    }
    if (!c->is_seedd.load(std::memory_order_acquire)) {
      const uint64_t up = c->uploaded.load();
      if (up > c->unverified_booked) {
        by_torrent[c->infohash] += up - c->unverified_booked;
        c->unverified_booked = up;
      }
    }
    if (c->closed.load()) {
      std::lock_guard lock(m_totals_mutex);
      fold_peer_total(m_closed_totals, {c->infohash, peer_total_key(*c)}, c->uploaded.load(), c->downloaded.load(),
                      kMaxPeerTotalRows);
      m_ctx->registry.erase(c->id);
    }
  }
  for (const auto& [ih, bytes] : by_torrent) batch.unverified.push_back({ih, bytes});
}

void Accountant::run() {
  auto log = spdlog::get("ledger");
  LedgerBatch pending;  // kept until it commits: a full disk delays booking, it loses nothing
  std::vector<std::pair<std::shared_ptr<PeerConnection>, uint64_t>> pending_accepts;
  auto next_flush = std::chrono::steady_clock::now() + kUnverifiedFlushInterval;
  for (;;) {
    const bool stopping = m_stopping.load();
    auto inbound = m_ctx->queue.drain(kBatchWait);
    auto& items = inbound.receipts;
    const int64_t now = unix_now();
    // Passes first: one arrives in the handshake, before any receipt of its connection.
    for (const auto& pass : inbound.passes) check_pass(pass, pending, now);
    // Receipts are cumulative: of a connection's well-formed receipts in this batch only the
    // newest is verified (docs/protocol.md 4), so a fast cadence costs one verification per channel
    // per batch (at most one every kBatchWait). Malformed ones still count as violations.
    std::unordered_map<const PeerConnection*, size_t> newest;
    for (size_t i = 0; i < items.size(); ++i)
      if (!items[i].malformed) newest[items[i].conn.get()] = i;
    for (size_t i = 0; i < items.size(); ++i) {
      auto& item = items[i];
      auto& conn = *item.conn;
      if (!item.malformed && newest[item.conn.get()] != i) {
        ++m_superseded;
        continue;
      }
      if (auto reason = check_receipt(item, conn, m_ctx->policy.domain, m_ctx->address, now)) {
        pending.rejections.push_back(*reason);
        conn.violations.fetch_add(1);
        ++m_rejected;
        log->debug("rejected a receipt from {}: {} (b={} ts={} uploaded={})", conn.endpoint, to_string(*reason),
                   item.bytes, item.timestamp, item.uploaded_then);
        continue;
      }
      pending.receipts.push_back({receipt_of(item, conn, m_ctx->address), item.signature, conn.pass});
      pending_accepts.emplace_back(item.conn, item.bytes);
    }
    if (stopping || std::chrono::steady_clock::now() >= next_flush) {
      book_unverified(pending, now);
      next_flush = std::chrono::steady_clock::now() + kUnverifiedFlushInterval;
    }
    if (!pending.receipts.empty() || !pending.rejections.empty() || !pending.unverified.empty()) {
      pending.now = now;
      try {
        CommitResult result;
        {
          std::lock_guard lock(m_write_mutex);
          result = m_ledger->commit(pending);
        }
        // Only now do these receipts count anywhere.
        std::lock_guard lock(m_books_mutex);
        for (size_t i = 0; i < pending.receipts.size(); ++i)
          m_books[pending.receipts[i].receipt.infohash].verified_bytes += result.verified_delta.at(i);
        for (const auto& u : pending.unverified) m_books[u.infohash].unverified_bytes += u.bytes;
        for (const auto& [conn, b] : pending_accepts)
          if (conn->accepted_bytes.load() < b) conn->accepted_bytes = b;
        m_accepted += pending_accepts.size();
        pending = {};
        pending_accepts.clear();
        commit_succeeded();
      } catch (const std::exception& e) {
        commit_failed(e.what());
        if (stopping) break;
        std::this_thread::sleep_for(kCommitRetryDelay);
      }
    }
    if (stopping && inbound.empty()) break;
  }
}

bool Accountant::pass_signer_counts(const crypto::InfoHash20& infohash, const crypto::Address& signer,
                                    int64_t now) const {
  const auto& trusted = m_ctx->policy.trusted_pass_signers;
  if (std::find(trusted.begin(), trusted.end(), signer) != trusted.end()) return true;
  return m_pass_signer_check && m_pass_signer_check(infohash, signer, now);
}

void Accountant::check_pass(const InboundPass& item, LedgerBatch& batch, int64_t now) {
  auto& conn = *item.conn;
  std::optional<RejectReason> reason;
  std::optional<crypto::Address> signer;
  // The leecher of this connection and its torrent come from the connection, not the message:
  // a pass shown by another peer, or for another torrent, recovers another signer.
  const crypto::Pass pass{conn.infohash, conn.peer_address, item.expires_at};
  if (item.malformed || !conn.is_seedd.load(std::memory_order_acquire)) {
    reason = RejectReason::pass_malformed;
  } else if (!(signer = recover_pass_signer(m_ctx->policy.domain, pass, item.signature))) {
    reason = RejectReason::pass_bad_signature;
  } else if (now < 0 || item.expires_at < static_cast<uint64_t>(now)) {
    reason = RejectReason::pass_expired;
  } else if (!pass_signer_counts(conn.infohash, *signer, now)) {
    reason = RejectReason::pass_unknown_signer;
  }
  if (reason) {
    batch.rejections.push_back(*reason);
    // Each reason is one violation of the connection (docs/protocol.md 9). A pass comes once
    // per handshake, so an honest viewer whose pass is for a bounty this node does not follow
    // (another pool, one that ran dry) is never closed for it: three close a connection.
    conn.violations.fetch_add(1);
    ++m_rejected;
    // A bad pass in a later handshake of the connection leaves a valid earlier one as it was.
    if (!conn.pass) conn.pass_state.store(*reason == RejectReason::pass_expired ? PassState::expired : PassState::invalid);
    else conn.pass_state.store(PassState::valid);
    spdlog::get("ledger")->debug("rejected the pass of {}: {} (exp={})", conn.endpoint, to_string(*reason), item.expires_at);
    return;
  }
  conn.pass = ChannelPass{item.expires_at, item.signature, *signer};
  conn.pass_expires_at.store(item.expires_at);
  conn.pass_state.store(PassState::valid);
  conn.pass_holder.store(true);
  spdlog::get("ledger")->debug("{} holds a pass by {} until {}", conn.endpoint, crypto::to_checksum_address(*signer),
                               item.expires_at);
}

void Accountant::load_held_passes() {
  HeldPasses::Map map;
  for (auto& held : m_ledger->passes()) map[held.document.pass.infohash].push_back(std::move(held.document));
  m_ctx->held_passes.replace(std::move(map));
}

bool Accountant::add_pass(const PassDocument& doc) {
  if (auto problem = pass_problem(doc, m_ctx->policy.domain, m_ctx->address, unix_now())) throw PassRefused(*problem);
  bool added = false;
  try {
    std::lock_guard lock(m_write_mutex);
    added = m_ledger->add_pass(doc, unix_now());
  } catch (const util::IoError& e) {
    commit_failed(e.what());
    throw;
  }
  load_held_passes();
  return added;
}

std::vector<HeldPass> Accountant::passes(std::optional<crypto::InfoHash20> infohash) const {
  return m_ledger->passes(infohash);
}

void Accountant::commit_failed(const std::string& error) {
  ++m_commit_failures;
  uint64_t in_row = 0;
  {
    std::lock_guard lock(m_problem_mutex);
    m_last_failure = std::chrono::steady_clock::now();
    if (m_commit_error.empty()) m_failing_since = m_last_failure;
    m_commit_error = error;
    in_row = ++m_failures_in_row;
  }
  if (const auto held = m_commit_log->allow())
    spdlog::get("ledger")->error("cannot commit to the ledger (will retry; {} failed in a row{}): {}", in_row,
                                 *held ? ", " + std::to_string(*held) + " not logged" : std::string(), error);
}

void Accountant::commit_succeeded() {
  uint64_t after = 0;
  {
    std::lock_guard lock(m_problem_mutex);
    if (m_commit_error.empty()) return;
    m_commit_error.clear();
    after = m_failures_in_row;
    m_failures_in_row = 0;
  }
  m_commit_log->reset();
  spdlog::get("ledger")->info("the ledger commits again, after {} failures", after);
}

std::optional<std::string> Accountant::ledger_problem() const {
  std::lock_guard lock(m_problem_mutex);
  const auto now = std::chrono::steady_clock::now();
  if (m_commit_error.empty() || now - m_last_failure >= kCommitProblemWindow) return std::nullopt;
  const auto for_s = std::chrono::duration_cast<std::chrono::seconds>(now - m_failing_since);
  return "ledger: cannot commit for " + std::to_string(for_s.count()) + " s (" + std::to_string(m_failures_in_row) +
         " failures in a row): " + m_commit_error;
}

Accountant::Books Accountant::books(const crypto::InfoHash20& infohash) const {
  std::lock_guard lock(m_books_mutex);
  auto it = m_books.find(infohash);
  return it == m_books.end() ? Books{} : it->second;
}

void Accountant::apply_runtime_policy(uint64_t credit_window, accountant::VanillaPolicy vanilla,
                                      uint64_t vanilla_upload_limit, const accountant::LaneWeights& lane_weights) {
  m_ctx->credit_window = credit_window;
  m_ctx->vanilla = vanilla;
  m_ctx->vanilla_upload_limit = vanilla_upload_limit;
  for (size_t i = 0; i < kLaneCount; ++i) m_ctx->lane_weights[i] = lane_weights[i];
}

Accountant::RuntimePolicy Accountant::runtime_policy() const {
  return {m_ctx->credit_window.load(), m_ctx->vanilla.load(), m_ctx->vanilla_upload_limit.load(),
          m_ctx->current_lane_weights()};
}

void Accountant::set_lane_limits(uint64_t upload_limit, bool rate_limit_lan, int upload_slots) {
  m_ctx->lane_capacity = upload_limit;
  m_ctx->lanes_cover_lan = rate_limit_lan;
  m_ctx->upload_slots = upload_slots;
}

std::map<crypto::InfoHash20, Accountant::Books> Accountant::all_books() const {
  std::lock_guard lock(m_books_mutex);
  return m_books;
}

std::vector<Accountant::PeerView> Accountant::peers(const crypto::InfoHash20& infohash) const {
  std::vector<PeerView> out;
  for (const auto& c : m_ctx->registry.all()) {
    if (c->infohash != infohash || c->closed.load()) continue;
    PeerView v;
    v.endpoint = c->endpoint;
    if (c->client_known.load(std::memory_order_acquire)) v.client = c->client;
    if (c->is_seedd.load(std::memory_order_acquire)) v.address = c->peer_address;
    v.sent_bytes = c->uploaded.load();
    v.received_bytes = c->downloaded.load();
    v.receipted_bytes = c->accepted_bytes.load();
    v.choked = c->choked.load();
    v.interested = c->interested.load();
    v.is_seedd = c->is_seedd.load(std::memory_order_acquire);
    v.pass_holder = c->pass_holder.load();
    v.pass_state = c->pass_state.load();
    v.pass_expires_at = c->pass_expires_at.load();
    v.lane = lane_of(*c);
    v.violations = c->violations.load();
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<Accountant::PeerTotal> Accountant::peer_totals(const crypto::InfoHash20& infohash) const {
  PeerTotalRows rows;  // this torrent's closed rows, then its open connections folded in
  std::lock_guard lock(m_totals_mutex);  // the worker folds and erases under it: no connection twice
  for (auto it = m_closed_totals.lower_bound({infohash, std::nullopt});
       it != m_closed_totals.end() && it->first.first == infohash; ++it)
    rows.insert(*it);
  for (const auto& c : m_ctx->registry.all())
    if (c->infohash == infohash)
      fold_peer_total(rows, {infohash, peer_total_key(*c)}, c->uploaded.load(), c->downloaded.load(), 0);
  std::vector<PeerTotal> out;
  out.reserve(rows.size());
  for (const auto& [key, t] : rows) out.push_back(t);
  return out;
}

crypto::uint256 Accountant::reward_rate(const crypto::InfoHash20& infohash) const {
  const auto rates = m_ledger->reward_rates();
  auto it = rates.find(infohash);
  return it == rates.end() ? m_ctx->policy.default_rate : it->second;
}

void Accountant::set_reward_rate(const crypto::InfoHash20& infohash, std::optional<crypto::uint256> rate) {
  std::lock_guard lock(m_write_mutex);
  m_ledger->set_reward_rate(infohash, rate);
}

MadeClaim Accountant::claim(const crypto::Address& payout, bool dry_run) {
  ClaimRequest req;
  req.domain = m_ctx->policy.domain;
  req.payout = payout;
  req.created_at = unix_now();
  req.default_rate = m_ctx->policy.default_rate;
  req.dry_run = dry_run;
  MadeClaim made;
  try {
    std::lock_guard lock(m_write_mutex);
    made = m_ledger->make_claim(req, m_ctx->key);
  } catch (const util::IoError& e) {
    commit_failed(e.what());
    throw;
  }
  if (dry_run) return made;
  commit_succeeded();
  try {
    m_ledger->write_missing_claim_files(claims_dir());
  } catch (const std::exception& e) {
    throw util::IoError("the claim with nonce " + std::to_string(made.nonce) +
                        " is recorded in the ledger, but its file could not be written (" + e.what() +
                        "); rewards.get shows it, and the file is written again at the next claim or start");
  }
  if (m_on_claim) m_on_claim(made, claims_dir() / (std::to_string(made.nonce) + ".json"));
  return made;
}

}  // namespace seedd
