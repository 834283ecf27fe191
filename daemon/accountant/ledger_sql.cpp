#include "daemon/accountant/ledger_sql.hpp"

#include "daemon/accountant/ledger_schema.hpp"
#include "daemon/util/io_error.hpp"

namespace seedd::accountant::sql {

[[noreturn]] void throw_sqlite(sqlite3* db, const std::string& message) {
  switch (db ? sqlite3_errcode(db) & 0xff : SQLITE_CANTOPEN) {
    case SQLITE_FULL: case SQLITE_IOERR: case SQLITE_CANTOPEN: case SQLITE_READONLY:
      throw util::IoError(message);
  }
  throw std::runtime_error(message);
}

[[noreturn]] void throw_db(sqlite3* db, const std::string& what) {
  throw_sqlite(db, "ledger: " + what + ": " + (db ? sqlite3_errmsg(db) : "no connection"));
}

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw_sqlite(db, "ledger: " + std::string(sql).substr(0, 60) + ": " + message);
  }
}

sqlite3* open_connection(const std::filesystem::path& file, bool writer) {
  sqlite3* db = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    throw std::runtime_error("cannot open ledger " + file.string() + ": " + message);
  }
  try {
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, Ledger::kBusyTimeoutMs);
    exec(db, "PRAGMA foreign_keys = ON");
    if (writer) {
      Stmt wal(db, "PRAGMA journal_mode = WAL");
      if (!wal.step() || wal.text(0) != "wal") {
        throw std::runtime_error("ledger: cannot switch to WAL journal mode");
      }
      exec(db, "PRAGMA synchronous = FULL");
    } else {
      exec(db, "PRAGMA query_only = ON");
    }
  } catch (const std::exception& e) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open ledger " + file.string() + ": " + e.what());
  }
  return db;
}

void create_or_check_schema(sqlite3* db, const std::filesystem::path& file) {
  Transaction tx(db, "BEGIN IMMEDIATE");
  Stmt version(db, "PRAGMA user_version");
  version.step();
  const int64_t found = version.i64(0);
  version.reset();
  if (found == 0) {
    Stmt tables(db, "SELECT count(*) FROM sqlite_schema");
    tables.step();
    if (tables.i64(0) != 0) {
      throw std::runtime_error("cannot open ledger " + file.string() +
                               ": it holds tables but no seedd schema version");
    }
    exec(db, kSchemaV1);
  } else if (found > Ledger::kSchemaVersion) {
    throw std::runtime_error("cannot open ledger " + file.string() + ": schema version " +
                             std::to_string(found) + " is newer than the supported " +
                             std::to_string(Ledger::kSchemaVersion));
  }
  // Each migration, from the version found, in the same transaction: a failure leaves the file
  // at the version it had.
  if (found < 2) exec(db, kMigrateV1ToV2);
  if (found != Ledger::kSchemaVersion)
    exec(db, ("PRAGMA user_version = " + std::to_string(Ledger::kSchemaVersion)).c_str());
  tx.commit();
}

}  // namespace seedd::accountant::sql
