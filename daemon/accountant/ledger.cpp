#include "daemon/accountant/ledger.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <span>
#include <stdexcept>

#include "daemon/accountant/ledger_sql.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/io_error.hpp"

namespace seedd::accountant {

namespace {

using sql::exec;
using sql::Stmt;
using sql::throw_db;
using sql::Transaction;

constexpr uint64_t kMaxStoredInteger = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

std::array<uint8_t, 8> channel_blob(uint64_t channel) {
  std::array<uint8_t, 8> out{};
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<uint8_t>(channel & 0xff);
    channel >>= 8;
  }
  return out;
}

uint64_t channel_from_blob(const std::array<uint8_t, 8>& blob) {
  uint64_t out = 0;
  for (uint8_t b : blob) out = (out << 8) | b;
  return out;
}

int64_t hour_of(int64_t now) {
  int64_t q = now / Ledger::kHourSeconds;
  if (now % Ledger::kHourSeconds < 0) --q;  // floor, also before 1970
  return q * Ledger::kHourSeconds;
}

int64_t floor_to(int64_t t, int64_t step) {
  int64_t q = t / step;
  if (t % step < 0) --q;
  return q * step;
}

crypto::uint256 parse_stored_amount(const std::string& text) {
  auto value = crypto::parse_decimal_u256(text);
  if (!value) throw std::runtime_error("ledger: corrupt decimal value in the database: " + text);
  return *value;
}

std::map<crypto::InfoHash20, crypto::uint256> load_rates(sqlite3* db) {
  std::map<crypto::InfoHash20, crypto::uint256> out;
  Stmt stmt(db, "SELECT infohash, rate_per_gib FROM reward_rates");
  while (stmt.step()) out[stmt.blob<20>(0)] = parse_stored_amount(stmt.text(1));
  return out;
}

void check_fits(uint64_t value, const std::string& what) {
  if (value > kMaxStoredInteger) {
    throw std::invalid_argument("ledger: " + what + " " + std::to_string(value) +
                                " exceeds the largest storable count (INT64_MAX)");
  }
}

uint64_t add_checked(uint64_t a, uint64_t b) {
  if (b > std::numeric_limits<uint64_t>::max() - a) {
    throw std::overflow_error("ledger: byte count sum exceeds uint64");
  }
  return a + b;
}

}  // namespace

std::string_view to_string(RejectReason reason) {
  switch (reason) {
    case RejectReason::bad_signature: return "bad_signature";
    case RejectReason::wrong_signer: return "wrong_signer";
    case RejectReason::channel_changed: return "channel_changed";
    case RejectReason::not_monotonic: return "not_monotonic";
    case RejectReason::stale_timestamp: return "stale_timestamp";
    case RejectReason::over_claim: return "over_claim";
    case RejectReason::malformed: return "malformed";
    case RejectReason::pass_malformed: return "pass_malformed";
    case RejectReason::pass_bad_signature: return "pass_bad_signature";
    case RejectReason::pass_expired: return "pass_expired";
    case RejectReason::pass_unknown_signer: return "pass_unknown_signer";
  }
  return "unknown";
}

std::optional<RejectReason> reject_reason_from_string(std::string_view name) {
  for (RejectReason reason : kAllRejectReasons) {
    if (to_string(reason) == name) return reason;
  }
  return std::nullopt;
}

// --- read connections -----------------------------------------------------------------------

/// A read connection borrowed from the pool, inside one read transaction (one snapshot).
class Ledger::ReadLease {
 public:
  ReadLease(const Ledger& owner, sqlite3* db) : m_owner(owner), m_db(db) {
    try {
      exec(db, "BEGIN");
    } catch (...) {
      owner.release_reader(db);
      throw;
    }
  }
  ReadLease(const ReadLease&) = delete;
  ReadLease& operator=(const ReadLease&) = delete;
  ~ReadLease() {
    sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    m_owner.release_reader(m_db);
  }
  sqlite3* db() const { return m_db; }

 private:
  const Ledger& m_owner;
  sqlite3* m_db;
};

Ledger::ReadLease Ledger::read() const {
  sqlite3* db = nullptr;
  {
    std::lock_guard lock(m_pool_mutex);
    if (!m_idle_readers.empty()) {
      db = m_idle_readers.back();
      m_idle_readers.pop_back();
    }
  }
  if (db == nullptr) db = sql::open_connection(m_file, false);
  return ReadLease(*this, db);
}

void Ledger::release_reader(sqlite3* db) const {
  {
    std::lock_guard lock(m_pool_mutex);
    if (m_idle_readers.size() < kMaxIdleReaders) {
      m_idle_readers.push_back(db);
      return;
    }
  }
  sqlite3_close(db);
}

// --- lifetime -------------------------------------------------------------------------------

Ledger::Ledger(const std::filesystem::path& file) : m_file(file) {
  m_db = sql::open_connection(file, true);
  try {
    sql::create_or_check_schema(m_db, file);
  } catch (const std::exception& e) {
    sqlite3_close(m_db);
    const std::string message = e.what();
    if (message.rfind("cannot open ledger", 0) == 0) throw;
    throw std::runtime_error("cannot open ledger " + file.string() + ": " + message);
  }
}

Ledger::~Ledger() {
  for (sqlite3* db : m_idle_readers) sqlite3_close(db);
  sqlite3_close(m_db);
}

// --- writes ---------------------------------------------------------------------------------

CommitResult Ledger::commit(const LedgerBatch& batch) {
  // Validate first so that a refused batch writes nothing and says which value was wrong.
  for (size_t i = 0; i < batch.receipts.size(); ++i) {
    const crypto::Receipt& r = batch.receipts[i].receipt;
    const std::string which = "receipt " + std::to_string(i);
    if (r.channel == 0) throw std::invalid_argument("ledger: " + which + " has channel 0");
    check_fits(r.bytes, which + " bytes");
    check_fits(r.timestamp, which + " timestamp");
    if (batch.receipts[i].pass) check_fits(batch.receipts[i].pass->expires_at, which + " pass expiresAt");
  }
  for (const UnverifiedUpload& u : batch.unverified) check_fits(u.bytes, "unverified bytes");

  CommitResult result;
  result.verified_delta.reserve(batch.receipts.size());
  if (batch.receipts.empty() && batch.rejections.empty() && batch.unverified.empty()) {
    return result;
  }

  const int64_t hour = hour_of(batch.now);
  struct Upload {
    uint64_t verified = 0, unverified = 0, pass = 0;
  };
  std::map<crypto::InfoHash20, Upload> upload;
  std::map<std::string_view, int64_t> rejected;

  std::lock_guard lock(m_write_mutex);
  Transaction tx(m_db, "BEGIN IMMEDIATE");
  Stmt select(m_db,
              "SELECT id, bytes FROM receipts WHERE leecher = ?1 AND infohash = ?2 AND "
              "channel = ?3");
  Stmt insert(m_db,
              "INSERT INTO receipts (leecher, infohash, channel, seeder, bytes, timestamp, "
              "signature, claimed_bytes, created_at, updated_at, pass_exp, pass_sig, pass_signer) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?8, ?9, ?10, ?11)");
  Stmt update(m_db,
              "UPDATE receipts SET seeder = ?2, bytes = ?3, timestamp = ?4, signature = ?5, "
              "updated_at = ?6 WHERE id = ?1");
  Stmt keep_pass(m_db, "UPDATE receipts SET pass_exp = ?2, pass_sig = ?3, pass_signer = ?4 WHERE id = ?1");
  for (const auto& [r, signature, pass] : batch.receipts) {
    const auto channel = channel_blob(r.channel);
    select.bind(1, r.leecher).bind(2, r.infohash).bind(3, channel);
    uint64_t delta = 0;
    if (select.step()) {
      const int64_t id = select.i64(0);
      const uint64_t stored = select.u64(1);
      select.reset();
      if (r.bytes > stored) {
        delta = r.bytes - stored;
        update.bind(1, id)
            .bind(2, r.seeder)
            .bind(3, static_cast<int64_t>(r.bytes))
            .bind(4, static_cast<int64_t>(r.timestamp))
            .bind(5, signature)
            .bind(6, batch.now)
            .run();
        if (pass) {
          keep_pass.bind(1, id)
              .bind(2, static_cast<int64_t>(pass->expires_at))
              .bind(3, pass->signature)
              .bind(4, pass->signer)
              .run();
        }
      }
    } else {
      select.reset();
      delta = r.bytes;
      insert.bind(1, r.leecher)
          .bind(2, r.infohash)
          .bind(3, channel)
          .bind(4, r.seeder)
          .bind(5, static_cast<int64_t>(r.bytes))
          .bind(6, static_cast<int64_t>(r.timestamp))
          .bind(7, signature)
          .bind(8, batch.now);
      if (pass) {
        insert.bind(9, static_cast<int64_t>(pass->expires_at)).bind(10, pass->signature).bind(11, pass->signer);
      }
      insert.run();
    }
    result.verified_delta.push_back(delta);
    if (delta > 0) {
      Upload& u = upload[r.infohash];
      u.verified = add_checked(u.verified, delta);
      if (pass && r.timestamp <= pass->expires_at) u.pass = add_checked(u.pass, delta);
    }
  }
  for (const UnverifiedUpload& u : batch.unverified) {
    if (u.bytes > 0) upload[u.infohash].unverified = add_checked(upload[u.infohash].unverified, u.bytes);
  }
  for (RejectReason reason : batch.rejections) ++rejected[to_string(reason)];

  Stmt rollup(m_db,
              "INSERT INTO upload_hourly (hour, infohash, verified_bytes, unverified_bytes, pass_bytes) "
              "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (hour, infohash) DO UPDATE SET "
              "verified_bytes = verified_bytes + excluded.verified_bytes, "
              "unverified_bytes = unverified_bytes + excluded.unverified_bytes, "
              "pass_bytes = pass_bytes + excluded.pass_bytes");
  for (const auto& [infohash, bytes] : upload) {
    check_fits(bytes.verified, "verified bytes of one torrent in one batch");
    check_fits(bytes.unverified, "unverified bytes of one torrent in one batch");
    rollup.bind(1, hour)
        .bind(2, infohash)
        .bind(3, static_cast<int64_t>(bytes.verified))
        .bind(4, static_cast<int64_t>(bytes.unverified))
        .bind(5, static_cast<int64_t>(bytes.pass))
        .run();
  }
  Stmt reject(m_db,
              "INSERT INTO rejections_hourly (hour, reason, count) VALUES (?1, ?2, ?3) "
              "ON CONFLICT (hour, reason) DO UPDATE SET count = count + excluded.count");
  for (const auto& [reason, count] : rejected) reject.bind(1, hour).bind(2, reason).bind(3, count).run();
  tx.commit();
  return result;
}

void Ledger::set_reward_rate(const crypto::InfoHash20& infohash,
                             std::optional<crypto::uint256> rate_per_gib) {
  std::lock_guard lock(m_write_mutex);
  if (rate_per_gib) {
    Stmt(m_db,
         "INSERT INTO reward_rates (infohash, rate_per_gib) VALUES (?1, ?2) "
         "ON CONFLICT (infohash) DO UPDATE SET rate_per_gib = excluded.rate_per_gib")
        .bind(1, infohash)
        .bind(2, crypto::to_decimal(*rate_per_gib))
        .run();
  } else {
    Stmt(m_db, "DELETE FROM reward_rates WHERE infohash = ?1").bind(1, infohash).run();
  }
}

// --- reads ----------------------------------------------------------------------------------

std::map<crypto::InfoHash20, crypto::uint256> Ledger::reward_rates() const {
  ReadLease lease = read();
  return load_rates(lease.db());
}

std::map<crypto::InfoHash20, Ledger::TorrentTotals> Ledger::totals_by_torrent() const {
  ReadLease lease = read();
  std::map<crypto::InfoHash20, TorrentTotals> out;
  Stmt stmt(lease.db(),
            "SELECT infohash, SUM(verified_bytes), SUM(unverified_bytes) FROM upload_hourly "
            "GROUP BY infohash");
  while (stmt.step()) out[stmt.blob<20>(0)] = TorrentTotals{stmt.u64(1), stmt.u64(2)};
  return out;
}

Ledger::Summary Ledger::summary(int64_t since, int64_t until,
                                const crypto::uint256& default_rate) const {
  ReadLease lease = read();
  sqlite3* db = lease.db();
  Summary out;
  for (RejectReason reason : kAllRejectReasons) out.rejected[std::string(to_string(reason))] = 0;
  {
    Stmt stmt(db,
              "SELECT COALESCE(SUM(verified_bytes), 0), COALESCE(SUM(unverified_bytes), 0), "
              "COALESCE(SUM(pass_bytes), 0) FROM upload_hourly WHERE hour >= ?1 AND hour < ?2");
    stmt.bind(1, since).bind(2, until).step();
    out.verified_bytes = stmt.u64(0);
    out.unverified_bytes = stmt.u64(1);
    out.pass_bytes = stmt.u64(2);
  }
  {
    Stmt stmt(db,
              "SELECT reason, SUM(count) FROM rejections_hourly WHERE hour >= ?1 AND hour < ?2 "
              "GROUP BY reason");
    stmt.bind(1, since).bind(2, until);
    while (stmt.step()) out.rejected[stmt.text(0)] = stmt.u64(1);
  }
  {
    Stmt stmt(db, "SELECT COUNT(*) FROM receipts WHERE updated_at >= ?1 AND updated_at < ?2");
    stmt.bind(1, since).bind(2, until).step();
    out.receipts = stmt.u64(0);
  }
  {
    const auto rates = load_rates(db);
    Stmt stmt(db,
              "SELECT infohash, bytes - claimed_bytes FROM receipts "
              "WHERE bytes > claimed_bytes");
    while (stmt.step()) {
      const auto infohash = stmt.blob<20>(0);
      const uint64_t delta = stmt.u64(1);
      const auto rate = rates.find(infohash);
      out.unclaimed_bytes = add_checked(out.unclaimed_bytes, delta);
      out.pending_amount += amount_for(delta, rate != rates.end() ? rate->second : default_rate);
    }
  }
  {
    Stmt stmt(db,
              "SELECT amount, total_bytes FROM claims WHERE created_at >= ?1 AND created_at < ?2");
    stmt.bind(1, since).bind(2, until);
    while (stmt.step()) {
      out.claimed_amount += parse_stored_amount(stmt.text(0));
      out.claimed_bytes = add_checked(out.claimed_bytes, stmt.u64(1));
    }
  }
  return out;
}

std::vector<Ledger::TorrentEarnings> Ledger::by_torrent(int64_t since, int64_t until,
                                                        const crypto::uint256& default_rate) const {
  ReadLease lease = read();
  sqlite3* db = lease.db();
  std::map<crypto::InfoHash20, TorrentEarnings> rows;
  auto row = [&](const crypto::InfoHash20& infohash) -> TorrentEarnings& {
    TorrentEarnings& r = rows[infohash];
    r.infohash = infohash;
    return r;
  };
  {
    Stmt stmt(db,
              "SELECT infohash, SUM(verified_bytes), SUM(unverified_bytes), SUM(pass_bytes) "
              "FROM upload_hourly WHERE hour >= ?1 AND hour < ?2 GROUP BY infohash");
    stmt.bind(1, since).bind(2, until);
    while (stmt.step()) {
      TorrentEarnings& r = row(stmt.blob<20>(0));
      r.verified_bytes = stmt.u64(1);
      r.unverified_bytes = stmt.u64(2);
      r.pass_bytes = stmt.u64(3);
    }
  }
  {
    Stmt stmt(db,
              "SELECT infohash, SUM(updated_at >= ?1 AND updated_at < ?2) FROM receipts "
              "GROUP BY infohash");
    stmt.bind(1, since).bind(2, until);
    while (stmt.step()) row(stmt.blob<20>(0)).receipts = stmt.u64(1);
  }
  {
    Stmt stmt(db,
              "SELECT r.infohash, SUM(cr.bytes - cr.prev_claimed_bytes) FROM claim_receipts cr "
              "JOIN claims c ON c.nonce = cr.nonce JOIN receipts r ON r.id = cr.receipt_id "
              "WHERE c.created_at >= ?1 AND c.created_at < ?2 GROUP BY r.infohash");
    stmt.bind(1, since).bind(2, until);
    while (stmt.step()) row(stmt.blob<20>(0)).claimed_bytes = stmt.u64(1);
  }
  const auto rates = load_rates(db);
  for (auto& [infohash, r] : rows) {
    const auto rate = rates.find(infohash);
    r.rate_per_gib = rate != rates.end() ? rate->second : default_rate;
  }
  {
    Stmt stmt(db,
              "SELECT infohash, bytes - claimed_bytes FROM receipts "
              "WHERE bytes > claimed_bytes");
    while (stmt.step()) {
      TorrentEarnings& r = row(stmt.blob<20>(0));
      const uint64_t delta = stmt.u64(1);
      r.unclaimed_bytes = add_checked(r.unclaimed_bytes, delta);
      r.pending_amount += amount_for(delta, r.rate_per_gib);
    }
  }
  std::vector<TorrentEarnings> out;
  out.reserve(rows.size());
  for (auto& [infohash, r] : rows) out.push_back(std::move(r));
  return out;
}

std::vector<Ledger::HistoryRow> Ledger::history(int64_t since, int64_t until,
                                                int64_t bucket_seconds) const {
  if (bucket_seconds <= 0 || bucket_seconds % kHourSeconds != 0) {
    throw std::invalid_argument("history bucket_seconds must be a positive multiple of 3600, got " +
                                std::to_string(bucket_seconds));
  }
  ReadLease lease = read();
  Stmt stmt(lease.db(),
            "SELECT hour, SUM(verified_bytes), SUM(unverified_bytes) FROM upload_hourly "
            "WHERE hour >= ?1 AND hour < ?2 GROUP BY hour ORDER BY hour");
  stmt.bind(1, since).bind(2, until);
  std::vector<HistoryRow> out;
  while (stmt.step()) {
    const int64_t bucket = floor_to(stmt.i64(0), bucket_seconds);
    if (out.empty() || out.back().bucket_start != bucket) out.push_back(HistoryRow{bucket, 0, 0});
    out.back().verified_bytes = add_checked(out.back().verified_bytes, stmt.u64(1));
    out.back().unverified_bytes = add_checked(out.back().unverified_bytes, stmt.u64(2));
  }
  return out;
}

std::vector<Ledger::ReceiptRow> Ledger::receipts(std::optional<crypto::InfoHash20> infohash,
                                                 std::optional<crypto::Address> leecher,
                                                 int64_t after_id, int limit) const {
  if (limit < 0) throw std::invalid_argument("receipts limit must not be negative");
  std::string sql =
      "SELECT id, infohash, seeder, leecher, channel, bytes, timestamp, signature, "
      "claimed_bytes, updated_at, pass_exp, pass_sig, pass_signer FROM receipts WHERE id > ?1";
  if (infohash) sql += " AND infohash = ?2";
  if (leecher) sql += " AND leecher = ?3";
  sql += " ORDER BY id LIMIT ?4";
  ReadLease lease = read();
  Stmt stmt(lease.db(), sql);
  stmt.bind(1, after_id).bind(4, static_cast<int64_t>(limit));
  if (infohash) stmt.bind(2, *infohash);
  if (leecher) stmt.bind(3, *leecher);
  std::vector<ReceiptRow> out;
  while (stmt.step()) {
    ReceiptRow row;
    row.id = stmt.i64(0);
    row.receipt.infohash = stmt.blob<20>(1);
    row.receipt.seeder = stmt.blob<20>(2);
    row.receipt.leecher = stmt.blob<20>(3);
    row.receipt.channel = channel_from_blob(stmt.blob<8>(4));
    row.receipt.bytes = stmt.u64(5);
    row.receipt.timestamp = stmt.u64(6);
    row.signature = stmt.blob<65>(7);
    row.claimed_bytes = stmt.u64(8);
    row.updated_at = stmt.i64(9);
    row.pass = stmt.channel_pass(10);
    out.push_back(row);
  }
  return out;
}

uint64_t Ledger::receipted_bytes(const crypto::InfoHash20& infohash,
                                 const crypto::Address& leecher) const {
  ReadLease lease = read();
  Stmt stmt(lease.db(), "SELECT bytes FROM receipts WHERE leecher = ?1 AND infohash = ?2");
  stmt.bind(1, leecher).bind(2, infohash);
  uint64_t total = 0;
  while (stmt.step()) total = add_checked(total, stmt.u64(0));
  return total;
}

// --- passes held as a leecher ----------------------------------------------------------------

bool Ledger::add_pass(const PassDocument& doc, int64_t now) {
  check_fits(doc.pass.expires_at, "pass expiresAt");
  std::lock_guard lock(m_write_mutex);
  Transaction tx(m_db, "BEGIN IMMEDIATE");
  Stmt stmt(m_db,
            "INSERT INTO passes (infohash, leecher, signer, expires_at, signature, added_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (infohash, leecher, signer) DO UPDATE SET "
            "expires_at = excluded.expires_at, signature = excluded.signature, added_at = excluded.added_at "
            "WHERE excluded.expires_at > passes.expires_at");
  stmt.bind(1, doc.pass.infohash)
      .bind(2, doc.pass.leecher)
      .bind(3, doc.signer)
      .bind(4, static_cast<int64_t>(doc.pass.expires_at))
      .bind(5, doc.signature)
      .bind(6, now)
      .run();
  const bool changed = sqlite3_changes(m_db) > 0;
  tx.commit();
  return changed;
}

std::vector<HeldPass> Ledger::passes(std::optional<crypto::InfoHash20> infohash) const {
  ReadLease lease = read();
  Stmt stmt(lease.db(),
            std::string("SELECT infohash, leecher, signer, expires_at, signature, added_at FROM passes") +
                (infohash ? " WHERE infohash = ?1" : "") + " ORDER BY infohash, signer");
  if (infohash) stmt.bind(1, *infohash);
  std::vector<HeldPass> out;
  while (stmt.step()) {
    HeldPass p;
    p.document.pass.infohash = stmt.blob<20>(0);
    p.document.pass.leecher = stmt.blob<20>(1);
    p.document.signer = stmt.blob<20>(2);
    p.document.pass.expires_at = stmt.u64(3);
    p.document.signature = stmt.blob<65>(4);
    p.added_at = stmt.i64(5);
    out.push_back(std::move(p));
  }
  return out;
}

// --- claims ---------------------------------------------------------------------------------

MadeClaim Ledger::make_claim(const ClaimRequest& request, const crypto::PrivateKey& claimant_key) {
  if (request.created_at < 0) {
    throw std::invalid_argument("claim created_at must not be negative, got " +
                                std::to_string(request.created_at));
  }
  const crypto::Address claimant = claimant_key.address();
  std::lock_guard lock(m_write_mutex);
  // IMMEDIATE: the channels read here are the ones raised below, with no commit in between.
  Transaction tx(m_db, "BEGIN IMMEDIATE");
  const auto rates = load_rates(m_db);
  std::vector<ClaimEntry> entries;
  std::vector<int64_t> ids;
  {
    Stmt pick(m_db,
              "SELECT id, infohash, seeder, leecher, channel, bytes, timestamp, signature, "
              "claimed_bytes, pass_exp, pass_sig, pass_signer FROM receipts "
              "WHERE bytes > claimed_bytes ORDER BY id");
    while (pick.step()) {
      ClaimEntry entry;
      entry.receipt.infohash = pick.blob<20>(1);
      entry.receipt.seeder = pick.blob<20>(2);
      entry.receipt.leecher = pick.blob<20>(3);
      entry.receipt.channel = channel_from_blob(pick.blob<8>(4));
      entry.receipt.bytes = pick.u64(5);
      entry.receipt.timestamp = pick.u64(6);
      entry.signature = pick.blob<65>(7);
      entry.prev_claimed_bytes = pick.u64(8);
      // The channel's pass goes beside the receipt only where it covers it (docs/protocol.md 7,
      // rule 6: timestamp ≤ passExp); a receipt signed after the pass ran out is claimed without.
      entry.pass = pick.channel_pass(9);
      if (entry.pass && entry.receipt.timestamp > entry.pass->expires_at) entry.pass.reset();
      // A receipt made out to another key, or signed in another pool's domain, would make the
      // whole claim fail verification (docs/protocol.md 7, rules 1-2): leave it for a claim it fits.
      if (entry.receipt.seeder != claimant) continue;
      const auto signer = crypto::recover_signer(
          crypto::receipt_digest(request.domain, entry.receipt), entry.signature);
      if (!signer || *signer != entry.receipt.leecher) continue;
      const auto rate = rates.find(entry.receipt.infohash);
      entry.rate_per_gib = rate != rates.end() ? rate->second : request.default_rate;
      ids.push_back(pick.i64(0));
      entries.push_back(std::move(entry));
    }
  }
  if (entries.empty()) throw NothingToClaim();

  uint64_t nonce = 0;
  {
    Stmt last(m_db, "SELECT COALESCE(MAX(nonce), 0) FROM claims");
    last.step();
    nonce = last.u64(0) + 1;
  }
  const crypto::MerkleTree tree = receipts_tree(request.domain, entries);
  const crypto::Claim message =
      claim_message(entries, tree, claimant, request.payout, nonce,
                    static_cast<uint64_t>(request.created_at));
  const crypto::Signature signature = sign_claim(request.domain, message, claimant_key);
  MadeClaim made{nonce, claim_document(request.domain, message, signature, entries, tree)};
  if (request.dry_run) return made;  // the transaction rolls back: nothing written
  if (message.total_bytes > kMaxStoredInteger) {
    throw std::overflow_error("claim totalBytes " + std::to_string(message.total_bytes) +
                              " exceeds the largest storable count (INT64_MAX)");
  }

  Stmt(m_db,
       "INSERT INTO claims (nonce, created_at, payout, amount, receipt_count, total_bytes, "
       "receipts_root, document) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
      .bind(1, static_cast<int64_t>(nonce))
      .bind(2, request.created_at)
      .bind(3, request.payout)
      .bind(4, crypto::to_decimal(message.amount))
      .bind(5, static_cast<int64_t>(message.receipt_count))
      .bind(6, static_cast<int64_t>(message.total_bytes))
      .bind(7, message.receipts_root)
      .bind(8, claim_file_text(made.document))
      .run();
  Stmt item(m_db,
            "INSERT INTO claim_receipts (nonce, receipt_id, prev_claimed_bytes, bytes, "
            "rate_per_gib, amount) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  Stmt raise(m_db, "UPDATE receipts SET claimed_bytes = ?2 WHERE id = ?1");
  for (size_t i = 0; i < entries.size(); ++i) {
    const ClaimEntry& entry = entries[i];
    const uint64_t delta = entry.receipt.bytes - entry.prev_claimed_bytes;
    item.bind(1, static_cast<int64_t>(nonce))
        .bind(2, ids[i])
        .bind(3, static_cast<int64_t>(entry.prev_claimed_bytes))
        .bind(4, static_cast<int64_t>(entry.receipt.bytes))
        .bind(5, crypto::to_decimal(entry.rate_per_gib))
        .bind(6, crypto::to_decimal(amount_for(delta, entry.rate_per_gib)))
        .run();
    raise.bind(1, ids[i]).bind(2, static_cast<int64_t>(entry.receipt.bytes)).run();
  }
  tx.commit();
  return made;
}

std::vector<nlohmann::json> Ledger::claims(int64_t after_nonce, int limit) const {
  if (limit < 0) throw std::invalid_argument("claims limit must not be negative");
  ReadLease lease = read();
  Stmt stmt(lease.db(), "SELECT document FROM claims WHERE nonce > ?1 ORDER BY nonce LIMIT ?2");
  stmt.bind(1, after_nonce).bind(2, static_cast<int64_t>(limit));
  std::vector<nlohmann::json> out;
  while (stmt.step()) out.push_back(nlohmann::json::parse(stmt.text(0)));
  return out;
}

std::optional<nlohmann::json> Ledger::claim(uint64_t nonce) const {
  if (nonce > kMaxStoredInteger) return std::nullopt;
  ReadLease lease = read();
  Stmt stmt(lease.db(), "SELECT document FROM claims WHERE nonce = ?1");
  stmt.bind(1, static_cast<int64_t>(nonce));
  if (!stmt.step()) return std::nullopt;
  return nlohmann::json::parse(stmt.text(0));
}

uint64_t Ledger::last_nonce() const {
  ReadLease lease = read();
  Stmt stmt(lease.db(), "SELECT COALESCE(MAX(nonce), 0) FROM claims");
  stmt.step();
  return stmt.u64(0);
}

void Ledger::write_missing_claim_files(const std::filesystem::path& claims_dir) const {
  util::ensure_directory(claims_dir, 0755);
  ReadLease lease = read();
  Stmt stmt(lease.db(), "SELECT nonce, document FROM claims ORDER BY nonce");
  while (stmt.step()) {
    const auto path = claims_dir / (std::to_string(stmt.i64(0)) + ".json");
    const std::string text = stmt.text(1);
    const auto on_disk = util::read_file(path);
    if (!on_disk || *on_disk != text) util::write_file_atomic(path, text, 0644);
  }
}

std::vector<std::string> Ledger::tidy_claims_dir(const std::filesystem::path& claims_dir) const {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  if (!fs::is_directory(claims_dir)) return out;
  std::vector<fs::path> temps, orphans;
  {
    ReadLease lease = read();
    Stmt has(lease.db(), "SELECT 1 FROM claims WHERE nonce = ?1");
    for (const auto& entry : fs::directory_iterator(claims_dir)) {
      if (!entry.is_regular_file()) continue;
      const std::string name = entry.path().filename().string();
      if (name.find(".json.tmp.") != std::string::npos) {
        temps.push_back(entry.path());
        continue;
      }
      const auto stem = entry.path().stem().string();
      if (entry.path().extension() != ".json") continue;
      const auto nonce = crypto::parse_decimal_u64(stem);
      if (!nonce || *nonce == 0 || *nonce > kMaxStoredInteger || std::to_string(*nonce) != stem) continue;
      has.bind(1, static_cast<int64_t>(*nonce));
      if (!has.step()) orphans.push_back(entry.path());
      has.reset();
    }
  }
  for (const auto& path : temps) {
    fs::remove(path);
    out.push_back(path.filename().string());
  }
  if (!orphans.empty()) {
    const fs::path aside = claims_dir / "orphaned";
    util::ensure_directory(aside, 0755);
    for (const auto& path : orphans) {
      // Never overwrite an earlier orphan of the same nonce: add a counter instead.
      fs::path target = aside / path.filename();
      for (int n = 1; fs::exists(target); ++n) {
        target = aside / (path.filename().string() + "." + std::to_string(n));
      }
      fs::rename(path, target);
      out.push_back(path.filename().string());
    }
  }
  if (!out.empty()) util::fsync_directory(claims_dir);
  return out;
}

VerifierState Ledger::verifier_state(std::optional<uint64_t> before) const {
  const int64_t limit = before && *before <= kMaxStoredInteger ? static_cast<int64_t>(*before)
                                                               : std::numeric_limits<int64_t>::max();
  ReadLease lease = read();
  VerifierState state;
  {
    Stmt last(lease.db(), "SELECT COALESCE(MAX(nonce), 0) FROM claims WHERE nonce < ?1");
    last.bind(1, limit).step();
    if (const uint64_t nonce = last.u64(0); nonce != 0) state.last_nonce = nonce;
  }
  // A channel's claims raise it to the receipt's bytes of that time, so what was paid on it up
  // to `before` is the highest of them.
  Stmt paid(lease.db(),
            "SELECT r.leecher, r.infohash, r.channel, MAX(cr.bytes) FROM claim_receipts cr "
            "JOIN receipts r ON r.id = cr.receipt_id WHERE cr.nonce < ?1 GROUP BY cr.receipt_id");
  paid.bind(1, limit);
  while (paid.step()) {
    state.paid[{paid.blob<20>(0), paid.blob<20>(1), channel_from_blob(paid.blob<8>(2))}] = paid.u64(3);
  }
  return state;
}

std::map<std::tuple<crypto::Address, crypto::InfoHash20, uint64_t>, uint64_t>
Ledger::claimed_per_channel() const {
  ReadLease lease = read();
  Stmt stmt(lease.db(),
            "SELECT leecher, infohash, channel, claimed_bytes FROM receipts "
            "WHERE claimed_bytes > 0");
  std::map<std::tuple<crypto::Address, crypto::InfoHash20, uint64_t>, uint64_t> out;
  while (stmt.step()) {
    out[{stmt.blob<20>(0), stmt.blob<20>(1), channel_from_blob(stmt.blob<8>(2))}] = stmt.u64(3);
  }
  return out;
}

}  // namespace seedd::accountant
