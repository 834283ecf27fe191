#pragma once
// The ledger's SQLite plumbing: statements, transactions, connections and the schema. Only the
// ledger's own files include this (it pulls in sqlite3.h).
#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "daemon/accountant/ledger.hpp"

namespace seedd::accountant::sql {

/// Throws for SQLite's last error on `db`: util::IoError for a full, read-only or failing disk
/// (RPC: -32004), std::runtime_error for the rest (a bug or a broken database).
[[noreturn]] void throw_sqlite(sqlite3* db, const std::string& message);
/// throw_sqlite() with "ledger: `what`: " and SQLite's message.
[[noreturn]] void throw_db(sqlite3* db, const std::string& what);
/// Runs SQL that returns no rows; throws as throw_sqlite().
void exec(sqlite3* db, const char* sql);

/// A prepared statement; finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql) : m_db(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr) !=
        SQLITE_OK) {
      throw_db(db, "cannot prepare " + std::string(sql.substr(0, 60)));
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(m_stmt); }

  Stmt& bind(int index, int64_t value) {
    check(sqlite3_bind_int64(m_stmt, index, value));
    return *this;
  }
  Stmt& bind(int index, std::span<const uint8_t> blob) {
    check(sqlite3_bind_blob(m_stmt, index, blob.data(), static_cast<int>(blob.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& bind(int index, std::string_view text) {
    check(sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }

  /// True while there is a row to read.
  bool step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_db(m_db, std::string("cannot run ") + sqlite3_sql(m_stmt));
  }
  /// Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
  }

  int64_t i64(int column) const { return sqlite3_column_int64(m_stmt, column); }
  uint64_t u64(int column) const {
    const int64_t value = i64(column);
    if (value < 0) throw std::runtime_error("ledger: negative byte count in the database");
    return static_cast<uint64_t>(value);
  }
  std::string text(int column) const {
    const auto* p = sqlite3_column_text(m_stmt, column);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(m_stmt, column)))
             : std::string();
  }
  bool is_null(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
  /// A channel's pass from the columns pass_exp, pass_sig, pass_signer starting at `column`.
  std::optional<ChannelPass> channel_pass(int column) const {
    if (is_null(column)) return std::nullopt;
    return ChannelPass{u64(column), blob<65>(column + 1), blob<20>(column + 2)};
  }
  template <size_t N>
  std::array<uint8_t, N> blob(int column) const {
    std::array<uint8_t, N> out{};
    const void* p = sqlite3_column_blob(m_stmt, column);
    if (static_cast<size_t>(sqlite3_column_bytes(m_stmt, column)) != N || p == nullptr) {
      throw std::runtime_error("ledger: a " + std::to_string(N) +
                               "-byte value in the database has the wrong size");
    }
    std::memcpy(out.data(), p, N);
    return out;
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw_db(m_db, "cannot bind a parameter");
  }

  sqlite3* m_db;
  sqlite3_stmt* m_stmt = nullptr;
};

/// BEGIN … COMMIT; rolls back on scope exit unless committed (an exception leaves nothing).
class Transaction {
 public:
  Transaction(sqlite3* db, const char* begin) : m_db(db) { exec(db, begin); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (!m_done) sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    exec(m_db, "COMMIT");
    m_done = true;
  }

 private:
  sqlite3* m_db;
  bool m_done = false;
};

/// Opens the ledger file: the writer creates it and uses WAL with synchronous=FULL, a reader
/// is query-only. Both wait up to Ledger::kBusyTimeoutMs for a lock.
sqlite3* open_connection(const std::filesystem::path& file, bool writer);

/// Creates the schema in an empty file, or migrates an older one to Ledger::kSchemaVersion in
/// one transaction; refuses a file of a newer version or with foreign tables.
void create_or_check_schema(sqlite3* db, const std::filesystem::path& file);

}  // namespace seedd::accountant::sql
