#include "daemon/chain/settlement_store.hpp"

#include <sqlite3.h>

#include <chrono>
#include <stdexcept>

#include "daemon/crypto/hex.hpp"
#include "daemon/util/clock.hpp"

namespace seedd::chain {
namespace {

constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS settlements (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  claim_nonce INTEGER NOT NULL CHECK (claim_nonce > 0),
  state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'failed')),
  items TEXT NOT NULL,
  account_nonce INTEGER NOT NULL CHECK (account_nonce >= 0),
  raw_tx BLOB NOT NULL,
  tx_hash BLOB NOT NULL CHECK (length(tx_hash) = 32),
  block INTEGER NOT NULL DEFAULT 0,
  paid TEXT NOT NULL DEFAULT '0',
  bytes_paid INTEGER NOT NULL DEFAULT 0,
  items_paid INTEGER NOT NULL DEFAULT 0,
  items_skipped INTEGER NOT NULL DEFAULT 0,
  skipped TEXT NOT NULL DEFAULT '[]',
  error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS settlements_by_claim ON settlements (claim_nonce, id);
CREATE INDEX IF NOT EXISTS settlements_pending ON settlements (id) WHERE state = 'pending';
)sql";

using util::unix_now;

class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : m_db(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("settlements: ") + sqlite3_errmsg(db));
  }
  ~Stmt() { sqlite3_finalize(m_stmt); }
  Stmt& bind(int i, int64_t v) { sqlite3_bind_int64(m_stmt, i, v); return *this; }
  Stmt& bind(int i, const std::string& v) { sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); return *this; }
  Stmt& bind_blob(int i, const uint8_t* p, size_t n) { sqlite3_bind_blob(m_stmt, i, p, static_cast<int>(n), SQLITE_TRANSIENT); return *this; }
  bool step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("settlements: ") + sqlite3_errmsg(m_db));
  }
  int64_t i64(int c) { return sqlite3_column_int64(m_stmt, c); }
  std::string text(int c) {
    auto p = sqlite3_column_text(m_stmt, c);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(m_stmt, c)) : std::string();
  }
  std::vector<uint8_t> blob(int c) {
    auto p = static_cast<const uint8_t*>(sqlite3_column_blob(m_stmt, c));
    return p ? std::vector<uint8_t>(p, p + sqlite3_column_bytes(m_stmt, c)) : std::vector<uint8_t>();
  }

 private:
  sqlite3* m_db;
  sqlite3_stmt* m_stmt = nullptr;
};

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "error";
    sqlite3_free(err);
    throw std::runtime_error("settlements: " + m);
  }
}

constexpr const char* kColumns =
    "SELECT id, claim_nonce, state, items, account_nonce, raw_tx, tx_hash, block, paid, bytes_paid, items_paid, "
    "items_skipped, skipped, error, created_at, updated_at FROM settlements ";

}  // namespace

SettlementStore::SettlementStore(const std::filesystem::path& ledger_file) {
  if (sqlite3_open_v2(ledger_file.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    const std::string m = m_db ? sqlite3_errmsg(m_db) : "out of memory";
    sqlite3_close(m_db);
    m_db = nullptr;
    throw std::runtime_error("settlements: cannot open " + ledger_file.string() + ": " + m);
  }
  sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
  exec(m_db, "PRAGMA synchronous = FULL");
  exec(m_db, kSchema);
}

SettlementStore::~SettlementStore() { sqlite3_close(m_db); }

int64_t SettlementStore::insert_pending(const SettlementRow& row) {
  std::lock_guard lock(m_mutex);
  const auto now = unix_now();
  Stmt s(m_db,
         "INSERT INTO settlements (claim_nonce, state, items, account_nonce, raw_tx, tx_hash, created_at, updated_at) "
         "VALUES (?, 'pending', ?, ?, ?, ?, ?, ?)");
  s.bind(1, static_cast<int64_t>(row.claim_nonce)).bind(2, row.items.dump()).bind(3, static_cast<int64_t>(row.account_nonce));
  s.bind_blob(4, row.raw_tx.data(), row.raw_tx.size()).bind_blob(5, row.tx_hash.data(), row.tx_hash.size());
  s.bind(6, now).bind(7, now);
  s.step();
  return sqlite3_last_insert_rowid(m_db);
}

void SettlementStore::finish(int64_t id, const SettlementRow& o) {
  std::lock_guard lock(m_mutex);
  Stmt s(m_db,
         "UPDATE settlements SET state = ?, block = ?, paid = ?, bytes_paid = ?, items_paid = ?, items_skipped = ?, "
         "skipped = ?, error = ?, updated_at = ? WHERE id = ?");
  s.bind(1, o.state).bind(2, static_cast<int64_t>(o.block)).bind(3, crypto::to_decimal(o.paid));
  s.bind(4, static_cast<int64_t>(o.bytes_paid)).bind(5, static_cast<int64_t>(o.items_paid));
  s.bind(6, static_cast<int64_t>(o.items_skipped)).bind(7, o.skipped.dump()).bind(8, o.error);
  s.bind(9, unix_now()).bind(10, id);
  s.step();
}

void SettlementStore::note_error(int64_t id, const std::string& error) {
  std::lock_guard lock(m_mutex);
  Stmt s(m_db, "UPDATE settlements SET error = ?, updated_at = ? WHERE id = ? AND state = 'pending'");
  s.bind(1, error).bind(2, unix_now()).bind(3, id);
  s.step();
}

std::vector<SettlementRow> SettlementStore::query(const std::string& where, int64_t arg) const {
  std::lock_guard lock(m_mutex);
  Stmt s(m_db, (std::string(kColumns) + where).c_str());
  if (where.find('?') != std::string::npos) s.bind(1, arg);
  std::vector<SettlementRow> out;
  while (s.step()) {
    SettlementRow r;
    r.id = s.i64(0);
    r.claim_nonce = static_cast<uint64_t>(s.i64(1));
    r.state = s.text(2);
    r.items = nlohmann::json::parse(s.text(3), nullptr, false);
    r.account_nonce = static_cast<uint64_t>(s.i64(4));
    r.raw_tx = s.blob(5);
    const auto h = s.blob(6);
    if (h.size() == 32) std::copy(h.begin(), h.end(), r.tx_hash.begin());
    r.block = static_cast<uint64_t>(s.i64(7));
    r.paid = crypto::parse_decimal_u256(s.text(8)).value_or(0);
    r.bytes_paid = static_cast<uint64_t>(s.i64(9));
    r.items_paid = static_cast<uint32_t>(s.i64(10));
    r.items_skipped = static_cast<uint32_t>(s.i64(11));
    r.skipped = nlohmann::json::parse(s.text(12), nullptr, false);
    r.error = s.text(13);
    r.created_at = s.i64(14);
    r.updated_at = s.i64(15);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<SettlementRow> SettlementStore::pending() const { return query("WHERE state = 'pending' ORDER BY id", 0); }

std::optional<SettlementRow> SettlementStore::latest(uint64_t claim_nonce) const {
  auto rows = query("WHERE claim_nonce = ? ORDER BY id DESC LIMIT 1", static_cast<int64_t>(claim_nonce));
  if (rows.empty()) return std::nullopt;
  return rows.front();
}

std::vector<SettlementRow> SettlementStore::for_claim(uint64_t claim_nonce) const {
  return query("WHERE claim_nonce = ? ORDER BY id", static_cast<int64_t>(claim_nonce));
}

std::optional<uint64_t> SettlementStore::max_pending_account_nonce() const {
  std::optional<uint64_t> out;
  for (const auto& r : pending()) out = std::max(out.value_or(0), r.account_nonce);
  return out;
}

crypto::uint256 SettlementStore::total_paid() const {
  crypto::uint256 sum = 0;
  for (const auto& r : query("WHERE state = 'confirmed'", 0)) sum += r.paid;
  return sum;
}

uint64_t SettlementStore::pending_count() const { return pending().size(); }

nlohmann::json settlement_json(const SettlementRow& row) {
  nlohmann::json j = {{"state", row.state},
                      {"tx", crypto::to_hex(row.tx_hash)},
                      {"account_nonce", row.account_nonce},
                      {"block", row.block == 0 ? nlohmann::json(nullptr) : nlohmann::json(row.block)},
                      {"paid", crypto::to_decimal(row.paid)},
                      {"bytes_paid", std::to_string(row.bytes_paid)},
                      {"items_paid", row.items_paid},
                      {"items_skipped", row.items_skipped},
                      {"skipped", row.skipped},
                      {"updated_at", row.updated_at}};
  if (!row.error.empty()) j["error"] = row.error;
  return j;
}

}  // namespace seedd::chain
