#pragma once
// Settlement and bounties on the pool's chain (issue 13): one chain worker thread runs every
// chain call (with the transport's timeout), so a slow or dead endpoint never stalls the alert
// loop or the RPC workers: an RPC handler hands its job to the worker and waits for it at most
// kCallWait, and reads (settlement state, bounties, chain.info's last figures) come from memory or
// the ledger. Pending settlements (settlement_store.hpp) are rebroadcast and followed from start.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/chain/bounty_cache.hpp"
#include "daemon/chain/chain_worker.hpp"
#include "daemon/chain/rpc_client.hpp"
#include "daemon/chain/settlement_store.hpp"
#include "daemon/chain/tx_builder.hpp"
#include "daemon/crypto/keys.hpp"

namespace seedd {
class Accountant;
}

namespace seedd::chain {

/// The most an RPC handler waits for the chain worker.
inline constexpr auto kCallWait = std::chrono::seconds(60);
/// Jobs queued for the chain worker beyond which new ones are refused (busy).
inline constexpr size_t kMaxQueuedJobs = 16;
/// How often pending settlements are followed (and rebroadcast while not mined).
inline constexpr auto kFollowInterval = std::chrono::seconds(2);
/// How often the bounty cache and chain.info's figures are refreshed.
inline constexpr auto kRefreshInterval = std::chrono::seconds(15);
/// How often auto_settle looks at the expected payout.
inline constexpr auto kAutoSettleInterval = std::chrono::seconds(30);
/// How long a send waits for its receipt before answering "pending".
inline constexpr auto kReceiptWait = std::chrono::seconds(20);
/// The largest claim file settle() reads (a claim of about 2 million receipts).
inline constexpr uint64_t kMaxClaimFileBytes = 1ull << 30;
/// The transport timeout of chain calls.
inline constexpr int kChainTimeoutMs = 10000;

/// What went wrong, for the RPC layer to map to its error codes.
enum class ChainErrorKind {
  unknown_claim,
  already_settled,
  pending,
  unreachable,
  wrong_chain,
  no_pool_code,
  insufficient_funds,
  fee_cap,
  endpoint,
  bounty,
  bad_input,
  busy,
};

class ChainError : public std::runtime_error {
 public:
  ChainError(ChainErrorKind kind, const std::string& message) : std::runtime_error(message), m_kind(kind) {}
  ChainErrorKind kind() const { return m_kind; }

 private:
  ChainErrorKind m_kind;
};

struct SettlerOptions {
  std::string rpc_url;
  uint64_t chain_id = 0;
  Address pool{};
  uint64_t deploy_block = 0;
  uint256 max_fee_per_gas = 0;  // 0 = no cap
  bool auto_settle = false;
  uint256 settle_min_amount = 0;
  Address payout{};
  int timeout_ms = kChainTimeoutMs;
};

class Settler {
 public:
  /// Opens the settlement table in `ledger_file`. Nothing touches the chain before start().
  Settler(SettlerOptions options, Accountant& accountant, const crypto::PrivateKey& key,
          const std::filesystem::path& ledger_file);
  ~Settler();
  Settler(const Settler&) = delete;
  Settler& operator=(const Settler&) = delete;

  /// The start check: nullopt when the endpoint is on options.chain_id and the pool has code,
  /// else the message saying which (seedd exits 2). Throws the client's errors when unreachable.
  std::optional<std::string> check_at_start();
  /// Starts the worker; it first rebroadcasts and follows pending settlements.
  void start();
  void stop();

  // --- for RPC handlers: each runs on the worker and waits at most kCallWait (ChainError) ---
  /// rewards.settle: builds the items, simulates, and unless dry_run or !send signs, commits and
  /// sends.
  nlohmann::json settle(uint64_t claim_nonce, bool dry_run, bool send);
  nlohmann::json info();
  nlohmann::json fund(const crypto::InfoHash20& infohash, const uint256& amount, const uint256& rate_per_gib,
                      uint64_t max_bytes_per_leecher, const Address& pass_signer, uint64_t expires_at);
  nlohmann::json top_up(const uint256& bounty_id, const uint256& amount);
  nlohmann::json withdraw(const uint256& bounty_id);

  // --- from memory or the ledger, any thread ---
  std::vector<KnownBounty> bounties() const { return m_bounties.all(); }
  /// The best live rate of a torrent's bounties, 0 when none.
  uint256 best_rate(const crypto::InfoHash20& infohash) const;
  std::optional<SettlementRow> settlement(uint64_t claim_nonce) const { return m_store.latest(claim_nonce); }
  uint256 tokens_paid() const { return m_store.total_paid(); }
  uint64_t settlements_pending() const { return m_store.pending_count(); }
  const Address& account() const { return m_builder.account(); }
  const SettlerOptions& options() const { return m_options; }
  std::string endpoint() const { return m_client.endpoint(); }

 private:
  nlohmann::json run_job(std::function<nlohmann::json()> job);
  void ensure_checked();
  void follow_pending();
  void refresh();
  void auto_settle();
  nlohmann::json do_settle(uint64_t claim_nonce, bool dry_run, bool send);
  /// Checks that the node account holds `amount` of the token and lets the pool take it
  /// (approve, when the allowance is short); {"approve": ...} when it sent one, else {}.
  nlohmann::json approve_pool(const uint256& amount);
  nlohmann::json send_and_wait(const Address& to, std::vector<uint8_t> data, const char* what);
  uint64_t next_account_nonce();
  bool finish_if_mined(const SettlementRow& row);
  Address token();

  SettlerOptions m_options;
  Accountant& m_accountant;
  Client m_client;             // its calls run on the worker only
  BountyCache m_bounties;
  TxBuilder m_builder;
  SettlementStore m_store;

  // worker thread only:
  bool m_checked = false;
  std::optional<Address> m_token;

  std::unique_ptr<ChainWorker> m_worker;  // from start() to stop(); last, so that it stops first
};

/// "proof", "nothing_new", ... for a reason code (pool::skip_reason_name).
std::string skip_reason_text(uint8_t code);
/// A bounty as bounty.list shows it.
nlohmann::json bounty_to_json(const KnownBounty& bounty);

}  // namespace seedd::chain
