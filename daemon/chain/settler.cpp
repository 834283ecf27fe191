#include "daemon/chain/settler.hpp"

#include <cstdint>
#include <future>

#include <spdlog/spdlog.h>

#include "daemon/accountant/accountant.hpp"
#include "daemon/chain/abi.hpp"
#include "daemon/chain/quantity.hpp"
#include "daemon/chain/settle_items.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/util/bounded_read.hpp"
#include "daemon/util/clock.hpp"
#include "daemon/util/json_input.hpp"

namespace seedd::chain {
namespace {

using nlohmann::json;
using crypto::to_decimal;
using crypto::to_hex;

std::shared_ptr<spdlog::logger> logger() {
  auto l = spdlog::get("chain");
  return l ? l : spdlog::default_logger();
}

std::string hex_address(const Address& a) { return crypto::to_checksum_address(a); }

bool is_zero(const Address& a) {
  return std::all_of(a.begin(), a.end(), [](uint8_t b) { return b == 0; });
}

// Every error of a chain job as a ChainError the RPC layer can name.
json translated(const std::function<json()>& job, const std::string& endpoint) {
  try {
    return job();
  } catch (const ChainError&) {
    throw;
  } catch (const TransportError& e) {
    throw ChainError(ChainErrorKind::unreachable, std::string("chain unreachable: ") + e.what());
  } catch (const InsufficientFunds& e) {
    throw ChainError(ChainErrorKind::insufficient_funds, e.what());
  } catch (const FeeCapError& e) {
    throw ChainError(ChainErrorKind::fee_cap, e.what());
  } catch (const RpcError& e) {
    std::string m = "endpoint " + endpoint + " answered " + e.method() + " with an error: " + e.endpoint_message();
    if (e.revert_reason()) m += " (revert: " + *e.revert_reason() + ")";
    throw ChainError(ChainErrorKind::endpoint, m);
  } catch (const BadResponse& e) {
    throw ChainError(ChainErrorKind::endpoint, std::string("endpoint ") + endpoint + " answered badly: " + e.what());
  } catch (const ClaimFileError& e) {
    throw ChainError(ChainErrorKind::bad_input, std::string("claim file: ") + e.what());
  } catch (const abi::AbiError& e) {
    throw ChainError(ChainErrorKind::endpoint, std::string("the pool answered data that does not decode: ") + e.what());
  } catch (const ValueError& e) {
    throw ChainError(ChainErrorKind::endpoint, e.what());
  }
}

json bounty_json(const KnownBounty& b) {
  return {{"bounty_id", to_decimal(b.id)},
          {"info_hash", to_hex(b.state.infohash, false)},
          {"funder", hex_address(b.state.funder)},
          {"balance", to_decimal(b.state.balance)},
          {"rate_per_gib", to_decimal(b.state.rate_per_gib)},
          {"max_bytes_per_leecher", std::to_string(b.state.max_bytes_per_leecher)},
          {"pass_signer", is_zero(b.state.pass_signer) ? json(nullptr) : json(hex_address(b.state.pass_signer))},
          {"expires_at", b.state.expires_at},
          {"funded_block", b.funded_block}};
}

using util::unix_now;

}  // namespace

std::string skip_reason_text(uint8_t code) { return std::string(pool::skip_reason_name(code)); }

Settler::Settler(SettlerOptions options, Accountant& accountant, const crypto::PrivateKey& key,
                 const std::filesystem::path& ledger_file)
    : m_options(std::move(options)),
      m_accountant(accountant),
      m_client(ClientOptions{m_options.rpc_url, TransportOptions{m_options.timeout_ms, kMaxRpcResponseBytes, {}}}),
      m_bounties(m_client, BountyCacheOptions{m_options.pool, m_options.deploy_block, kDefaultLogRangeBlocks, kBountyRescanBlocks}),
      m_builder(m_client, key, m_options.chain_id, FeePolicy{m_options.max_fee_per_gas, 0, 20}),
      m_store(ledger_file) {}

Settler::~Settler() { stop(); }

std::optional<std::string> Settler::check_at_start() {
  auto problem = check_chain_and_pool(m_client, m_options.chain_id, m_options.pool);
  if (!problem) m_checked = true;
  return problem;
}

void Settler::start() {
  auto log = logger();
  m_worker = std::make_unique<ChainWorker>(kMaxQueuedJobs);
  m_worker->every(
      std::chrono::duration_cast<std::chrono::milliseconds>(kFollowInterval), [this] { follow_pending(); },
      [log](const std::exception& e) { log->warn("following pending settlements: {}", e.what()); });
  m_worker->every(
      std::chrono::duration_cast<std::chrono::milliseconds>(kRefreshInterval),
      [this] {
        ensure_checked();
        refresh();
      },
      [this, log](const std::exception& e) { log->warn("chain refresh ({}): {}", m_client.endpoint(), e.what()); });
  if (m_options.auto_settle)
    m_worker->every(
        std::chrono::duration_cast<std::chrono::milliseconds>(kAutoSettleInterval), [this] { auto_settle(); },
        [log](const std::exception& e) { log->warn("auto_settle: {}", e.what()); });
}

void Settler::stop() {
  if (m_worker) m_worker->shutdown();  // the waiters of jobs it drops get a broken promise: "stopping"
}

json Settler::run_job(std::function<json()> job) {
  if (!m_worker) throw ChainError(ChainErrorKind::busy, "settlement has not started");
  std::future<json> result;
  try {
    result = m_worker->submit([this, job = std::move(job)] { return translated(job, m_client.endpoint()); });
  } catch (const QueueFull& e) {
    throw ChainError(ChainErrorKind::busy, std::string(e.what()) + ": try again later");
  }
  if (result.wait_for(kCallWait) != std::future_status::ready)
    throw ChainError(ChainErrorKind::busy, "the chain endpoint " + m_client.endpoint() + " did not answer within " +
                                               std::to_string(kCallWait.count()) +
                                               " s; a settlement already committed goes on by itself");
  try {
    return result.get();
  } catch (const std::future_error&) {
    throw ChainError(ChainErrorKind::busy, "seedd is stopping");
  }
}

void Settler::ensure_checked() {
  if (m_checked) return;
  const uint64_t id = m_client.chain_id();
  if (id != m_options.chain_id)
    throw ChainError(ChainErrorKind::wrong_chain, "wrong chain id: endpoint " + m_client.endpoint() + " is on chain " +
                                                      std::to_string(id) + ", pool_chain_id is " +
                                                      std::to_string(m_options.chain_id));
  if (m_client.get_code(m_options.pool).empty())
    throw ChainError(ChainErrorKind::no_pool_code, "pool without code: pool_contract " + hex_address(m_options.pool) +
                                                       " has no code on chain " + std::to_string(id));
  m_checked = true;
}

void Settler::refresh() { m_bounties.refresh(); }

uint256 Settler::best_rate(const crypto::InfoHash20& infohash) const {
  uint256 best = 0;
  const auto now = static_cast<uint64_t>(unix_now());
  for (const auto& b : m_bounties.for_infohash(infohash))
    if (b.state.balance > 0 && b.state.expires_at >= now && is_zero(b.state.pass_signer))
      best = std::max(best, b.state.rate_per_gib);
  return best;
}

Address Settler::token() {
  if (!m_token) {
    CallRequest c;
    c.to = m_options.pool;
    c.data = pool::token_calldata();
    m_token = pool::decode_address(m_client.call(c));
  }
  return *m_token;
}

uint64_t Settler::next_account_nonce() {
  uint64_t n = m_client.get_transaction_count(m_builder.account(), BlockTag::pending_state());
  if (auto p = m_store.max_pending_account_nonce()) n = std::max(n, *p + 1);
  return n;
}

// A mined settlement: its logs become the row's outcome. True when the row is finished.
bool Settler::finish_if_mined(const SettlementRow& row) {
  const auto receipt = m_client.get_transaction_receipt(row.tx_hash);
  if (!receipt) return false;
  SettlementRow out = row;
  out.state = receipt->success ? "confirmed" : "failed";
  out.block = receipt->block_number;
  out.skipped = json::array();
  if (!receipt->success) out.error = "the transaction reverted";
  else out.error.clear();
  for (const auto& log : receipt->logs) {
    if (log.address != m_options.pool || log.removed) continue;
    if (auto s = pool::decode_settled(log)) {
      out.paid = s->paid;
      out.bytes_paid = s->bytes_paid;
      out.items_paid = s->items_paid;
      out.items_skipped = s->items_skipped;
    } else if (auto k = pool::decode_item_skipped(log)) {
      out.skipped.push_back({{"index", k->index}, {"reason", k->reason}, {"reason_name", skip_reason_text(k->reason)}});
    }
  }
  m_store.finish(row.id, out);
  logger()->info("settlement of claim {} {} in block {}: paid {} for {} items, {} skipped", row.claim_nonce, out.state,
                 out.block, to_decimal(out.paid), out.items_paid, out.items_skipped);
  return true;
}

void Settler::follow_pending() {
  for (const auto& row : m_store.pending()) {
    if (finish_if_mined(row)) continue;
    try {
      m_client.send_raw_transaction(row.raw_tx);
      m_store.note_error(row.id, "");
    } catch (const RpcError& e) {
      switch (send_error_kind(e)) {
        case SendErrorKind::AlreadyKnown:
          break;  // in the node's pool: keep following it
        case SendErrorKind::NonceTooLow:
          // Its nonce was taken: by this very transaction (mined between the two calls), or by
          // another of this account. The pool pays a channel once, so the claim may simply be
          // settled again.
          if (!finish_if_mined(row)) {
            SettlementRow failed = row;
            failed.state = "failed";
            failed.error = "replaced: account nonce " + std::to_string(row.account_nonce) + " was used by another transaction";
            m_store.finish(row.id, failed);
          }
          break;
        case SendErrorKind::InsufficientFunds:
          m_store.note_error(row.id, "rebroadcast refused: the node account " + crypto::to_checksum_address(m_builder.account()) +
                                         " cannot pay the gas: fund it (" + e.endpoint_message() + ")");
          break;
        default:
          m_store.note_error(row.id, "rebroadcast refused: " + e.endpoint_message());
      }
    }
  }
}

json Settler::settle(uint64_t claim_nonce, bool dry_run, bool send) {
  return run_job([=, this] { return do_settle(claim_nonce, dry_run, send); });
}

json Settler::do_settle(uint64_t claim_nonce, bool dry_run, bool send) {
  // The claim: its file (what a person may have handed on), else the ledger's copy.
  std::optional<json> doc;
  const auto file = m_accountant.claims_dir() / (std::to_string(claim_nonce) + ".json");
  std::optional<std::string> text;
  try {
    text = util::read_regular_file(file, kMaxClaimFileBytes);
  } catch (const std::exception& e) {
    throw ChainError(ChainErrorKind::bad_input, "claim file: " + std::string(e.what()));
  }
  if (text) {
    // The user's own file, which may be far larger than an RPC body: the depth bound applies.
    auto parsed = util::parse_untrusted_json(*text, util::kMaxJsonDepth, SIZE_MAX);
    if (!parsed.ok())
      throw ChainError(ChainErrorKind::bad_input, "claim file " + file.string() + " " + util::json_input_problem(parsed));
    doc = std::move(parsed.value);
  } else {
    doc = m_accountant.ledger().claim(claim_nonce);
  }
  if (!doc) throw ChainError(ChainErrorKind::unknown_claim, "nonce: no claim " + std::to_string(claim_nonce));

  ensure_checked();
  try {
    follow_pending();
  } catch (const TransportError&) {
    // Said below when it matters: a pending settlement of this claim, or the calls that follow.
  }
  const bool sending = !dry_run && send;
  if (sending) {
    if (auto last = m_store.latest(claim_nonce)) {
      if (last->state == "pending")
        throw ChainError(ChainErrorKind::pending, "claim " + std::to_string(claim_nonce) + " has a settlement pending: tx " +
                                                      to_hex(last->tx_hash) + " (account nonce " +
                                                      std::to_string(last->account_nonce) +
                                                      "), rebroadcast until mined" +
                                                      (last->error.empty() ? "" : ": " + last->error));
      if (last->state == "confirmed" && last->items_skipped == 0)
        throw ChainError(ChainErrorKind::already_settled, "claim " + std::to_string(claim_nonce) +
                                                              " already settled in tx " + to_hex(last->tx_hash) +
                                                              " (block " + std::to_string(last->block) + ", paid " +
                                                              to_decimal(last->paid) + ")");
    }
  }
  auto claim = parse_claim_file(*doc);
  if (claim.claim.nonce != claim_nonce)
    throw ChainError(ChainErrorKind::bad_input, "claim file " + file.string() + " holds nonce " +
                                                    std::to_string(claim.claim.nonce) + ", not " + std::to_string(claim_nonce));
  refresh();

  // Per receipt: the live bounty with the best rate and a balance, then what the pool holds.
  std::vector<std::optional<pool::Bounty>> bounty_of(claim.items.size());
  std::vector<uint64_t> paid_bytes(claim.items.size()), leecher_paid(claim.items.size());
  for (size_t i = 0; i < claim.items.size(); ++i) {
    auto& item = claim.items[i];
    std::vector<Address> signers;
    if (!is_zero(claim.pass_signers[i])) signers.push_back(claim.pass_signers[i]);
    auto pick = m_bounties.pick(item.receipt.infohash, item.receipt.timestamp, 1, signers);
    if (!pick) pick = m_bounties.pick(item.receipt.infohash, item.receipt.timestamp, 0, signers);
    if (!pick) {
      // None live: the best known one still says "bounty" or "exhausted" on chain.
      for (const auto& b : m_bounties.for_infohash(item.receipt.infohash))
        if (!pick || b.state.rate_per_gib > pick->state.rate_per_gib) pick = b;
    }
    if (pick) {
      item.bounty_id = pick->id;
      bounty_of[i] = pick->state;
      if (pick->state.max_bytes_per_leecher != 0) {
        CallRequest c;
        c.to = m_options.pool;
        c.data = abi::encode_call("leecherPaidBytes(uint256,address)", {abi::Value::uint(pick->id), abi::Value::address(item.receipt.leecher)});
        leecher_paid[i] = to_u64(pool::decode_uint256(m_client.call(c)), "leecherPaidBytes");
      }
    }
    CallRequest c;
    c.to = m_options.pool;
    c.data = abi::encode_call("paidBytes(bytes32)", {abi::Value::bytes(channel_key(item.receipt))});
    paid_bytes[i] = to_u64(pool::decode_uint256(m_client.call(c)), "paidBytes");
  }
  const auto forecast = forecast_items(claim, paid_bytes, bounty_of, leecher_paid);
  const auto data = pool::settle_calldata(claim.claim, claim.signature, claim.items);

  CallRequest sim;
  sim.from = m_builder.account();
  sim.to = m_options.pool;
  sim.data = data;
  const uint256 would_pay = pool::decode_settle_return(m_client.call(sim));

  json items = json::array();
  uint32_t paid_count = 0;
  for (size_t i = 0; i < claim.items.size(); ++i) {
    const auto& r = claim.items[i].receipt;
    const auto& f = forecast[i];
    json row = {{"index", i},
                {"info_hash", to_hex(r.infohash, false)},
                {"leecher", hex_address(r.leecher)},
                {"channel", std::to_string(r.channel)},
                {"bytes", std::to_string(r.bytes)},
                {"paid_bytes_before", std::to_string(paid_bytes[i])},
                {"bounty_id", bounty_of[i] ? json(to_decimal(claim.items[i].bounty_id)) : json(nullptr)},
                {"rate_per_gib", bounty_of[i] ? to_decimal(bounty_of[i]->rate_per_gib) : "0"},
                {"amount", to_decimal(f.amount)},
                {"delta_bytes", std::to_string(f.delta_bytes)},
                {"skip_reason", f.reason == 0 ? json(nullptr) : json(f.reason)},
                {"skip_reason_name", f.reason == 0 ? json(nullptr) : json(skip_reason_text(f.reason))}};
    if (f.reason == 0) ++paid_count;
    items.push_back(std::move(row));
  }
  json out = {{"nonce", claim_nonce},
              {"dry_run", dry_run},
              {"pool", hex_address(m_options.pool)},
              {"payout", hex_address(claim.claim.payout)},
              {"would_pay", to_decimal(would_pay)},
              {"items_paid", paid_count},
              {"items_skipped", claim.items.size() - paid_count},
              {"items", items}};
  if (dry_run) return out;
  if (send && would_pay == 0) {
    // A transaction that pays nothing only costs gas: say why instead of sending it.
    std::string why;
    bool bounty_problem = false;
    for (size_t i = 0; i < forecast.size() && why.size() < 300; ++i) {
      const uint8_t r = forecast[i].reason;
      if (r == 4 || r == 7) bounty_problem = true;
      if (r != 0) why += (why.empty() ? "" : ", ") + std::string("item ") + std::to_string(i) + ": " + skip_reason_text(r);
    }
    if (bounty_problem)
      throw ChainError(ChainErrorKind::bounty, "claim " + std::to_string(claim_nonce) +
                                                   " would be paid nothing: no live bounty with a balance pays its receipts (" +
                                                   why + "); see bounty.list");
    throw ChainError(ChainErrorKind::already_settled, "claim " + std::to_string(claim_nonce) +
                                                          " would be paid nothing (" + why +
                                                          "): its bytes were paid already, nothing sent");
  }
  if (!send) {
    out["to"] = hex_address(m_options.pool);
    out["data"] = to_hex(data);
    return out;
  }

  // Signed and committed before it is broadcast: a kill -9 from here on loses nothing, and
  // the start rebroadcasts it.
  const auto prepared = m_builder.build(m_options.pool, data, 0, next_account_nonce());
  SettlementRow row;
  row.claim_nonce = claim_nonce;
  for (size_t i = 0; i < claim.items.size(); ++i)
    row.items.push_back({{"index", i}, {"bounty_id", to_decimal(claim.items[i].bounty_id)}});
  row.account_nonce = prepared.tx.nonce;
  row.raw_tx = prepared.signed_tx.raw;
  row.tx_hash = prepared.signed_tx.hash;
  row.id = m_store.insert_pending(row);
  logger()->info("settlement of claim {}: tx {} (account nonce {}) committed, broadcasting", claim_nonce,
                 to_hex(row.tx_hash), row.account_nonce);
  try {
    m_client.send_raw_transaction(row.raw_tx);
  } catch (const TransportError& e) {
    m_store.note_error(row.id, std::string("broadcast failed: ") + e.what());
    throw ChainError(ChainErrorKind::unreachable, std::string("chain unreachable: ") + e.what() + "; the settlement is pending as tx " +
                                                      to_hex(row.tx_hash) + " and is rebroadcast until mined");
  } catch (const RpcError& e) {
    m_store.note_error(row.id, "broadcast refused: " + e.endpoint_message());
    if (send_error_kind(e) != SendErrorKind::AlreadyKnown) throw;
  }
  const auto deadline = std::chrono::steady_clock::now() + kReceiptWait;
  bool done = false;
  while (!(done = finish_if_mined(row)) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  out["settlement"] = settlement_json(*m_store.latest(claim_nonce));
  return out;
}

void Settler::auto_settle() {
  // Expected payout of what is unclaimed, at the bounties' rates.
  uint256 expected = 0;
  const uint256 gib = uint256(1) << 30;
  for (const auto& t : m_accountant.ledger().by_torrent(0, unix_now() + 3600, m_accountant.policy().default_rate))
    expected += uint256(t.unclaimed_bytes) * best_rate(t.infohash) / gib;
  if (expected == 0 || expected < m_options.settle_min_amount) return;
  auto made = m_accountant.claim(m_options.payout, false);
  logger()->info("auto_settle: claim {} expected to pay {}; settling", made.nonce, to_decimal(expected));
  translated([&] { return do_settle(made.nonce, false, true); }, m_client.endpoint());
}

json Settler::send_and_wait(const Address& to, std::vector<uint8_t> data, const char* what) {
  const auto prepared = m_builder.build(to, std::move(data), 0, next_account_nonce());
  m_client.send_raw_transaction(prepared.signed_tx.raw);
  const auto deadline = std::chrono::steady_clock::now() + kReceiptWait;
  for (;;) {
    if (auto r = m_client.get_transaction_receipt(prepared.signed_tx.hash)) {
      if (!r->success)
        throw ChainError(ChainErrorKind::endpoint, std::string(what) + " transaction " + to_hex(prepared.signed_tx.hash) + " reverted");
      json logs = json::array();
      for (const auto& log : r->logs)
        if (auto f = pool::decode_bounty_funded(log); f && log.address == m_options.pool) logs.push_back(to_decimal(f->bounty_id));
      return {{"tx", to_hex(prepared.signed_tx.hash)}, {"block", r->block_number}, {"funded", logs}};
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return {{"tx", to_hex(prepared.signed_tx.hash)}, {"block", nullptr}, {"funded", json::array()}};
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

json Settler::approve_pool(const uint256& amount) {
  const Address tok = token();
  CallRequest c;
  c.to = tok;
  c.data = erc20::balance_of_calldata(m_builder.account());
  const uint256 balance = pool::decode_uint256(m_client.call(c));
  if (balance < amount)
    throw ChainError(ChainErrorKind::insufficient_funds, "the node account " + hex_address(m_builder.account()) + " holds " +
                                                             to_decimal(balance) + " of token " + hex_address(tok) +
                                                             ", the bounty needs " + to_decimal(amount));
  c.data = erc20::allowance_calldata(m_builder.account(), m_options.pool);
  json out = json::object();
  if (pool::decode_uint256(m_client.call(c)) < amount)
    out["approve"] = send_and_wait(tok, erc20::approve_calldata(m_options.pool, amount), "approve");
  return out;
}

json Settler::fund(const crypto::InfoHash20& infohash, const uint256& amount, const uint256& rate_per_gib,
                   uint64_t max_bytes_per_leecher, const Address& pass_signer, uint64_t expires_at) {
  return run_job([=, this]() -> json {
    ensure_checked();
    follow_pending();
    json out = approve_pool(amount);
    const auto r = send_and_wait(m_options.pool,
                                 pool::fund_calldata(infohash, amount, rate_per_gib, max_bytes_per_leecher, pass_signer, expires_at),
                                 "fund");
    out["tx"] = r["tx"];
    out["block"] = r["block"];
    out["bounty_id"] = r["funded"].empty() ? json(nullptr) : r["funded"][0];
    refresh();
    return out;
  });
}

json Settler::top_up(const uint256& bounty_id, const uint256& amount) {
  return run_job([=, this]() -> json {
    ensure_checked();
    follow_pending();
    json out = approve_pool(amount);
    const auto r = send_and_wait(m_options.pool, pool::top_up_calldata(bounty_id, amount), "topUp");
    out["tx"] = r["tx"];
    out["block"] = r["block"];
    out["bounty_id"] = to_decimal(bounty_id);
    refresh();
    return out;
  });
}

json Settler::withdraw(const uint256& bounty_id) {
  return run_job([=, this]() -> json {
    ensure_checked();
    follow_pending();
    const auto r = send_and_wait(m_options.pool, pool::withdraw_calldata(bounty_id), "withdraw");
    refresh();
    return {{"tx", r["tx"]}, {"block", r["block"]}, {"bounty_id", to_decimal(bounty_id)}};
  });
}

json Settler::info() {
  return run_job([this]() -> json {
    const uint64_t id = m_client.chain_id();
    const uint64_t head = m_client.block_number();
    json out = {{"chain_id", id},
                {"expected_chain_id", m_options.chain_id},
                {"endpoint", m_client.endpoint()},
                {"head_block", head},
                {"pool", hex_address(m_options.pool)},
                {"pool_deploy_block", m_options.deploy_block},
                {"account", hex_address(m_builder.account())},
                {"eth_balance", to_decimal(m_client.get_balance(m_builder.account()))},
                {"settlements_pending", m_store.pending_count()},
                {"tokens_paid", to_decimal(m_store.total_paid())},
                {"bounties_known", m_bounties.all().size()}};
    ensure_checked();
    const Address tok = token();
    CallRequest c;
    c.to = tok;
    c.data = erc20::balance_of_calldata(m_builder.account());
    out["token"] = hex_address(tok);
    out["token_balance"] = to_decimal(pool::decode_uint256(m_client.call(c)));
    return out;
  });
}

nlohmann::json bounty_to_json(const KnownBounty& b) { return bounty_json(b); }

}  // namespace seedd::chain
