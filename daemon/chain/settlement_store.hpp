#pragma once
// The settlement queue, durable in the ledger file (ledger.sqlite, table `settlements`): per
// claim nonce the items sent, the signed raw transaction and its account nonce, committed
// BEFORE the transaction is broadcast, so that a kill -9 at any point leaves a row that the next
// start rebroadcasts and follows to its receipt (the pool refuses to pay a channel twice, so a
// rebroadcast can never pay twice either).
//
// Threads: the chain worker writes; RPC threads read. Each call takes the store's mutex and runs
// on its own SQLite connection (WAL, busy timeout), apart from the ledger's connections.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/crypto/types.hpp"

struct sqlite3;

namespace seedd::chain {

/// One settle() transaction of a claim.
struct SettlementRow {
  int64_t id = 0;
  uint64_t claim_nonce = 0;
  std::string state;              // "pending", "confirmed" or "failed"
  nlohmann::json items;           // [{index, bounty_id}] as sent
  uint64_t account_nonce = 0;     // the node account's transaction nonce
  std::vector<uint8_t> raw_tx;    // what eth_sendRawTransaction takes
  crypto::Bytes32 tx_hash{};
  uint64_t block = 0;             // 0 while pending
  crypto::uint256 paid = 0;
  uint64_t bytes_paid = 0;
  uint32_t items_paid = 0, items_skipped = 0;
  nlohmann::json skipped = nlohmann::json::array();  // [{index, reason, reason_name}]
  std::string error;              // why failed, or the last broadcast error while pending
  int64_t created_at = 0, updated_at = 0;
};

class SettlementStore {
 public:
  /// Opens `ledger_file` (the ledger must have created it) and adds the table when missing.
  /// Throws std::runtime_error naming the file.
  explicit SettlementStore(const std::filesystem::path& ledger_file);
  ~SettlementStore();
  SettlementStore(const SettlementStore&) = delete;
  SettlementStore& operator=(const SettlementStore&) = delete;

  /// Records a signed transaction as pending, in one committed transaction; returns its id.
  int64_t insert_pending(const SettlementRow& row);
  /// Marks a row confirmed or failed with what its receipt's logs say.
  void finish(int64_t id, const SettlementRow& outcome);
  /// Notes the last broadcast error of a pending row (it stays pending).
  void note_error(int64_t id, const std::string& error);

  std::vector<SettlementRow> pending() const;
  /// The latest row of a claim nonce, if any.
  std::optional<SettlementRow> latest(uint64_t claim_nonce) const;
  /// Every row of a claim nonce, oldest first.
  std::vector<SettlementRow> for_claim(uint64_t claim_nonce) const;
  /// The highest account nonce of a pending row.
  std::optional<uint64_t> max_pending_account_nonce() const;
  /// Σ paid of confirmed rows, and the count of pending rows (metrics).
  crypto::uint256 total_paid() const;
  uint64_t pending_count() const;

 private:
  std::vector<SettlementRow> query(const std::string& where, int64_t arg) const;
  mutable std::mutex m_mutex;  // guards m_db
  sqlite3* m_db = nullptr;
};

/// The `settlement` object rewards.list and rewards.get show for a row.
nlohmann::json settlement_json(const SettlementRow& row);

}  // namespace seedd::chain
